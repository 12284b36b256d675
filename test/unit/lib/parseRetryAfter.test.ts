import { describe, expect, it } from 'vitest'
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../../src/lib/http'

const NOW = Date.parse('2030-01-01T00:00:00.000Z')

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000)
  })

  it('reads zero seconds as zero', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0)
  })

  it('trims surrounding whitespace', () => {
    expect(parseRetryAfter(' 30 ', NOW)).toBe(30_000)
  })

  it('reads an IMF-fixdate as the time from now', () => {
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:01:00 GMT', NOW)).toBe(60_000)
  })

  it('reads an obsolete RFC 850 date as the time from now', () => {
    expect(parseRetryAfter('Tuesday, 01-Jan-30 00:02:00 GMT', NOW)).toBe(120_000)
  })

  it('reads a date in the past as no wait', () => {
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:59:00 GMT', NOW)).toBe(0)
  })

  it('caps delay-seconds at a day', () => {
    expect(parseRetryAfter('86401', NOW)).toBe(MAX_RETRY_AFTER_MS)
    expect(MAX_RETRY_AFTER_MS).toBe(86_400_000)
  })

  it('keeps exactly a day', () => {
    expect(parseRetryAfter('86400', NOW)).toBe(86_400_000)
  })

  it('caps a huge number of seconds at a day', () => {
    expect(parseRetryAfter('99999999999999999999999', NOW)).toBe(MAX_RETRY_AFTER_MS)
  })

  it('caps a date more than a day ahead at a day', () => {
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS)
  })

  it('returns undefined for an absent header', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined()
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined()
  })

  it('returns undefined for an empty header', () => {
    expect(parseRetryAfter('', NOW)).toBeUndefined()
  })

  it('returns undefined for negative seconds', () => {
    expect(parseRetryAfter('-5', NOW)).toBeUndefined()
  })

  it('returns undefined for fractional seconds', () => {
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined()
  })

  it('returns undefined for a signed number', () => {
    expect(parseRetryAfter('+5', NOW)).toBeUndefined()
  })

  it('returns undefined for text', () => {
    expect(parseRetryAfter('soon', NOW)).toBeUndefined()
  })

  it('returns undefined for an ISO 8601 timestamp (not an HTTP date)', () => {
    expect(parseRetryAfter('2030-01-01T00:01:00Z', NOW)).toBeUndefined()
  })

  it('returns undefined for a date with an impossible day and month', () => {
    expect(parseRetryAfter('Tue, 99 Foo 2030 00:00:00 GMT', NOW)).toBeUndefined()
  })

  it('reads an asctime date as GMT whatever the local time zone', () => {
    const tz = process.env.TZ
    try {
      for (const zone of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
        process.env.TZ = zone
        expect(parseRetryAfter('Tue Jan  1 00:01:00 2030', NOW)).toBe(60_000)
      }
    } finally {
      process.env.TZ = tz
    }
  })

  it.each(['Tue, 1', 'Monday, 1', 'Tue, 01 Jan 2030 00:01:00', 'Tue, 01 Jan 2030 00:01:00 EST'])('returns undefined for %j, which is not an HTTP date', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined()
  })
})
