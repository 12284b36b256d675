import { createHash } from 'node:crypto'
import { PermanentError } from '../core/errors'
import type { TokenStandardName } from '../core/standards'
import { decodeDocument, jsonNestingExceeds, DEFAULT_MAX_JSON_DEPTH } from './fetcher/decodeDocument'
import { safeFetch, SafeAgent } from './fetcher/safeFetch'
import { localeUris, mergeLocalized, readLocalization } from './localization'
import { normalizeMetadata } from './normalize'
import { resolveUri } from './resolveUri'
import type { FetchPlan, GatewayConfig, NormalizedMetadata } from './types'

export interface MetadataLoaderOptions {
  gateways: GatewayConfig
  agent: SafeAgent
  timeoutMs: number
  maxBytes: number
  maxRedirects: number
  /**
   * Runs an outbound fetch under the host's politeness rules (slot, cooldown). The default runs
   * it at once (the CLI).
   */
  withHost?: <T>(host: string, fetch: () => Promise<T>) => Promise<T>
}

export interface TokenContext {
  tokenId?: bigint
  standard?: TokenStandardName
}

export interface LoadedMetadata {
  /** Final URL fetched, or `data:` / `inline` for URIs that carry the document. */
  resolvedUrl: string
  /** Host fetched from (for statistics and politeness), null for inline documents. */
  host: string | null
  contentHash: string
  normalized: NormalizedMetadata
  raw: unknown
  locales: { locale: string; normalized: NormalizedMetadata; raw: unknown }[]
}

type Document = { kind: 'json'; document: unknown; url: string; host: string | null; hash: string } | { kind: 'media'; field: 'image' | 'animation_url'; url: string; host: string | null; hash: string }

/**
 * Resolves, fetches and normalises one token URI exactly as a worker does (and as
 * `token-metadata inspect` shows it), including the localized variants the document announces.
 * A failing locale is skipped: it never costs the token its default metadata.
 */
export async function loadMetadata(rawUri: string, ctx: TokenContext, opts: MetadataLoaderOptions): Promise<LoadedMetadata> {
  const doc = await loadDocument(rawUri, ctx, opts)
  if (doc.kind === 'media') {
    return { resolvedUrl: doc.url, host: doc.host, contentHash: doc.hash, normalized: { [doc.field]: doc.url }, raw: null, locales: [] }
  }
  const normalized = normalizeMetadata(doc.document, ctx)
  const locales = await loadLocales(doc.document, normalized, ctx, opts)
  return { resolvedUrl: doc.url, host: doc.host, contentHash: doc.hash, normalized, raw: doc.document, locales }
}

export async function loadDocument(rawUri: string, ctx: TokenContext, opts: MetadataLoaderOptions): Promise<Document> {
  const plan = resolveUri(rawUri, { tokenId: ctx.tokenId, standard: ctx.standard, gateways: opts.gateways })
  return plan.kind === 'http' ? fetchDocument(plan.url, opts) : inlineDocument(plan, rawUri, opts)
}

async function fetchDocument(url: string, opts: MetadataLoaderOptions): Promise<Document> {
  const host = new URL(url).host.toLowerCase()
  const run = () => safeFetch(url, { agent: opts.agent, timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes, maxRedirects: opts.maxRedirects })
  const result = await (opts.withHost ? opts.withHost(host, run) : run())
  const hash = sha256(result.body)
  const decoded = decodeDocument(result)
  if (decoded.kind === 'media') return { kind: 'media', field: decoded.field, url: decoded.url, host, hash }
  return { kind: 'json', document: decoded.document, url: result.url, host, hash }
}

/** data: URIs and raw JSON: no network, but the same size and depth limits as a fetch. */
function inlineDocument(plan: Extract<FetchPlan, { kind: 'inline' }>, rawUri: string, opts: MetadataLoaderOptions): Document {
  const where = plan.source === 'data-uri' ? 'data:' : 'inline'
  if (Buffer.byteLength(plan.text) > opts.maxBytes) {
    throw new PermanentError('response_too_large', `inline metadata is larger than ${opts.maxBytes} bytes`, { url: where })
  }
  const hash = sha256(Buffer.from(plan.text))
  const top = plan.mediaType.split('/')[0]
  if (top === 'image') return { kind: 'media', field: 'image', url: rawUri.trim(), host: null, hash }
  if (top === 'video' || top === 'audio' || top === 'model') return { kind: 'media', field: 'animation_url', url: rawUri.trim(), host: null, hash }
  if (jsonNestingExceeds(plan.text, DEFAULT_MAX_JSON_DEPTH)) {
    throw new PermanentError('unable_to_decode_response', `inline metadata is nested deeper than ${DEFAULT_MAX_JSON_DEPTH}`, { url: where })
  }
  try {
    return { kind: 'json', document: JSON.parse(plan.text.replace(/^\uFEFF/, '')) as unknown, url: where, host: null, hash }
  } catch (e) {
    throw new PermanentError('unable_to_decode_response', `inline metadata (${plan.mediaType}) is not JSON`, { url: where, body: plan.text.slice(0, 1024), cause: e })
  }
}

async function loadLocales(document: unknown, base: NormalizedMetadata, ctx: TokenContext, opts: MetadataLoaderOptions): Promise<LoadedMetadata['locales']> {
  const info = readLocalization(document)
  if (!info) return []
  const loaded = await Promise.all(
    localeUris(info, ctx).map(async ({ locale, uri }) => {
      try {
        const doc = await loadDocument(uri, ctx, opts)
        if (doc.kind !== 'json') return undefined
        return { locale, normalized: mergeLocalized(base, doc.document, locale, ctx), raw: doc.document }
      } catch {
        return undefined
      }
    }),
  )
  return loaded.filter((l): l is NonNullable<typeof l> => l !== undefined)
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}
