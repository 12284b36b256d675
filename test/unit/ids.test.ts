import { describe, expect, it } from 'vitest'
import { contractId, parseContractId, parseTokenId, tokenKey, UINT128_MAX } from '../../src/core'

describe('identifiers', () => {
  it('lowercases EVM addresses and keeps Stacks principals as they are', () => {
    expect(contractId('eip155:1', '0xAbC')).toBe('eip155:1:0xabc')
    expect(contractId('stacks:1', 'SP2X.Cool-NFT')).toBe('stacks:1:SP2X.Cool-NFT')
  })

  it('splits a contract id back into chain and address', () => {
    expect(parseContractId('stacks:1:SP2X.nft')).toEqual({ chain: 'stacks:1', address: 'SP2X.nft' })
  })

  it('keeps token ids above 2^53 exact', () => {
    expect(tokenKey('eip155:1:0xabc', 2n ** 255n)).toBe(`eip155:1:0xabc:${(2n ** 255n).toString()}`)
  })

  it('rejects negative, non-numeric, padded and out-of-range token ids', () => {
    for (const bad of ['-1', '1e3', '0x10', '01', '', ' 1', (2n ** 256n).toString()]) {
      expect(parseTokenId(bad)).toBeUndefined()
    }
    expect(parseTokenId('0')).toBe(0n)
    expect(parseTokenId((2n ** 256n - 1n).toString())).toBe(2n ** 256n - 1n)
    expect(parseTokenId((UINT128_MAX + 1n).toString(), UINT128_MAX)).toBeUndefined()
  })
})
