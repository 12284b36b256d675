import { isCaip2 } from '../../core/ids'
import { checkTokenId, clip, contractIdOf, isEvmAddress } from '../validation'
import { WebrpcFailure } from './webrpcErrors'

/** Sequence's documented limits: 50 contracts per batch, 50 token ids per contract. */
export const MAX_CONTRACTS = 50
export const MAX_TOKENS_PER_CONTRACT = 50

/** One contract of a request: the address as the caller wrote it (the response key) and its token ids. */
export interface ContractRequest {
  key: string
  address: string
  contractId: string
  tokenIds: string[]
}

export interface MetadataRequest {
  chain: string
  /** EIP-155 chain id as a number (TokenMetadata.chainId). */
  chainNumber: number
  contracts: ContractRequest[]
}

type Json = Record<string, unknown>

export function parseGetTokenMetadata(body: unknown, knownChains: ReadonlySet<string>): MetadataRequest {
  const b = object(body)
  const { chain, chainNumber } = parseChain(b, knownChains)
  const address = requiredString(b, 'contractAddress')
  const tokenIds = stringArray(b.tokenIDs, 'tokenIDs', true)
  return { chain, chainNumber, contracts: [contractRequest(chain, address, tokenIds, 'tokenIDs')] }
}

export function parseGetTokenMetadataBatch(body: unknown, knownChains: ReadonlySet<string>): MetadataRequest {
  const b = object(body)
  const { chain, chainNumber } = parseChain(b, knownChains)
  if (b.contractTokenMap === undefined || b.contractTokenMap === null) throw new WebrpcFailure('RequiredArgument', 'contractTokenMap is required')
  if (typeof b.contractTokenMap !== 'object' || Array.isArray(b.contractTokenMap)) {
    throw new WebrpcFailure('WebrpcBadRequest', 'contractTokenMap must be an object of contract address to token id list')
  }
  const entries = Object.entries(b.contractTokenMap as Json)
  if (entries.length > MAX_CONTRACTS) {
    throw new WebrpcFailure('InvalidArgument', `contractTokenMap has ${entries.length} contracts; at most ${MAX_CONTRACTS} are allowed per request`)
  }
  const contracts = entries.map(([address, ids]) =>
    contractRequest(chain, address, stringArray(ids, `contractTokenMap["${clip(address, 50)}"]`, false), `contractTokenMap["${clip(address, 50)}"]`),
  )
  return { chain, chainNumber, contracts }
}

function object(body: unknown): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new WebrpcFailure('WebrpcBadRequest', 'request body must be a JSON object')
  return body as Json
}

function requiredString(b: Json, field: string): string {
  const v = b[field]
  if (v === undefined || v === null || v === '') throw new WebrpcFailure('RequiredArgument', `${field} is required`)
  if (typeof v !== 'string') throw new WebrpcFailure('WebrpcBadRequest', `${field} must be a string, got ${typeOf(v)}`)
  return v
}

function stringArray(v: unknown, field: string, optional: boolean): string[] {
  if ((v === undefined || v === null) && optional) return []
  if (!Array.isArray(v)) throw new WebrpcFailure('WebrpcBadRequest', `${field} must be an array of token id strings, got ${typeOf(v)}`)
  v.forEach((x, i) => {
    if (typeof x !== 'string') throw new WebrpcFailure('WebrpcBadRequest', `${field}[${i}] must be a string, got ${typeOf(x)}`)
  })
  return v as string[]
}

/** chainID as Sequence sends it ("1", "80002"); a CAIP-2 eip155 id is accepted too. */
function parseChain(b: Json, knownChains: ReadonlySet<string>): { chain: string; chainNumber: number } {
  const chain = sequenceChainOf(requiredString(b, 'chainID'), knownChains)
  return { chain, chainNumber: Number(chain.slice('eip155:'.length)) }
}

/** The CAIP-2 chain of a Sequence chainID ("1", "80002", or "eip155:1"); it must be indexed here. */
export function sequenceChainOf(chainId: string, knownChains: ReadonlySet<string>): string {
  const raw = chainId.trim()
  let chain: string | undefined
  if (/^[0-9]{1,19}$/.test(raw)) chain = `eip155:${BigInt(raw).toString()}`
  else if (isCaip2(raw) && raw.startsWith('eip155:')) chain = raw
  if (chain === undefined) throw new WebrpcFailure('ChainNotFound', `chainID "${clip(raw)}" is not an EVM chain id`)
  if (!knownChains.has(chain)) throw new WebrpcFailure('ChainNotFound', `chain ${chain} is not indexed by this service`)
  return chain
}

function contractRequest(chain: string, address: string, ids: string[], field: string): ContractRequest {
  if (!isEvmAddress(address)) throw new WebrpcFailure('InvalidArgument', `contract address "${clip(address)}" is not an EVM address (0x followed by 40 hex digits)`)
  if (ids.length > MAX_TOKENS_PER_CONTRACT) {
    throw new WebrpcFailure('InvalidArgument', `${field} has ${ids.length} token ids; at most ${MAX_TOKENS_PER_CONTRACT} are allowed per contract`)
  }
  const seen = new Set<string>()
  const tokenIds: string[] = []
  for (const id of ids) {
    const checked = checkTokenId(chain, id)
    if (!checked.ok) throw new WebrpcFailure('InvalidArgument', `${field}: ${checked.problem}`)
    if (!seen.has(checked.tokenId)) {
      seen.add(checked.tokenId)
      tokenIds.push(checked.tokenId)
    }
  }
  return { key: address, address: address.toLowerCase(), contractId: contractIdOf(chain, address), tokenIds }
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v
}
