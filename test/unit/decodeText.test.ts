import { describe, expect, it } from 'vitest'
import { encodeAbiParameters, stringToHex } from 'viem'
import { PermanentError } from '../../src/core/errors'
import { decodeTextResult } from '../../src/chains/evm/decodeText'

describe('decodeTextResult', () => {
  it('decodes an ABI string', () => {
    expect(decodeTextResult(encodeAbiParameters([{ type: 'string' }], ['Dai Stablecoin']), 'name')).toBe('Dai Stablecoin')
  })

  it('decodes bytes32 text and strips its trailing zero bytes', () => {
    expect(decodeTextResult(stringToHex('MKR', { size: 32 }), 'symbol')).toBe('MKR')
  })

  it('decodes bytes32 holding multi-byte UTF-8', () => {
    expect(decodeTextResult(stringToHex('Café ☕', { size: 32 }), 'name')).toBe('Café ☕')
  })

  it('answers null for an all-zero bytes32 (no name set)', () => {
    expect(decodeTextResult(`0x${'00'.repeat(32)}`, 'name')).toBeNull()
  })

  it('strips NUL padding that a contract left at the end of an ABI string', () => {
    expect(decodeTextResult(encodeAbiParameters([{ type: 'string' }], ['SAI\0\0']), 'symbol')).toBe('SAI')
  })

  it('rejects empty data, invalid UTF-8 and data of neither shape as permanent errors', () => {
    expect(() => decodeTextResult('0x', 'name')).toThrow(PermanentError)
    expect(() => decodeTextResult(`0xff${'00'.repeat(31)}`, 'name')).toThrow(/not UTF-8/)
    expect(() => decodeTextResult(`0x${'ff'.repeat(48)}`, 'name')).toThrow(/neither a string nor bytes32/)
  })
})
