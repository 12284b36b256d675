// Which blocks handed over again after a processor restart are skipped (see ChainDatabase).
import { describe, expect, it } from 'vitest'
import { repeatedPrefix } from '../../src/store/chainDatabase'

const ref = (height: number, hash = `0x${height}`) => ({ height, hash })

describe('repeatedPrefix', () => {
  it('skips the top block handed over again at the head', () => {
    expect(repeatedPrefix([ref(10), ref(11), ref(12)], [ref(12)])).toBe(1)
  })
  it('skips the repeated blocks and applies the new ones after them', () => {
    expect(repeatedPrefix([ref(10), ref(11)], [ref(11), ref(12), ref(13)])).toBe(1)
  })
  it('applies everything from the first block whose hash differs (a fork)', () => {
    expect(repeatedPrefix([ref(10), ref(11), ref(12)], [ref(11), ref(12, '0xother'), ref(13)])).toBe(1)
    expect(repeatedPrefix([ref(10), ref(11)], [ref(11, '0xother')])).toBe(0)
  })
  it('applies the last repeated block when the canonical chain is shorter than ours, so the rest is rolled back', () => {
    expect(repeatedPrefix([ref(10), ref(11), ref(12)], [ref(11)])).toBe(0)
    expect(repeatedPrefix([ref(10), ref(11), ref(12)], [ref(10), ref(11)])).toBe(1)
  })
  it('skips nothing without hot blocks', () => {
    expect(repeatedPrefix([], [ref(1), ref(2)])).toBe(0)
  })
})
