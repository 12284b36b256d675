/**
 * A stored `/new_block` body to the processor's StacksBlock, the shape the API source yields, so
 * the same decoding, fork handling and ingest run on both sources.
 *
 * - Transactions: sender, kind, called contract and deployed contract come from `raw_tx`
 *   (deserialized); failed ones are listed in `failedTxIds` and their events dropped, as the API
 *   serves no events for them. Confirmed microblock transactions are part of the block that
 *   confirms them (the API's view); orphaned microblocks are in no block.
 * - A deployment carries its contract interface (`contract_abi`), so standards are detected
 *   without asking an API.
 * - Clarity values: `raw_value` hex, else the older structured JSON (clarityJson.ts).
 * - Events keep the node's `event_index` (unique within the block).
 */
import { addressFromVersionHash, addressHashModeToVersion, addressToString, deserializeTransaction, PayloadType, serializeCV } from '@stacks/transactions'
import type { ClarityHexRepr } from '../apiTypes'
import type { StacksBlock, StacksEvent, StacksTx, StacksTxKind } from '../blockSource'
import { clarityRepr, decodeClarityHex, uintFromHex } from '../clarity'
import { clarityFromJson } from './clarityJson'
import type { NodeAssetEvent, NodeBlockMessage, NodeClarityField, NodeContractEvent, NodeEvent, NodeStxEvent, NodeTx } from './observerPayloads'

export class NodePayloadError extends Error {}

/** The header fields the store indexes, checked; throws NodePayloadError on a malformed body. */
export function blockHeaderOf(body: unknown): { indexBlockHash: string; blockHash: string; height: number; parentIndexBlockHash: string } {
  const b = body as Partial<NodeBlockMessage> | null
  if (!b || typeof b !== 'object') throw new NodePayloadError('/new_block body is not a JSON object')
  if (!isHash(b.index_block_hash)) throw new NodePayloadError('/new_block without a 0x index_block_hash')
  if (!isHash(b.block_hash)) throw new NodePayloadError('/new_block without a 0x block_hash')
  if (!isHash(b.parent_index_block_hash)) throw new NodePayloadError('/new_block without a 0x parent_index_block_hash')
  if (!Number.isSafeInteger(b.block_height) || (b.block_height as number) < 0) throw new NodePayloadError('/new_block without a block_height')
  if (!Array.isArray(b.transactions) || !Array.isArray(b.events)) throw new NodePayloadError('/new_block without transactions and events')
  return {
    indexBlockHash: b.index_block_hash.toLowerCase(),
    blockHash: b.block_hash.toLowerCase(),
    height: b.block_height as number,
    parentIndexBlockHash: b.parent_index_block_hash.toLowerCase(),
  }
}

function isHash(v: unknown): v is string {
  return typeof v === 'string' && /^0x[0-9a-fA-F]{64}$/.test(v)
}

export function parseNewBlock(b: NodeBlockMessage): StacksBlock {
  const header = blockHeaderOf(b)
  const eventsByTx = new Map<string, NodeEvent[]>()
  for (const e of b.events) {
    if (e.committed === false) continue
    const list = eventsByTx.get(e.txid)
    if (list) list.push(e)
    else eventsByTx.set(e.txid, [e])
  }
  const txs: StacksTx[] = []
  const failedTxIds: string[] = []
  for (const tx of [...b.transactions].sort((x, y) => x.tx_index - y.tx_index)) {
    if (tx.status !== 'success') {
      failedTxIds.push(tx.txid)
      continue
    }
    const events = (eventsByTx.get(tx.txid) ?? []).sort((x, y) => x.event_index - y.event_index)
    txs.push(toTx(tx, events))
  }
  return {
    height: header.height,
    hash: header.blockHash,
    indexBlockHash: header.indexBlockHash,
    parentIndexBlockHash: header.parentIndexBlockHash,
    parentBlockHash: b.parent_block_hash,
    timestamp: b.block_time ?? b.burn_block_time,
    burnBlockHeight: b.burn_block_height,
    txCount: b.transactions.length,
    txs,
    failedTxIds,
  }
}

function toTx(tx: NodeTx, events: NodeEvent[]): StacksTx {
  const decoded = decodeTx(tx)
  const out: StacksTx = {
    txId: tx.txid,
    index: tx.tx_index,
    sender: decoded.sender,
    status: 'success',
    kind: decoded.kind,
    events: events.map(toStacksEvent).filter((e): e is StacksEvent => e !== undefined),
  }
  if (decoded.contractCall) out.contractCall = decoded.contractCall
  if (decoded.deployedContractId) {
    out.deployedContractId = decoded.deployedContractId
    if (tx.contract_abi) out.contractInterface = tx.contract_abi
  }
  return out
}

interface DecodedTx {
  sender: string
  kind: StacksTxKind
  contractCall?: { contractId: string; functionName: string }
  deployedContractId?: string
}

function decodeTx(tx: NodeTx): DecodedTx {
  let wire: ReturnType<typeof deserializeTransaction>
  try {
    wire = deserializeTransaction(tx.raw_tx.startsWith('0x') ? tx.raw_tx.slice(2) : tx.raw_tx)
  } catch (e) {
    throw new NodePayloadError(`transaction ${tx.txid}: raw_tx does not deserialize: ${(e as Error).message}`)
  }
  const cond = wire.auth.spendingCondition
  // transaction version 0x00 is mainnet, 0x80 testnet (regtest and devnets included)
  const network = wire.transactionVersion === 0 ? 'mainnet' : 'testnet'
  const sender = addressOf(addressHashModeToVersion(cond.hashMode, network), cond.signer)
  const p = wire.payload
  switch (p.payloadType) {
    case PayloadType.ContractCall:
      return {
        sender,
        kind: 'contract_call',
        contractCall: { contractId: `${addressOf(p.contractAddress.version, p.contractAddress.hash160)}.${p.contractName.content}`, functionName: p.functionName.content },
      }
    case PayloadType.SmartContract:
    case PayloadType.VersionedSmartContract:
      return { sender, kind: 'smart_contract', deployedContractId: `${sender}.${p.contractName.content}` }
    case PayloadType.TokenTransfer:
      return { sender, kind: 'token_transfer' }
    case PayloadType.PoisonMicroblock:
      return { sender, kind: 'poison_microblock' }
    case PayloadType.TenureChange:
      return { sender, kind: 'tenure_change' }
    default:
      return { sender, kind: 'coinbase' }
  }
}

/** c32 addresses (a checksum hash each) of recent signers and contracts: the same ones recur block after block. */
const ADDRESSES = new Map<string, string>()
const ADDRESS_CACHE_SIZE = 50_000

function addressOf(version: number, hash160: string): string {
  const key = `${version}:${hash160}`
  let address = ADDRESSES.get(key)
  if (address === undefined) {
    address = addressToString(addressFromVersionHash(version, hash160))
    if (ADDRESSES.size >= ADDRESS_CACHE_SIZE) ADDRESSES.clear()
    ADDRESSES.set(key, address)
  }
  return address
}

function hexOf(f: NodeClarityField): string {
  if (typeof f.raw_value === 'string' && f.raw_value.length > 0) return f.raw_value.startsWith('0x') ? f.raw_value : '0x' + f.raw_value
  if (f.value === undefined) throw new NodePayloadError('Clarity value with neither raw_value nor value')
  return '0x' + serializeCV(clarityFromJson(f.value))
}

/** `repr` of anything but a uint is worked out when read: decoding does not need it. */
function hexRepr(hex: string): ClarityHexRepr {
  const id = uintFromHex(hex)
  if (id !== undefined) return { hex, repr: `u${id}` }
  let repr: string | undefined
  return {
    hex,
    get repr(): string {
      repr ??= clarityRepr(decodeClarityHex(hex))
      return repr
    },
  }
}

function splitAsset(assetId: string): { contractId: string; assetName: string } {
  const at = assetId.indexOf('::')
  return at < 0 ? { contractId: assetId, assetName: '' } : { contractId: assetId.slice(0, at), assetName: assetId.slice(at + 2) }
}

/** Node event -> StacksEvent; undefined for event types the processor does not read. */
export function toStacksEvent(e: NodeEvent): StacksEvent | undefined {
  const base = { txId: e.txid, eventIndex: e.event_index }
  const body = e[e.type]
  switch (e.type) {
    case 'nft_mint_event':
    case 'nft_transfer_event':
    case 'nft_burn_event': {
      const a = body as NodeAssetEvent
      const tokenValue = hexRepr(hexOf(a))
      const tokenId = uintFromHex(tokenValue.hex)
      const nft = { ...base, assetIdentifier: a.asset_identifier, ...splitAsset(a.asset_identifier), tokenValue, ...(tokenId !== undefined ? { tokenId } : {}) }
      if (e.type === 'nft_mint_event') return { ...nft, type: 'nft_mint', recipient: a.recipient! }
      if (e.type === 'nft_burn_event') return { ...nft, type: 'nft_burn', sender: a.sender! }
      return { ...nft, type: 'nft_transfer', sender: a.sender!, recipient: a.recipient! }
    }
    case 'ft_mint_event':
    case 'ft_transfer_event':
    case 'ft_burn_event': {
      const a = body as NodeAssetEvent
      const ft = { ...base, assetIdentifier: a.asset_identifier, ...splitAsset(a.asset_identifier), amount: String(a.amount) }
      if (e.type === 'ft_mint_event') return { ...ft, type: 'ft_mint', recipient: a.recipient! }
      if (e.type === 'ft_burn_event') return { ...ft, type: 'ft_burn', sender: a.sender! }
      return { ...ft, type: 'ft_transfer', sender: a.sender!, recipient: a.recipient! }
    }
    case 'contract_event': {
      const c = body as NodeContractEvent
      return { ...base, type: 'print', contractId: c.contract_identifier, topic: c.topic, value: hexRepr(hexOf(c)) }
    }
    case 'stx_mint_event': {
      const s = body as NodeStxEvent
      return { ...base, type: 'stx_mint', amount: String(s.amount), recipient: s.recipient! }
    }
    case 'stx_burn_event': {
      const s = body as NodeStxEvent
      return { ...base, type: 'stx_burn', amount: String(s.amount), sender: s.sender! }
    }
    case 'stx_transfer_event': {
      const s = body as NodeStxEvent
      return { ...base, type: 'stx_transfer', amount: String(s.amount), sender: s.sender!, recipient: s.recipient!, ...(s.memo ? { memo: s.memo } : {}) }
    }
    case 'stx_lock_event': {
      const s = body as NodeStxEvent
      return { ...base, type: 'stx_lock', amount: String(s.locked_amount), unlockHeight: Number(s.unlock_height), lockedAddress: s.locked_address! }
    }
    default:
      return undefined
  }
}
