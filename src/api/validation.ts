import { UINT128_MAX, UINT256_MAX, chainNamespace, contractId, parseTokenId } from '../core/ids'

/**
 * Input checks shared by every surface. Whatever reaches SQL has passed one of these: a known
 * chain, an address of that chain's form, a canonical decimal token id within the chain's range,
 * strings without NUL (Postgres text refuses it) and of bounded length.
 */

const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/
/** c32check alphabet (no I, L, O, U), 28-41 characters: the set the Hiro API accepts. */
const STACKS_ADDRESS = /^[0-9A-HJKMNP-TV-Z]{28,41}$/
/** Clarity contract names: a letter, then letters, digits, '-' or '_', at most 40 in all. */
const CLARITY_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,39}$/

export function isEvmAddress(value: string): boolean {
  return EVM_ADDRESS.test(value)
}

export function isStacksAddress(value: string): boolean {
  return STACKS_ADDRESS.test(value)
}

/** `ADDRESS.contract-name`, as the Hiro Token Metadata API accepts it. */
export function isStacksContractPrincipal(value: string): boolean {
  const dot = value.indexOf('.')
  return dot > 0 && isStacksAddress(value.slice(0, dot)) && CLARITY_NAME.test(value.slice(dot + 1))
}

/** Why `address` cannot be a token contract on `chain`, or undefined when it can. */
export function contractAddressProblem(chain: string, address: string): string | undefined {
  const ns = chainNamespace(chain)
  if (ns === 'eip155') return isEvmAddress(address) ? undefined : `"${clip(address)}" is not an EVM address (0x followed by 40 hex digits)`
  if (ns === 'stacks') return isStacksContractPrincipal(address) ? undefined : `"${clip(address)}" is not a Stacks contract principal (ADDRESS.contract-name)`
  return `chain ${chain} is not supported`
}

/** Why `address` cannot hold tokens on `chain` (accounts may be contracts on Stacks). */
export function accountAddressProblem(chain: string, address: string): string | undefined {
  const ns = chainNamespace(chain)
  if (ns === 'eip155') return isEvmAddress(address) ? undefined : `"${clip(address)}" is not an EVM address (0x followed by 40 hex digits)`
  if (ns === 'stacks') return isStacksAddress(address) || isStacksContractPrincipal(address) ? undefined : `"${clip(address)}" is not a Stacks principal`
  return `chain ${chain} is not supported`
}

/** Contract id with the chain's address normalisation (EVM lowercase). */
export function contractIdOf(chain: string, address: string): string {
  return contractId(chain, address)
}

/** The canonical decimal form of a token id of `chain`, or a reason it is not one. */
export function checkTokenId(chain: string, value: unknown): { ok: true; tokenId: string } | { ok: false; problem: string } {
  return checkTokenIdIn(chainNamespace(chain), value)
}

/** The same check for any chain of a namespace: uint256 on EVM chains, uint128 (Clarity) on Stacks. */
export function checkTokenIdIn(namespace: string, value: unknown): { ok: true; tokenId: string } | { ok: false; problem: string } {
  const bits = namespace === 'stacks' ? 128 : 256
  if (typeof value !== 'string') return { ok: false, problem: `token id must be a decimal string, got ${typeof value}` }
  const id = parseTokenId(value, namespace === 'stacks' ? UINT128_MAX : UINT256_MAX)
  if (id === undefined) return { ok: false, problem: `token id "${clip(value)}" is not a non-negative decimal integer below 2^${bits} (no sign, leading zeros or exponent)` }
  return { ok: true, tokenId: id.toString(10) }
}

/** Free text that goes into SQL parameters: no NUL, bounded. */
export function textProblem(name: string, value: string, maxLength = 256): string | undefined {
  if (value.includes('\u0000')) return `${name} must not contain NUL characters`
  if (value.length > maxLength) return `${name} is longer than ${maxLength} characters`
  return undefined
}

/** Shortens user input quoted back in an error message. */
export function clip(value: string, max = 80): string {
  const s = value.replace(/[\u0000-\u001f]/g, '?')
  return s.length > max ? `${s.slice(0, max)}…` : s
}
