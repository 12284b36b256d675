/**
 * What an API's response headers say about waiting: `Retry-After` (delay-seconds or HTTP-date)
 * and the rate-limit families (`RateLimit` / `RateLimit-*` of the IETF drafts, `X-RateLimit-*`,
 * `X-Rate-Limit-*`), parsed by ratelimit-header-parser.
 */
import { parseRateLimit } from 'ratelimit-header-parser'
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from './http'

export interface RateLimitHints {
  /** `Retry-After`, in ms from now */
  retryAfterMs?: number
  /** the quota is spent (remaining 0) until this many ms from now */
  exhaustedForMs?: number
}

/** Hints from a response's headers; empty when it carries none. */
export function rateLimitHints(headers: Headers, now: number = Date.now()): RateLimitHints {
  const out: RateLimitHints = {}
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now)
  if (retryAfter !== undefined) out.retryAfterMs = retryAfter
  // a malformed header parses to NaN fields, which the checks below treat as no hint
  const limit = parseRateLimit(headers)
  if (limit && limit.remaining === 0 && limit.reset) {
    // whole seconds, the headers' resolution (the parser adds its own clock's milliseconds)
    const ms = Math.round((limit.reset.getTime() - now) / 1000) * 1000
    // the parser reads a lone Retry-After as a unix time when there is no reset header: a date
    // in the past; only a reset in the future says anything
    if (ms > 0) out.exhaustedForMs = Math.min(ms, MAX_RETRY_AFTER_MS)
  }
  return out
}

/** The longest wait the hints ask for, if any. */
export function hintedWaitMs(h: RateLimitHints): number | undefined {
  const waits = [h.retryAfterMs, h.exhaustedForMs].filter((x): x is number => x !== undefined)
  return waits.length === 0 ? undefined : Math.max(...waits)
}
