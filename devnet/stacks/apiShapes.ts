/**
 * Translation from the simulator's records (and simnet's event-observer events) to the Stacks
 * Blockchain API's JSON shapes. Typed against the API client's schema, so the compiler checks
 * field names and types.
 */
import type { ClarityValue } from '@stacks/transactions'
import type { ClarityEvent } from '@stacks/clarinet-sdk'
import { clarityRepr, decodeClarityHex, toHexRepr } from '../../src/chains/stacks/clarity'
import type { ApiBlock, ApiTransaction, ApiTxEvent, ClarityHexRepr, NodeInfo, ApiStatus } from '../../src/chains/stacks/apiTypes'
import type { SimBlockRecord, SimTxRecord } from './simChain'

/** The simulator speaks for a testnet-like network (simnet accounts are `ST…` addresses). */
export const SIM_NETWORK_ID = 2147483648
const SIM_PARENT_NETWORK_ID = 118034699
const SERVER_VERSION = 'token-metadata-squid stacks simulator (clarinet-sdk simnet)'
/** The API's value for "not in a microblock". */
const NO_MICROBLOCK_SEQUENCE = 2147483647
const FEE_RATE = '2000'

export function hexRepr(cv: ClarityValue): ClarityHexRepr {
  return toHexRepr(cv)
}

export function hexReprFromHex(hex: string): ClarityHexRepr {
  const prefixed = (hex.startsWith('0x') ? hex : '0x' + hex).toLowerCase()
  return { hex: prefixed, repr: clarityRepr(decodeClarityHex(prefixed)) }
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString()
}

export function apiBlock(b: SimBlockRecord): ApiBlock {
  return {
    canonical: b.canonical,
    height: b.height,
    hash: b.hash,
    block_time: b.time,
    block_time_iso: iso(b.time),
    tenure_height: b.tenureHeight,
    index_block_hash: b.indexBlockHash,
    parent_block_hash: b.parentBlockHash,
    parent_index_block_hash: b.parentIndexBlockHash,
    burn_block_time: b.burnTime,
    burn_block_time_iso: iso(b.burnTime),
    burn_block_hash: b.burnHash,
    burn_block_height: b.burnHeight,
    miner_txid: b.minerTxid,
    tx_count: b.txs.length,
    execution_cost_read_count: 0,
    execution_cost_read_length: 0,
    execution_cost_runtime: 0,
    execution_cost_write_count: 0,
    execution_cost_write_length: 0,
  }
}

type TxOf<T extends ApiTransaction['tx_type']> = Extract<ApiTransaction, { tx_type: T }>
type TxCommon = Omit<TxOf<'contract_call'>, 'tx_type' | 'contract_call'>

/**
 * A mined transaction. `events` is what the route includes: block transaction lists carry none
 * (`event_count` still says how many there are), `/extended/v1/tx/...` carries a page of them.
 */
export function apiTx(tx: SimTxRecord, b: SimBlockRecord, events: ApiTxEvent[] = []): ApiTransaction {
  const common: TxCommon = {
    tx_id: tx.txId,
    nonce: tx.nonce,
    fee_rate: FEE_RATE,
    sender_address: tx.sender,
    sponsored: false,
    post_condition_mode: 'allow',
    post_conditions: [],
    anchor_mode: 'any',
    block_hash: b.hash,
    block_height: b.height,
    block_time: b.time,
    block_time_iso: iso(b.time),
    burn_block_time: b.burnTime,
    burn_block_height: b.burnHeight,
    burn_block_time_iso: iso(b.burnTime),
    parent_burn_block_time: b.burnTime,
    parent_burn_block_time_iso: iso(b.burnTime),
    canonical: b.canonical,
    tx_index: tx.index,
    tx_status: tx.status,
    tx_result: tx.result,
    event_count: tx.events.length,
    parent_block_hash: b.parentBlockHash,
    is_unanchored: false,
    microblock_hash: '0x',
    microblock_sequence: NO_MICROBLOCK_SEQUENCE,
    microblock_canonical: true,
    execution_cost_read_count: 0,
    execution_cost_read_length: 0,
    execution_cost_runtime: 0,
    execution_cost_write_count: 0,
    execution_cost_write_length: 0,
    vm_error: tx.vmError,
    events,
  }
  if (tx.call) {
    const contractCall: TxOf<'contract_call'> = {
      ...common,
      tx_type: 'contract_call',
      contract_call: {
        contract_id: tx.call.contractId,
        function_name: tx.call.functionName,
        function_signature: tx.call.functionSignature,
        function_args: tx.call.functionArgs,
      },
    }
    return contractCall
  }
  if (tx.deploy) {
    const deploy: TxOf<'smart_contract'> = {
      ...common,
      tx_type: 'smart_contract',
      smart_contract: {
        clarity_version: tx.deploy.clarityVersion,
        contract_id: tx.deploy.contractId,
        source_code: tx.deploy.sourceCode,
      },
    }
    return deploy
  }
  if (tx.stx) {
    const transfer: TxOf<'token_transfer'> = {
      ...common,
      tx_type: 'token_transfer',
      token_transfer: { recipient_address: tx.stx.recipient, amount: tx.stx.amount, memo: '0x' },
    }
    return transfer
  }
  throw new Error(`transaction ${tx.txId} has no payload`)
}

/**
 * One simnet (event-observer format) event as the API serves it. Simnet reports NFT values and
 * print values as `raw_value` hex; amounts as decimal strings.
 */
export function apiEventFromSimnet(e: ClarityEvent, txId: string, eventIndex: number): ApiTxEvent | undefined {
  const d = e.data
  const str = (key: string): string => (typeof d[key] === 'string' ? (d[key] as string) : '')
  const assetEventType = (kind: string): 'mint' | 'transfer' | 'burn' | undefined => (kind === 'mint' || kind === 'transfer' || kind === 'burn' ? kind : undefined)
  const match = /^(nft|ft|stx)_(mint|transfer|burn)_event$/.exec(e.event)
  if (e.event === 'print_event' || e.event === 'smart_contract_event') {
    return {
      event_index: eventIndex,
      event_type: 'smart_contract_log',
      tx_id: txId,
      contract_log: {
        contract_id: str('contract_identifier'),
        topic: str('topic') || 'print',
        value: hexReprFromHex(str('raw_value')),
      },
    }
  }
  if (match) {
    const kind = assetEventType(match[2] ?? '')
    if (!kind) return undefined
    if (match[1] === 'nft') {
      return {
        event_index: eventIndex,
        event_type: 'non_fungible_token_asset',
        tx_id: txId,
        asset: {
          asset_event_type: kind,
          asset_id: str('asset_identifier'),
          sender: str('sender'),
          recipient: str('recipient'),
          value: hexReprFromHex(str('raw_value')),
        },
      }
    }
    if (match[1] === 'ft') {
      return {
        event_index: eventIndex,
        event_type: 'fungible_token_asset',
        tx_id: txId,
        asset: {
          asset_event_type: kind,
          asset_id: str('asset_identifier'),
          sender: str('sender'),
          recipient: str('recipient'),
          amount: str('amount') || '0',
        },
      }
    }
    const memo = str('memo')
    return {
      event_index: eventIndex,
      event_type: 'stx_asset',
      tx_id: txId,
      asset: {
        asset_event_type: kind,
        sender: str('sender'),
        recipient: str('recipient'),
        amount: str('amount') || '0',
        ...(kind === 'transfer' && memo ? { memo: memo.startsWith('0x') ? memo : '0x' + memo } : {}),
      },
    }
  }
  if (e.event === 'stx_lock_event') {
    return {
      event_index: eventIndex,
      event_type: 'stx_lock',
      tx_id: txId,
      stx_lock_event: {
        locked_amount: str('locked_amount') || '0',
        unlock_height: Number(str('unlock_height') || 0),
        locked_address: str('locked_address'),
      },
    }
  }
  return undefined
}

export function apiStatus(tip: SimBlockRecord): ApiStatus {
  return {
    server_version: SERVER_VERSION,
    status: 'ready',
    chain_tip: {
      block_height: tip.height,
      block_hash: tip.hash,
      index_block_hash: tip.indexBlockHash,
      microblock_hash: '0x',
      microblock_sequence: 0,
      burn_block_height: tip.burnHeight,
    },
  }
}

export function nodeInfo(tip: SimBlockRecord): NodeInfo {
  const bare = (h: string): string => h.replace(/^0x/, '')
  const consensus = bare(tip.burnHash).slice(0, 40)
  return {
    peer_version: 4207599116,
    pox_consensus: consensus,
    burn_block_height: tip.burnHeight,
    stable_pox_consensus: consensus,
    stable_burn_block_height: Math.max(0, tip.burnHeight - 7),
    server_version: SERVER_VERSION,
    network_id: SIM_NETWORK_ID,
    parent_network_id: SIM_PARENT_NETWORK_ID,
    stacks_tip_height: tip.height,
    stacks_tip: bare(tip.hash),
    stacks_tip_consensus_hash: consensus,
    genesis_chainstate_hash: '0'.repeat(64),
    unanchored_tip: null,
    unanchored_seq: null,
    tenure_height: tip.tenureHeight,
    exit_at_block_height: null,
    is_fully_synced: true,
    node_public_key: '02' + '11'.repeat(32),
    node_public_key_hash: '11'.repeat(20),
    stackerdbs: [],
  }
}
