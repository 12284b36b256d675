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
  else {
    const at = parseHttpDate(text)
    if (at === undefined) return undefined
    ms = at - now
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
}

const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)'
const TIME = '\\d{2}:\\d{2}:\\d{2}'
// RFC 9110 §5.6.7: IMF-fixdate, the obsolete RFC 850 form, and asctime; all three are GMT.
const IMF_FIXDATE = new RegExp(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`)
const RFC_850 = new RegExp(`^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`)
const ASCTIME = new RegExp(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \\d|\\d{2}) ${TIME} \\d{4}$`)

/** An HTTP-date in ms since the epoch; undefined for anything else. asctime carries no zone: it is GMT. */
function parseHttpDate(text: string): number | undefined {
  let at: number
  if (IMF_FIXDATE.test(text) || RFC_850.test(text)) at = Date.parse(text)
  else if (ASCTIME.test(text)) at = Date.parse(`${text} GMT`)
  else return undefined
  return Number.isNaN(at) ? undefined : at
}

/** Statuses worth retrying: timeouts, rate limits and server errors, except 501 (never implemented). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501)
}
