import type { TokenStandardName } from '../../core/standards'
import type { TokenView } from '../../store/read/tokenViews'
import type { CachedImage } from '../media/cachedImage'
import { baseLocale, hiroMetadata, type HiroMetadata } from './metadataBody'
import { HIRO_ERROR, tokenErrorReply, type HiroErrorReply } from './tokenErrors'

export type HiroTokenKind = 'ft' | 'nft' | 'sft'

export const STANDARD_OF: Record<HiroTokenKind, TokenStandardName> = { ft: 'SIP010', nft: 'SIP009', sft: 'SIP013' }

export type HiroTokenResult = { ok: true; body: Record<string, unknown> } | { ok: false; error: HiroErrorReply }

/**
 * What Hiro answers for a token, decided in its order: unknown contract (404), no such token of
 * this kind (404), a final fetch error (422 Token error, INVALID or FAILED), never fetched yet
 * (422 in progress), locale missing (422). AVAILABLE and STALE tokens are served: a refresh in
 * progress, or one that failed, keeps the last good document visible (metadataStatus.ts decides).
 */
export function hiroTokenResult(view: TokenView, kind: HiroTokenKind, principal: string, locale: string | undefined, image: CachedImage | null = null): HiroTokenResult {
  if (!view.contract) return { ok: false, error: HIRO_ERROR.contractNotFound }
  if (view.contract.standard !== STANDARD_OF[kind] || !view.token) return { ok: false, error: HIRO_ERROR.tokenNotFound }
  if (view.status === 'INVALID' || view.status === 'FAILED') return { ok: false, error: tokenErrorReply(view.error?.code) }
  if (view.status === 'PENDING') return { ok: false, error: HIRO_ERROR.inProgress }
  const base = view.metadata?.normalized ?? null
  let doc = base
  if (locale !== undefined && locale !== baseLocale(base)) {
    if (!view.localized) return { ok: false, error: HIRO_ERROR.localeNotFound }
    doc = view.localized
  }
  const metadata = hiroMetadata(doc, image)
  const tokenUri = view.metadata?.uri ?? view.token.chainUri ?? (kind === 'ft' ? view.contractRead?.uri : null) ?? undefined
  if (kind === 'nft') return { ok: true, body: compact({ token_uri: tokenUri, metadata }) }
  if (kind === 'sft') {
    const decimals = view.metadata?.decimals ?? view.contractRead?.decimals ?? undefined
    return { ok: true, body: compact({ token_uri: tokenUri, decimals, total_supply: view.token.supply, metadata }) }
  }
  return { ok: true, body: ftBody(view, principal, tokenUri, metadata, image) }
}

function ftBody(view: TokenView, principal: string, tokenUri: string | undefined, metadata: HiroMetadata | undefined, image: CachedImage | null): Record<string, unknown> {
  const read = view.contractRead
  const [address, contractName] = principal.split('.')
  return compact({
    name: read?.name ?? metadata?.name,
    symbol: read?.symbol ?? undefined,
    decimals: read?.decimals ?? view.metadata?.decimals ?? undefined,
    // SIP-010: the chain-read total supply; the event-tracked one when no read happened yet.
    total_supply: view.contract?.totalSupply ?? read?.totalSupply ?? undefined,
    token_uri: tokenUri,
    description: metadata?.description,
    // Hiro's FT fields: the cached image and its thumbnail, and the document's own image.
    image_uri: image?.cached ?? undefined,
    image_thumbnail_uri: image?.thumbnail ?? undefined,
    image_canonical_uri: metadata?.image,
    tx_id: view.contract?.deployTx ?? '',
    sender_address: address,
    // `<principal>::<asset name>`, the name of the contract's define-fungible-token. Contracts
    // indexed before asset names were stored fall back to the contract name until the
    // processor sees them again.
    asset_identifier: `${principal}::${view.contract?.assetName ?? contractName}`,
    metadata,
  })
}

/** Drops undefined and null values: Hiro leaves absent fields out. */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v
  return out
}
