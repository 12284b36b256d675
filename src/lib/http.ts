/** A day: the longest a host may ask us to wait (a hostile Retry-After cannot park work forever). */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000

/**
 * Parses Retry-After: delay-seconds or an HTTP-date. Returns ms from `now`, clamped to
 * [0, MAX_RETRY_AFTER_MS]; undefined when absent or unparsable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined
  const text = value.trim()
  let ms: number
  if (/^\d+$/.test(text)) ms = Number(text) * 1000
  else if (/^[A-Za-z]{3,9},? /.test(text) && !Number.isNaN(Date.parse(text))) ms = Date.parse(text) - now
  else return undefined
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
}

/** Statuses worth retrying: timeouts, rate limits and server errors, except 501 (never implemented). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501)
}
