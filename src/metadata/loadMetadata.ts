import { createHash } from 'node:crypto'
import { PermanentError, isMetadataError, type MetadataError } from '../core/errors'
import type { TokenStandardName } from '../core/standards'
import { decodeDocument, jsonNestingExceeds, parseLenientJson, DEFAULT_MAX_JSON_DEPTH } from './fetcher/decodeDocument'
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
  /**
   * The job's last attempt: a retryable failure of a localized variant is then recorded as that
   * variant's error (FAILED) instead of failing the token, so the base document is not lost to a
   * flaky locale host. Deferrals (host busy or cooling down) are never recorded: they cost no attempt.
   */
  lastAttempt?: boolean
  /**
   * Whether the job's policy would retry this failure at all (a user refresh's profile retries
   * only some statuses); a failure it would not retry is final for the variant, like on the last
   * attempt. Absent: every retryable failure is retried.
   */
  retried?: (e: MetadataError) => boolean
}

export interface TokenContext {
  tokenId?: bigint
  standard?: TokenStandardName
}

export interface LoadedLocale {
  locale: string
  normalized: NormalizedMetadata
  raw: unknown
}

/** A localized variant that could not be had: permanent, or retries exhausted (lastAttempt). */
export interface FailedLocale {
  locale: string
  status: 'INVALID' | 'FAILED'
  error: MetadataError
}

export interface LoadedMetadata {
  /** Final URL fetched, or `data:` / `inline` for URIs that carry the document. */
  resolvedUrl: string
  /** Host fetched from (for statistics and politeness), null for inline documents. */
  host: string | null
  contentHash: string
  normalized: NormalizedMetadata
  raw: unknown
  locales: LoadedLocale[]
  failedLocales: FailedLocale[]
  /** What a lenient parse recovered from (JSON5 syntax), for the token's record. */
  warnings: string[]
}

type Document =
  | { kind: 'json'; document: unknown; warnings: string[]; url: string; host: string | null; hash: string }
  | { kind: 'media'; field: 'image' | 'animation_url'; url: string; host: string | null; hash: string }

/**
 * Resolves, fetches and normalises one token URI exactly as a worker does (and as
 * `token-metadata inspect` shows it), including the localized variants the document announces.
 *
 * All or nothing per attempt: a variant that is deferred (host busy or cooling down) or fails
 * with a retryable error throws, so the whole token is deferred or retried and nothing partial is
 * stored; the next attempt fetches every part again (documents are small, and a half-stored
 * token would have to remember which parts it owes). A variant that fails for good is returned
 * in `failedLocales` with its error, beside the variants that loaded.
 */
export async function loadMetadata(rawUri: string, ctx: TokenContext, opts: MetadataLoaderOptions): Promise<LoadedMetadata> {
  const doc = await loadDocument(rawUri, ctx, opts)
  const where = { resolvedUrl: doc.url, host: doc.host, contentHash: doc.hash }
  if (doc.kind === 'media') return { ...where, normalized: { [doc.field]: doc.url }, raw: null, locales: [], failedLocales: [], warnings: [] }
  const normalized = normalizeMetadata(doc.document, ctx)
  const { locales, failedLocales } = await loadLocales(doc.document, normalized, ctx, opts)
  return { ...where, normalized, raw: doc.document, locales, failedLocales, warnings: doc.warnings }
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
  return { kind: 'json', document: decoded.document, warnings: decoded.warnings, url: result.url, host, hash }
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
    return { kind: 'json', ...parseLenientJson(plan.text.replace(/^\uFEFF/, '')), url: where, host: null, hash }
  } catch (e) {
    throw new PermanentError('unable_to_decode_response', `inline metadata (${plan.mediaType}) is not JSON`, { url: where, body: plan.text.slice(0, 1024), cause: e })
  }
}

async function loadLocales(
  document: unknown,
  base: NormalizedMetadata,
  ctx: TokenContext,
  opts: MetadataLoaderOptions,
): Promise<Pick<LoadedMetadata, 'locales' | 'failedLocales'>> {
  const info = readLocalization(document)
  if (!info) return { locales: [], failedLocales: [] }
  const wanted = localeUris(info, ctx)
  // Settled, not Promise.all: every variant's fetch ends (and frees its host slot) before the
  // token's outcome is decided.
  const settled = await Promise.allSettled(wanted.map(({ locale, uri }) => loadLocale(locale, uri, base, ctx, opts)))
  const locales: LoadedLocale[] = []
  const failedLocales: FailedLocale[] = []
  const retry: unknown[] = []
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') return void locales.push(s.value)
    const e: unknown = s.reason
    const locale = wanted[i]!.locale
    if (isMetadataError(e) && !e.retryable) failedLocales.push({ locale, status: 'INVALID', error: e })
    else if (isMetadataError(e) && (opts.lastAttempt || opts.retried?.(e) === false) && e.code !== 'rate_limited') failedLocales.push({ locale, status: 'FAILED', error: e })
    else retry.push(e)
  })
  // A real failure outranks a deferral: it is the one that must count as an attempt.
  if (retry.length > 0) throw retry.find((e) => !isMetadataError(e) || e.code !== 'rate_limited') ?? retry[0]
  return { locales, failedLocales }
}

async function loadLocale(locale: string, uri: string, base: NormalizedMetadata, ctx: TokenContext, opts: MetadataLoaderOptions): Promise<LoadedLocale> {
  const doc = await loadDocument(uri, ctx, opts)
  if (doc.kind !== 'json') throw new PermanentError('unable_to_decode_response', `the ${locale} document is media, not JSON`, { url: doc.url })
  return { locale, normalized: mergeLocalized(base, doc.document, locale, ctx), raw: doc.document }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}
