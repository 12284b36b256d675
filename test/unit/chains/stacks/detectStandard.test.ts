import { describe, expect, it } from 'vitest'
import type { ClarityAbiType, ContractInterface, ContractInterfaceFunction } from '../../../../src/chains/stacks/apiTypes'
import { detectStandard, sameType } from '../../../../src/chains/stacks/detectStandard'

// Contract interfaces as a Stacks node reports them, written from the trait definitions of
// SIP-009 (nft-trait), SIP-010 (sip-010-trait) and SIP-013 (sip013-semi-fungible-token-trait).
const uint: ClarityAbiType = 'uint128'
const principal: ClarityAbiType = 'principal'
const memo: ClarityAbiType = { buffer: { length: 34 } }
const ok = (type: ClarityAbiType): { type: ClarityAbiType } => ({ type: { response: { ok: type, error: uint } } })

function fn(name: string, access: ContractInterfaceFunction['access'], args: ClarityAbiType[], output: ClarityAbiType = 'bool'): ContractInterfaceFunction {
  return { name, access, args: args.map((type, i) => ({ name: `arg${i}`, type })), outputs: ok(output) }
}

const SIP009_FUNCTIONS = [
  fn('get-last-token-id', 'read_only', [], uint),
  fn('get-token-uri', 'read_only', [uint], { optional: { 'string-ascii': { length: 256 } } }),
  fn('get-owner', 'read_only', [uint], { optional: principal }),
  fn('transfer', 'public', [uint, principal, principal]),
]

const SIP010_FUNCTIONS = [
  fn('transfer', 'public', [uint, principal, principal, { optional: memo }]),
  fn('get-name', 'read_only', [], { 'string-ascii': { length: 32 } }),
  fn('get-symbol', 'read_only', [], { 'string-ascii': { length: 32 } }),
  fn('get-decimals', 'read_only', [], uint),
  fn('get-balance', 'read_only', [principal], uint),
  fn('get-total-supply', 'read_only', [], uint),
  fn('get-token-uri', 'read_only', [], { optional: { 'string-utf8': { length: 256 } } }),
]

const SIP013_FUNCTIONS = [
  fn('get-balance', 'read_only', [uint, principal], uint),
  fn('get-overall-balance', 'read_only', [principal], uint),
  fn('get-total-supply', 'read_only', [uint], uint),
  fn('get-overall-supply', 'read_only', [], uint),
  fn('get-decimals', 'read_only', [uint], uint),
  fn('get-token-uri', 'read_only', [uint], { optional: { 'string-ascii': { length: 256 } } }),
  fn('transfer', 'public', [uint, uint, principal, principal]),
  fn('transfer-memo', 'public', [uint, uint, principal, principal, memo]),
]

function contract(functions: ContractInterfaceFunction[], assets: { nft?: boolean; ft?: boolean } = {}): ContractInterface {
  return {
    functions,
    variables: [],
    maps: [],
    fungible_tokens: assets.ft ? [{ name: 'coin' }] : [],
    non_fungible_tokens: assets.nft ? [{ name: 'token', type: uint }] : [],
    epoch: 'Epoch30',
    clarity_version: 'Clarity3',
  }
}

/** The functions with one replaced (by name) or, when `by` is undefined, removed. */
function replace(functions: ContractInterfaceFunction[], name: string, by?: ContractInterfaceFunction): ContractInterfaceFunction[] {
  return functions.flatMap((f) => (f.name !== name ? [f] : by ? [by] : []))
}

describe('detectStandard: SIP-009', () => {
  it('detects an NFT contract implementing the SIP-009 trait', () => {
    expect(detectStandard(contract(SIP009_FUNCTIONS, { nft: true }))).toBe('SIP009')
  })

  it('detects SIP-009 among extra functions, in any order', () => {
    const extra = [fn('mint', 'public', [principal]), fn('helper', 'private', [uint])]
    expect(detectStandard(contract([...extra, ...SIP009_FUNCTIONS].reverse(), { nft: true }))).toBe('SIP009')
  })

  it('does not detect SIP-009 without a declared non-fungible token', () => {
    expect(detectStandard(contract(SIP009_FUNCTIONS))).toBeUndefined()
  })

  it('does not detect SIP-009 when transfer is missing', () => {
    expect(detectStandard(contract(replace(SIP009_FUNCTIONS, 'transfer'), { nft: true }))).toBeUndefined()
  })

  it('does not detect SIP-009 when get-owner takes an int instead of a uint', () => {
    expect(detectStandard(contract(replace(SIP009_FUNCTIONS, 'get-owner', fn('get-owner', 'read_only', ['int128'])), { nft: true }))).toBeUndefined()
  })

  it('does not detect SIP-009 when transfer takes an extra memo argument', () => {
    expect(detectStandard(contract(replace(SIP009_FUNCTIONS, 'transfer', fn('transfer', 'public', [uint, principal, principal, memo])), { nft: true }))).toBeUndefined()
  })

  it('does not detect SIP-009 when transfer is read-only', () => {
    expect(detectStandard(contract(replace(SIP009_FUNCTIONS, 'transfer', fn('transfer', 'read_only', [uint, principal, principal])), { nft: true }))).toBeUndefined()
  })

  it('does not count a private function as a trait function', () => {
    expect(detectStandard(contract(replace(SIP009_FUNCTIONS, 'get-last-token-id', fn('get-last-token-id', 'private', [], uint)), { nft: true }))).toBeUndefined()
  })
})

describe('detectStandard: SIP-010', () => {
  it('detects an FT contract implementing the SIP-010 trait', () => {
    expect(detectStandard(contract(SIP010_FUNCTIONS, { ft: true }))).toBe('SIP010')
  })

  it('does not detect SIP-010 without a declared fungible token', () => {
    expect(detectStandard(contract(SIP010_FUNCTIONS))).toBeUndefined()
  })

  it('does not detect SIP-010 when get-token-uri is missing', () => {
    expect(detectStandard(contract(replace(SIP010_FUNCTIONS, 'get-token-uri'), { ft: true }))).toBeUndefined()
  })

  it('does not detect SIP-010 when the transfer memo is a 32-byte buffer', () => {
    const t = fn('transfer', 'public', [uint, principal, principal, { optional: { buffer: { length: 32 } } }])
    expect(detectStandard(contract(replace(SIP010_FUNCTIONS, 'transfer', t), { ft: true }))).toBeUndefined()
  })

  it('does not detect SIP-010 when the transfer memo is not optional', () => {
    expect(detectStandard(contract(replace(SIP010_FUNCTIONS, 'transfer', fn('transfer', 'public', [uint, principal, principal, memo])), { ft: true }))).toBeUndefined()
  })

  it('does not detect SIP-010 when get-balance takes a uint instead of a principal', () => {
    expect(detectStandard(contract(replace(SIP010_FUNCTIONS, 'get-balance', fn('get-balance', 'read_only', [uint], uint)), { ft: true }))).toBeUndefined()
  })

  it('detects SIP-009 in a contract with the SIP-009 functions that declares both an NFT and an FT', () => {
    // SIP-009 and SIP-010 define transfer and get-token-uri with different arguments, so one
    // contract cannot implement both traits; the NFT functions make it a collection.
    expect(detectStandard(contract(SIP009_FUNCTIONS, { nft: true, ft: true }))).toBe('SIP009')
  })
})

describe('detectStandard: SIP-013', () => {
  it('detects a semi-fungible contract implementing the SIP-013 trait', () => {
    expect(detectStandard(contract(SIP013_FUNCTIONS, { ft: true }))).toBe('SIP013')
  })

  it('detects SIP-013 even when the contract declares an internal NFT for its bookkeeping', () => {
    expect(detectStandard(contract(SIP013_FUNCTIONS, { nft: true, ft: true }))).toBe('SIP013')
  })

  it('does not detect SIP-013 when transfer-memo is missing', () => {
    expect(detectStandard(contract(replace(SIP013_FUNCTIONS, 'transfer-memo'), { ft: true }))).toBeUndefined()
  })

  it('does not detect SIP-013 when get-balance takes only a principal (the SIP-010 signature)', () => {
    expect(detectStandard(contract(replace(SIP013_FUNCTIONS, 'get-balance', fn('get-balance', 'read_only', [principal], uint)), { ft: true }))).toBeUndefined()
  })

  it('does not detect SIP-013 when the transfer-memo memo is optional', () => {
    const t = fn('transfer-memo', 'public', [uint, uint, principal, principal, { optional: memo }])
    expect(detectStandard(contract(replace(SIP013_FUNCTIONS, 'transfer-memo', t), { ft: true }))).toBeUndefined()
  })
})

describe('detectStandard: no standard', () => {
  it('detects nothing in a contract without functions', () => {
    expect(detectStandard(contract([], { nft: true, ft: true }))).toBeUndefined()
  })
})

describe('sameType', () => {
  it('matches equal primitive types', () => {
    expect(sameType('uint128', 'uint128')).toBe(true)
  })

  it('tells uint and int apart', () => {
    expect(sameType('uint128', 'int128')).toBe(false)
  })

  it('ignores key order inside object types', () => {
    const a = { response: { ok: 'bool', error: 'uint128' } }
    const b = { response: { error: 'uint128', ok: 'bool' } }
    expect(sameType(a, b)).toBe(true)
  })

  it('tells buffer lengths apart', () => {
    expect(sameType({ buffer: { length: 34 } }, { buffer: { length: 33 } })).toBe(false)
  })

  it('tells an object with an extra key apart', () => {
    expect(sameType({ list: { type: 'uint128', length: 5 } }, { list: { type: 'uint128', length: 5, extra: 1 } })).toBe(false)
  })

  it('compares tuple fields in order', () => {
    const ab = {
      tuple: [
        { name: 'a', type: 'uint128' },
        { name: 'b', type: 'bool' },
      ],
    }
    const ba = {
      tuple: [
        { name: 'b', type: 'bool' },
        { name: 'a', type: 'uint128' },
      ],
    }
    expect(
      sameType(ab, {
        tuple: [
          { type: 'uint128', name: 'a' },
          { name: 'b', type: 'bool' },
        ],
      }),
    ).toBe(true)
    expect(sameType(ab, ba)).toBe(false)
  })

  it('tells an array from an object with index keys', () => {
    expect(sameType(['uint128'], { 0: 'uint128' })).toBe(false)
  })

  it('tells a type from null or a string', () => {
    expect(sameType({ optional: 'bool' }, null)).toBe(false)
    expect(sameType({ optional: 'bool' }, 'bool')).toBe(false)
  })
})
