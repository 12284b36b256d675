import { describe, expect, it } from 'vitest'
import { prefixSuccessor } from '../../../src/store/read/search'

// The prefix tier of search reads the byte range [q, successor(q)): every text starting with q
// lies inside it, and the successor itself (the first text after them) does not start with q.
describe('prefixSuccessor', () => {
  it('increments the last code point, past the surrogates and over a maximal last one', () => {
    expect(prefixSuccessor('big #1')).toBe('big #2')
    expect(prefixSuccessor('az')).toBe('a{')
    expect(prefixSuccessor('a\ud7ff')).toBe('a\ue000')
    expect(prefixSuccessor('é')).toBe('ê')
    expect(prefixSuccessor('a\u{10ffff}')).toBe('b')
    expect(prefixSuccessor('\u{10ffff}\u{10ffff}')).toBeNull()
    expect(prefixSuccessor('')).toBeNull()
  })

  it('bounds every continuation of the prefix in code point order', () => {
    const byCodePoints = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))
    for (const q of ['squid', 'a\ud7ff', 'x\u{1f600}']) {
      const next = prefixSuccessor(q)!
      for (const tail of ['', 'a', '\u{10ffff}\u{10ffff}', '\ufffd', '\u{1f600}']) {
        expect(byCodePoints(q + tail, q)).toBeGreaterThanOrEqual(0)
        expect(byCodePoints(q + tail, next)).toBeLessThan(0)
      }
      expect(next.startsWith(q)).toBe(false)
    }
  })
})
