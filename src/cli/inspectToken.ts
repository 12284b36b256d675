import { isMetadataError, type ErrorCode, type MetadataError } from '../core/errors'
import type { TokenStandardName } from '../core/standards'
import { loadMetadata, type LoadedMetadata, type MetadataLoaderOptions } from '../metadata/loadMetadata'
import { resolveUri } from '../metadata/resolveUri'
import type { FetchPlan, NormalizedMetadata } from '../metadata/types'
import { ERROR_HINTS } from './errorHints'
import type { InspectOptions } from './inspectOptions'
import { inspectWarnings } from './inspectWarnings'

/** Where the resolver sent the URI, before any fetch (so it shows even when the fetch fails). */
export type ResolvedPlan = { kind: 'http'; url: string } | { kind: 'inline'; source: 'data-uri' | 'raw-json'; mediaType: string }

export interface InspectError {
  code: ErrorCode
  message: string
  retryable: boolean
  status: number | null
  url: string | null
  /** Start of what the host answered, when it answered something. */
  body?: string
  retryAfterMs?: number
  /** What to check, and what the indexer will do about it. */
  hint?: string
}

/** The one JSON object `token-metadata inspect` prints. Absent values are null, never missing. */
export interface InspectReport {
  uri: string
  /** Decimal, as everywhere in the API (token ids do not fit a JS number). */
  tokenId: string | null
  standard: TokenStandardName | null
  resolved: ResolvedPlan | null
  /** `url` is the final URL after redirects, or `data:` / `inline` for URIs that carry the document. */
  fetched: { url: string; contentHash: string } | null
  metadata: NormalizedMetadata | null
  locales: { locale: string; metadata: NormalizedMetadata }[]
  warnings: string[]
  error?: InspectError
}

/** Resolves, fetches and normalises like a worker; a MetadataError becomes `report.error`. */
export async function inspectToken(opts: InspectOptions, loader: MetadataLoaderOptions): Promise<InspectReport> {
  const ctx = { tokenId: opts.tokenId, standard: opts.standard }
  const plan = tryResolve(opts, loader)
  const base = {
    uri: opts.uri,
    tokenId: opts.tokenId === undefined ? null : opts.tokenId.toString(10),
    standard: opts.standard ?? null,
    resolved: plan ? describePlan(plan) : null,
  }
  try {
    const loaded = await loadMetadata(opts.uri, ctx, loader)
    return { ...base, ...describeLoaded(loaded, plan), warnings: inspectWarnings(opts, loaded) }
  } catch (e) {
    if (!isMetadataError(e)) throw e
    return { ...base, fetched: null, metadata: null, locales: [], warnings: inspectWarnings(opts), error: describeError(e) }
  }
}

/** The same pure resolution loadMetadata starts with; its errors resurface from loadMetadata. */
function tryResolve(opts: InspectOptions, loader: MetadataLoaderOptions): FetchPlan | undefined {
  try {
    return resolveUri(opts.uri, { tokenId: opts.tokenId, standard: opts.standard, gateways: loader.gateways })
  } catch {
    return undefined
  }
}

function describePlan(plan: FetchPlan): ResolvedPlan {
  return plan.kind === 'http' ? { kind: 'http', url: plan.url } : { kind: 'inline', source: plan.source, mediaType: plan.mediaType }
}

function describeLoaded(loaded: LoadedMetadata, plan: FetchPlan | undefined): Pick<InspectReport, 'fetched' | 'metadata' | 'locales'> {
  // An inline media URI (data:image/…) is its own image; printing it again as the URL adds nothing.
  const url = plan?.kind === 'inline' ? (plan.source === 'data-uri' ? 'data:' : 'inline') : loaded.resolvedUrl
  return {
    fetched: { url, contentHash: loaded.contentHash },
    metadata: loaded.normalized,
    locales: loaded.locales.map((l) => ({ locale: l.locale, metadata: l.normalized })),
  }
}

function describeError(e: MetadataError): InspectError {
  const error: InspectError = { code: e.code, message: e.message, retryable: e.retryable, status: e.status ?? null, url: e.url ?? null }
  if (e.body !== undefined) error.body = e.body
  if (e.retryAfterMs !== undefined) error.retryAfterMs = e.retryAfterMs
  const hint = ERROR_HINTS[e.code]
  if (hint !== undefined) error.hint = hint
  return error
}
