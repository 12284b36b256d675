import type { TokenStandardName } from '../../core/standards'
import type { ClarityAbiType, ContractInterface } from './apiTypes'

type Arg = ClarityAbiType
const uint: Arg = 'uint128'
const principal: Arg = 'principal'
const memo34: Arg = { buffer: { length: 34 } }

interface FnSpec {
  name: string
  args: Arg[]
  access: 'public' | 'read_only'
}

const fn = (name: string, access: FnSpec['access'], ...args: Arg[]): FnSpec => ({ name, args, access })

/** SIP-013 semi-fungible token trait. */
const SIP013: FnSpec[] = [
  fn('get-balance', 'read_only', uint, principal),
  fn('get-overall-balance', 'read_only', principal),
  fn('get-total-supply', 'read_only', uint),
  fn('get-overall-supply', 'read_only'),
  fn('get-decimals', 'read_only', uint),
  fn('get-token-uri', 'read_only', uint),
  fn('transfer', 'public', uint, uint, principal, principal),
  fn('transfer-memo', 'public', uint, uint, principal, principal, memo34),
]

/** SIP-009 NFT trait. */
const SIP009: FnSpec[] = [
  fn('get-last-token-id', 'read_only'),
  fn('get-token-uri', 'read_only', uint),
  fn('get-owner', 'read_only', uint),
  fn('transfer', 'public', uint, principal, principal),
]

/** SIP-010 FT trait. */
const SIP010: FnSpec[] = [
  fn('transfer', 'public', uint, principal, principal, { optional: memo34 }),
  fn('get-name', 'read_only'),
  fn('get-symbol', 'read_only'),
  fn('get-decimals', 'read_only'),
  fn('get-balance', 'read_only', principal),
  fn('get-total-supply', 'read_only'),
  fn('get-token-uri', 'read_only'),
]

/**
 * The token standard a contract implements, from its interface: every trait function present
 * with the same name, access, argument count and argument types (compared structurally, not by
 * the text of object types). SIP-013 is checked first: an SFT may also declare an internal NFT
 * for its burn-and-mint bookkeeping, which must not make it a SIP-009 collection.
 */
export function detectStandard(iface: ContractInterface): TokenStandardName | undefined {
  if (implementsAll(iface, SIP013)) return 'SIP013'
  if (iface.non_fungible_tokens.length > 0 && implementsAll(iface, SIP009)) return 'SIP009'
  if (iface.fungible_tokens.length > 0 && implementsAll(iface, SIP010)) return 'SIP010'
  return undefined
}

function implementsAll(iface: ContractInterface, specs: FnSpec[]): boolean {
  return specs.every((spec) =>
    iface.functions.some((f) => f.name === spec.name && f.access === spec.access && f.args.length === spec.args.length && f.args.every((a, i) => sameType(a.type, spec.args[i]))),
  )
}

/** Structural equality of Clarity ABI types (key order does not matter). */
export function sameType(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a).sort()
  const kb = Object.keys(b).sort()
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameType((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}
