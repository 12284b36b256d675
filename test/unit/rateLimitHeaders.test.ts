import { describe, expect, it } from 'vitest'
import { hintedWaitMs, rateLimitHints } from '../../src/lib/rateLimitHeaders'

const NOW = Date.parse('2026-01-01T00:00:00Z')

describe('rateLimitHints', () => {
  it('reads Retry-After in seconds', () => {
    expect(rateLimitHints(new Headers({ 'retry-after': '7' }), NOW)).toEqual({ retryAfterMs: 7000 })
  })

  it('reads Retry-After as an HTTP date', () => {
    expect(rateLimitHints(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), NOW)).toEqual({ retryAfterMs: 30_000 })
  })

  it('reads a spent RateLimit-* quota with its reset in seconds', () => {
    const h = rateLimitHints(new Headers({ 'ratelimit-limit': '500', 'ratelimit-remaining': '0', 'ratelimit-reset': '12' }))
    expect(h.retryAfterMs).toBeUndefined()
    expect(h.exhaustedForMs).toBe(12_000)
  })

  it('reads a spent X-RateLimit-* quota with its reset as a unix time', () => {
    const resetAt = Math.floor(Date.now() / 1000) + 40
    const h = rateLimitHints(new Headers({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetAt) }))
    expect(Math.round((h.exhaustedForMs ?? 0) / 1000)).toBeGreaterThanOrEqual(39)
    expect(Math.round((h.exhaustedForMs ?? 0) / 1000)).toBeLessThanOrEqual(40)
  })

  it('says nothing while quota remains, or without headers', () => {
    expect(rateLimitHints(new Headers({ 'ratelimit-limit': '500', 'ratelimit-remaining': '3', 'ratelimit-reset': '12' }))).toEqual({})
    expect(rateLimitHints(new Headers())).toEqual({})
  })

  it('the wait hinted is the longest of the hints', () => {
    expect(hintedWaitMs({ retryAfterMs: 1000, exhaustedForMs: 5000 })).toBe(5000)
    expect(hintedWaitMs({})).toBeUndefined()
  })
})
