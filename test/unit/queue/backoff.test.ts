import { describe, expect, it } from 'vitest'
import { backoffDelayMs } from '../../../src/queue/backoff'

const SETTINGS = { baseMs: 1_000, maxMs: 60_000 }
const low = (): number => 0
const mid = (): number => 0.5
const high = (): number => 1

describe('backoffDelayMs', () => {
  it('waits half the base delay after the first attempt when random is 0', () => {
    expect(backoffDelayMs(1, SETTINGS, undefined, low)).toBe(500)
  })

  it('waits the whole base delay after the first attempt when random is 1', () => {
    expect(backoffDelayMs(1, SETTINGS, undefined, high)).toBe(1_000)
  })

  it('spreads the jitter linearly over the upper half of the nominal delay', () => {
    expect(backoffDelayMs(1, SETTINGS, undefined, mid)).toBe(750)
  })

  it('treats zero attempts like one (the base delay)', () => {
    expect(backoffDelayMs(0, SETTINGS, undefined, low)).toBe(500)
    expect(backoffDelayMs(0, SETTINGS, undefined, high)).toBe(1_000)
  })

  it('doubles the nominal delay with each further attempt', () => {
    expect([2, 3, 4, 5].map((a) => backoffDelayMs(a, SETTINGS, undefined, high))).toEqual([2_000, 4_000, 8_000, 16_000])
  })

  it('caps the nominal delay at maxMs, so the jitter range becomes [maxMs/2, maxMs]', () => {
    // attempt 8: 1000 * 2^7 = 128000 ms nominal, above the 60000 ms cap
    expect(backoffDelayMs(8, SETTINGS, undefined, low)).toBe(30_000)
    expect(backoffDelayMs(8, SETTINGS, undefined, high)).toBe(60_000)
  })

  it('stays at the cap for an attempt count whose power of two overflows to Infinity', () => {
    expect(backoffDelayMs(5_000, SETTINGS, undefined, high)).toBe(60_000)
    expect(backoffDelayMs(5_000, SETTINGS, undefined, low)).toBe(30_000)
  })

  it('takes a Retry-After that is longer than the jittered delay', () => {
    expect(backoffDelayMs(1, SETTINGS, 5_000, high)).toBe(5_000)
  })

  it('ignores a Retry-After that is shorter than the jittered delay', () => {
    expect(backoffDelayMs(3, SETTINGS, 1_500, low)).toBe(2_000)
  })

  it('ignores a Retry-After of zero', () => {
    expect(backoffDelayMs(1, SETTINGS, 0, low)).toBe(500)
  })

  it('caps a Retry-After above maxMs at maxMs', () => {
    expect(backoffDelayMs(1, SETTINGS, 24 * 60 * 60 * 1000, low)).toBe(60_000)
  })

  it('rounds the delay to whole milliseconds', () => {
    // base 3 ms: 1.5 ms at random 0
    expect(backoffDelayMs(1, { baseMs: 3, maxMs: 60_000 }, undefined, low)).toBe(2)
  })
})
