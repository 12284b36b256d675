import { PermanentError } from '../core/errors'
import { safeFetch, type SafeAgent } from '../metadata/fetcher/safeFetch'
import { dataUriBytes } from '../metadata/resolveUri'

export interface MediaFetchOptions {
  /** The workers' safe agent: per-hop address checks, IPv6, rebinding, TLS verified. */
  agent: SafeAgent
  timeoutMs: number
  /** MEDIA_MAX_BYTES: larger bodies fail with `response_too_large` while streaming. */
  maxBytes: number
  maxRedirects: number
  /** Runs the fetch under the host's shared politeness rules (slot, 429 cooldown). */
  withHost: <T>(host: string, fetch: () => Promise<T>) => Promise<T>
}

export interface FetchedMedia {
  body: Buffer
  /** Host fetched from; null for `data:` URIs. */
  host: string | null
}

/**
 * The bytes of a media source, through the same safe fetcher as metadata documents (the only
 * code that dials metadata hosts), with the media byte cap and deadline.
 */
export async function fetchMedia(url: string, opts: MediaFetchOptions): Promise<FetchedMedia> {
  if (url.startsWith('data:')) {
    const { bytes } = dataUriBytes(url)
    if (bytes.length > opts.maxBytes) throw new PermanentError('response_too_large', `inline media of ${bytes.length} bytes exceeds ${opts.maxBytes}`)
    return { body: bytes, host: null }
  }
  const host = new URL(url).host
  const result = await opts.withHost(host, () => safeFetch(url, { agent: opts.agent, timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes, maxRedirects: opts.maxRedirects }))
  return { body: result.body, host }
}
