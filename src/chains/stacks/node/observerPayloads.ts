/**
 * Bodies of the Stacks node's event-observer requests that the indexer reads (`/new_block`), as
 * stacks-node writes them (fields it does not read are left out). Hashes are `0x` hex.
 * Transactions of the parent's microblock stream that this block confirms are listed among the
 * block's transactions (with `microblock_hash` set) and their events among its events; microblocks
 * a block does not confirm (orphaned) never appear in any block.
 */
import type { ContractInterface } from '../apiTypes'

export interface NodeBlockMessage {
  block_hash: string
  block_height: number
  index_block_hash: string
  parent_index_block_hash: string
  parent_block_hash: string
  burn_block_height: number
  burn_block_time: number
  /** Nakamoto blocks carry their own time; earlier blocks take the burn block's */
  block_time?: number | null
  transactions: NodeTx[]
  events: NodeEvent[]
}

export interface NodeTx {
  txid: string
  tx_index: number
  /** `success`, `abort_by_response`, `abort_by_post_condition`, … */
  status: string
  /** `0x` + the serialized transaction */
  raw_tx: string
  contract_abi?: ContractInterface | null
  microblock_hash?: string | null
}

/** An event; the payload sits under the key named by `type` (e.g. `nft_mint_event`). */
export interface NodeEvent {
  txid: string
  event_index: number
  committed: boolean
  type: string
  [payload: string]: unknown
}

/** Clarity values come as `raw_value` hex (newer nodes) and/or `value` in structured JSON (older). */
export interface NodeClarityField {
  raw_value?: string | null
  value?: unknown
}

export interface NodeAssetEvent extends NodeClarityField {
  asset_identifier: string
  sender?: string
  recipient?: string
  amount?: string
}

export interface NodeContractEvent extends NodeClarityField {
  contract_identifier: string
  topic: string
}

export interface NodeStxEvent {
  amount?: string
  sender?: string
  recipient?: string
  memo?: string
  locked_amount?: string
  unlock_height?: number | string
  locked_address?: string
}
