/**
 * Identifiers (docs/architecture.md §2).
 * - chain: CAIP-2 (`eip155:1`, `stacks:1`)
 * - contract id: `<chain>:<address>` (EVM lowercase, Stacks `ADDR.name` as is)
 * - token id: `<contractId>:<tokenId>` with tokenId in decimal; never a JS number.
 */
export type ChainId = string

const CAIP2 = /^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/
export const UINT256_MAX = (1n << 256n) - 1n
export const UINT128_MAX = (1n << 128n) - 1n

export function isCaip2(value: string): boolean {
  return CAIP2.test(value)
}

export function chainNamespace(chain: ChainId): 'eip155' | 'stacks' | string {
  return chain.slice(0, chain.indexOf(':'))
}

export function isEvmChain(chain: ChainId): boolean {
  return chainNamespace(chain) === 'eip155'
}

export function normalizeAddress(chain: ChainId, address: string): string {
  return isEvmChain(chain) ? address.toLowerCase() : address
}

export function contractId(chain: ChainId, address: string): string {
  return `${chain}:${normalizeAddress(chain, address)}`
}

export function tokenKey(contract: string, tokenId: bigint | string): string {
  return `${contract}:${typeof tokenId === 'bigint' ? tokenId.toString(10) : tokenId}`
}

/** Splits `<chain>:<address>`; the chain itself contains one colon. */
export function parseContractId(id: string): { chain: ChainId; address: string } {
  const first = id.indexOf(':')
  const second = id.indexOf(':', first + 1)
  if (first < 0 || second < 0) throw new Error(`not a contract id: ${id}`)
  return { chain: id.slice(0, second), address: id.slice(second + 1) }
}

/**
 * Parses a decimal token id as a caller gives it. Returns undefined for anything that is not
 * a non-negative integer within `max` (leading zeros, signs, hex and exponents are rejected).
 */
export function parseTokenId(value: string, max: bigint = UINT256_MAX): bigint | undefined {
  if (!/^(0|[1-9][0-9]{0,77})$/.test(value)) return undefined
  const n = BigInt(value)
  return n <= max ? n : undefined
}
