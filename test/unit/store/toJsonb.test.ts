import { describe, expect, it } from 'vitest'
import { toJsonb } from '../../../src/store/metadataWriter'

describe('toJsonb', () => {
  it('drops U+0000 from string values and keys', () => {
    expect(toJsonb({ name: 'a\u0000b', ['k\u0000']: ['\u0000x'] })).toBe('{"name":"ab","k":["x"]}')
  })

  it('keeps the text \\u0000 (an escaped backslash before u0000)', () => {
    const value = { path: 'C:\\u0000', mixed: '\\\u0000' }
    expect(JSON.parse(toJsonb(value)!)).toEqual({ path: 'C:\\u0000', mixed: '\\' })
  })

  it('writes a BigInt as its decimal string', () => {
    expect(toJsonb({ supply: 12345678901234567890n, nested: [1n] })).toBe('{"supply":"12345678901234567890","nested":["1"]}')
  })

  it('is null for undefined and the same JSON as JSON.stringify otherwise', () => {
    expect(toJsonb(undefined)).toBeNull()
    const doc = { name: 'x', attributes: [{ trait_type: 'Level', value: 3 }], when: new Date(0), gone: undefined }
    expect(toJsonb(doc)).toBe(JSON.stringify(doc))
  })
})
