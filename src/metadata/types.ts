/**
 * Shared shapes of the metadata pipeline (docs/architecture.md §5):
 * raw token URI -> FetchPlan (resolveUri) -> document -> NormalizedMetadata (normalizeMetadata)
 * -> per-locale NormalizedMetadata (localization).
 */

/**
 * What the worker must do to obtain a token's metadata document.
 * - `http`: fetch this absolute http(s) URL (through the safe fetcher; gateways already applied).
 * - `inline`: the document is already here (a `data:` URI or raw JSON in place of a URI);
 *   no network access is needed. `text` is the decoded payload as UTF-8 text.
 */
export type FetchPlan = HttpFetchPlan | InlineFetchPlan

export interface HttpFetchPlan {
  kind: 'http'
  url: string
}

export interface InlineFetchPlan {
  kind: 'inline'
  /** Lower-case media type without parameters, e.g. `application/json`, `image/svg+xml`. */
  mediaType: string
  /**
   * The payload decoded as UTF-8 (a leading BOM removed). For binary media types (png, mp4…)
   * this text is not meaningful: use the original URI as the image / animation instead.
   */
  text: string
  source: 'data-uri' | 'raw-json'
}

/** One trait of a token. `value` keeps its JSON type: a numeric string stays a string. */
export interface NormalizedAttribute {
  trait_type?: string
  value: string | number | boolean | null
  display_type?: string
  max_value?: number
}

/** The `localization` object of SIP-016 and ERC-1155 documents. */
export interface LocalizationInfo {
  /** URI pattern containing `{locale}`. */
  uri: string
  /** The locale of the base document; absent when the document does not say. */
  default?: string
  /** Locales for which a localized document exists (validated, deduplicated, capped). */
  locales: string[]
}

/**
 * One shape for ERC-721, ERC-1155, OpenSea and SIP-016 documents. Absent fields are left out
 * (never empty strings). `attributes` is absent when the document has none, so that a partial
 * localized document can be told apart from one that clears its attributes.
 */
export interface NormalizedMetadata {
  name?: string
  description?: string
  image?: string
  image_data?: string
  external_url?: string
  animation_url?: string
  background_color?: string
  youtube_url?: string
  attributes?: NormalizedAttribute[]
  properties?: Record<string, unknown>
  decimals?: number
  localization?: LocalizationInfo
  /** The locale this metadata is in, when known (the document's default, or the merged locale). */
  locale?: string
}

/** Where decentralised-storage URIs are fetched from. */
export interface GatewayConfig {
  /** Base URL for `ipfs://` and `ipns://`, e.g. `https://ipfs.io` (trailing slash optional). */
  ipfsGateway: string
  /** Base URL for `ar://`, e.g. `https://arweave.net` (trailing slash optional). */
  arweaveGateway: string
  /**
   * Hosts of public IPFS gateways whose URLs are rewritten to `ipfsGateway`: exact host names
   * (`ipfs.io`) or `*.suffix` wildcards (`*.mypinata.cloud`). Both the path form
   * (`https://<host>/ipfs/<cid>/…`) and the subdomain form (`https://<cid>.ipfs.<host>/…`)
   * are rewritten.
   */
  rewriteGateways: string[]
}

/** Public gateways seen in real token URIs; a sensible default for `rewriteGateways`. */
export const DEFAULT_REWRITE_GATEWAYS: readonly string[] = [
  'ipfs.io',
  'gateway.ipfs.io',
  'gateway.pinata.cloud',
  '*.mypinata.cloud',
  'cloudflare-ipfs.com',
  'cf-ipfs.com',
  'dweb.link',
  'nftstorage.link',
  'w3s.link',
  'ipfs.infura.io',
  'infura-ipfs.io',
  '4everland.io',
]
