/**
 * Wire shapes of the Stacks Blockchain API (`/extended/...`, taken from the typed client's OpenAPI
 * schema so a field rename there breaks the build here) and of the Stacks node RPC routes the
 * client does not describe (`/v2/info`, `/v2/contracts/...`, written out by hand).
 *
 * Conventions of the real API kept by every shape: hashes and tx ids are `0x`-prefixed lowercase
 * hex; amounts are decimal strings (u128 does not fit a JS number); heights and counts are numbers;
 * Clarity values travel as `{ hex, repr }` (hex = `0x` + consensus serialization).
 */
import type { paths } from '@stacks/blockchain-api-client'

type JsonOf<R> = R extends { responses: { 200: { content: { 'application/json': infer J } } } } ? J : never
type GetJson<P extends keyof paths> = paths[P] extends { get: infer Op } ? JsonOf<Op> : never

/** `GET /extended` */
export type ApiStatus = GetJson<'/extended'>
/** `GET /extended/v2/blocks/:height_or_hash` */
export type ApiBlock = GetJson<'/extended/v2/blocks/{height_or_hash}'>
/** `GET /extended/v2/blocks` */
export type ApiBlockList = GetJson<'/extended/v2/blocks/'>
/** `GET /extended/v2/blocks/:height_or_hash/transactions` (transactions carry `events: []`) */
export type ApiBlockTransactions = GetJson<'/extended/v2/blocks/{height_or_hash}/transactions'>
/** A mined transaction as the API serves it (union over `tx_type`). */
export type ApiTransaction = ApiBlockTransactions['results'][number]
export type ApiTxType = ApiTransaction['tx_type']
export type ApiTxStatus = ApiTransaction['tx_status']
/** One transaction event (union over `event_type`). */
export type ApiTxEvent = ApiTransaction['events'][number]
export type ApiTxEventType = ApiTxEvent['event_type']
/** `GET /extended/v1/tx/multiple`: a map from tx id to `{found, result}`. */
export type ApiTxMultiple = GetJson<'/extended/v1/tx/multiple'>
export type ApiTxMultipleEntry = ApiTxMultiple[string]
/** `GET /extended/v1/tx/events` */
export type ApiTxEventsPage = GetJson<'/extended/v1/tx/events'>
/** `GET /extended/v1/contract/:contract_id` (`abi` is the contract interface as a JSON string). */
export type ApiContract = GetJson<'/extended/v1/contract/{contract_id}'>
/** Error body of the `/extended` routes. */
export interface ApiErrorBody {
  error: string
  message?: string
  [key: string]: unknown
}

/** A Clarity value as the API serializes it. */
export interface ClarityHexRepr {
  /** `0x` + consensus serialization */
  hex: string
  /** Clarity literal syntax, e.g. `u1`, `(tuple (a u1))`, `'ST1….name` */
  repr: string
}

/** Page size caps of the real API (requests above them get a 400). */
export const API_LIMITS = {
  blocks: { default: 20, max: 30 },
  blockTransactions: { default: 20, max: 50 },
  events: { default: 20, max: 100 },
} as const

// ---------------------------------------------------------------------------------------------
// Stacks node RPC (`/v2/...`): not in the typed client.

/** `GET /v2/info` (hashes here are hex WITHOUT `0x`, as the node answers). */
export interface NodeInfo {
  peer_version: number
  pox_consensus: string
  burn_block_height: number
  stable_pox_consensus: string
  stable_burn_block_height: number
  server_version: string
  network_id: number
  parent_network_id: number
  stacks_tip_height: number
  stacks_tip: string
  stacks_tip_consensus_hash: string
  genesis_chainstate_hash: string
  unanchored_tip: string | null
  unanchored_seq: number | null
  tenure_height: number
  exit_at_block_height: number | null
  is_fully_synced: boolean
  node_public_key: string
  node_public_key_hash: string
  stackerdbs: string[]
}

/** `POST /v2/contracts/call-read/:address/:name/:function` request body. */
export interface CallReadRequest {
  sender: string
  /** `0x`-prefixed serialized Clarity values */
  arguments: string[]
}

/** `POST /v2/contracts/call-read/...` response: `okay: false` when the call could not run. */
export type CallReadResponse = { okay: true; result: string } | { okay: false; cause: string }

/** Clarity type as the contract interface spells it. */
export type ClarityAbiType =
  | 'none'
  | 'int128'
  | 'uint128'
  | 'bool'
  | 'principal'
  | 'trait_reference'
  | { buffer: { length: number } }
  | { 'string-utf8': { length: number } }
  | { 'string-ascii': { length: number } }
  | { tuple: { name: string; type: ClarityAbiType }[] }
  | { optional: ClarityAbiType }
  | { response: { ok: ClarityAbiType; error: ClarityAbiType } }
  | { list: { type: ClarityAbiType; length: number } }

export interface ContractInterfaceFunction {
  name: string
  access: 'private' | 'public' | 'read_only'
  args: { name: string; type: ClarityAbiType }[]
  outputs: { type: ClarityAbiType }
}

/** `GET /v2/contracts/interface/:address/:name` (also the parsed `abi` of `/extended/v1/contract`). */
export interface ContractInterface {
  functions: ContractInterfaceFunction[]
  variables: { name: string; type: ClarityAbiType; access: 'constant' | 'variable' }[]
  maps: { name: string; key: ClarityAbiType; value: ClarityAbiType }[]
  fungible_tokens: { name: string }[]
  non_fungible_tokens: { name: string; type: ClarityAbiType }[]
  epoch: string
  clarity_version: string
}

/** Clarity type syntax for an interface type: `uint`, `(string-ascii 256)`, `(list 50 uint)`… */
export function clarityTypeSignature(type: ClarityAbiType): string {
  if (typeof type === 'string') {
    if (type === 'uint128') return 'uint'
    if (type === 'int128') return 'int'
    return type
  }
  if ('buffer' in type) return `(buff ${type.buffer.length})`
  if ('string-ascii' in type) return `(string-ascii ${type['string-ascii'].length})`
  if ('string-utf8' in type) return `(string-utf8 ${type['string-utf8'].length})`
  if ('optional' in type) return `(optional ${clarityTypeSignature(type.optional)})`
  if ('response' in type) {
    return `(response ${clarityTypeSignature(type.response.ok)} ${clarityTypeSignature(type.response.error)})`
  }
  if ('list' in type) return `(list ${type.list.length} ${clarityTypeSignature(type.list.type)})`
  return `(tuple ${type.tuple.map((f) => `(${f.name} ${clarityTypeSignature(f.type)})`).join(' ')})`
}
