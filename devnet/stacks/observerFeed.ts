/**
 * The simulator as a stacks-node with an `[[events_observer]]`: each block it records, replacement
 * blocks of a fork included, is posted to the observer as `/new_block`, in order, and sent again
 * until the observer answers 200, as the node does (nothing newer is sent meanwhile). Bodies have
 * the node's shape: serialized transactions (`raw_tx`, unsigned: the simulator has no keys, and the
 * indexer reads only the sender's hash, the payload and the id given beside it), `contract_abi` on
 * deployments, block-wide `event_index`, Clarity values as `raw_value` hex.
 */
import {
  AddressHashMode,
  ClarityVersion,
  createAddress,
  createContractCallPayload,
  createMessageSignature,
  createSmartContractPayload,
  createStandardAuth,
  createTokenTransferPayload,
  PubKeyEncoding,
  StacksTransactionWire,
  type PayloadWire,
} from '@stacks/transactions'
import type { ApiTxEvent, ContractInterface } from '../../src/chains/stacks/apiTypes'
import type { NodeBlockMessage, NodeEvent, NodeTx } from '../../src/chains/stacks/node/observerPayloads'
import type { SimBlockRecord, SimTxRecord } from './simChain'

const RETRY_MS = 200

export class ObserverFeed {
  private queue: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly url: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Queues the block; posts happen one at a time, in the order sent. */
  send(block: SimBlockRecord, interfaces: ReadonlyMap<string, ContractInterface>): void {
    const body = JSON.stringify(nodeBlockMessage(block, interfaces))
    this.queue = this.queue.then(() => this.deliver(body))
  }

  /** Resolves once every queued block was accepted. */
  drained(): Promise<void> {
    return this.queue
  }

  stop(): void {
    this.stopped = true
  }

  /** Reports the first failure of an outage (not every retry); `failing` is cleared by a success. */
  private failing = false

  private async deliver(body: string): Promise<void> {
    while (!this.stopped) {
      let failure: unknown
      try {
        const res = await fetch(`${this.url.replace(/\/+$/, '')}/new_block`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        await res.arrayBuffer()
        if (res.ok) {
          this.failing = false
          return
        }
        failure = new Error(`observer answered ${res.status}`)
      } catch (e) {
        failure = e
      }
      if (!this.failing) this.onError(failure)
      this.failing = true
      await new Promise((r) => setTimeout(r, RETRY_MS))
    }
  }
}

export function nodeBlockMessage(block: SimBlockRecord, interfaces: ReadonlyMap<string, ContractInterface>): NodeBlockMessage {
  const events: NodeEvent[] = []
  const transactions: NodeTx[] = block.txs.map((tx) => {
    for (const e of tx.events) {
      const ne = nodeEvent(e, events.length)
      if (ne) events.push(ne)
    }
    const contractId = tx.deploy?.contractId
    return {
      txid: tx.txId,
      tx_index: tx.index,
      status: tx.status,
      raw_tx: '0x' + rawTx(tx),
      contract_abi: contractId && tx.status === 'success' ? (interfaces.get(contractId) ?? null) : null,
      microblock_hash: null,
    }
  })
  return {
    block_hash: block.hash,
    block_height: block.height,
    index_block_hash: block.indexBlockHash,
    parent_index_block_hash: block.parentIndexBlockHash,
    parent_block_hash: block.parentBlockHash,
    burn_block_height: block.burnHeight,
    burn_block_time: block.burnTime,
    block_time: block.time,
    transactions,
    events,
  }
}

function rawTx(tx: SimTxRecord): string {
  const addr = createAddress(tx.sender)
  const auth = createStandardAuth({
    hashMode: AddressHashMode.P2PKH,
    signer: addr.hash160,
    nonce: BigInt(tx.nonce),
    fee: 0n,
    keyEncoding: PubKeyEncoding.Compressed,
    signature: createMessageSignature('00'.repeat(65)),
  })
  const wire = new StacksTransactionWire({ auth, payload: payloadOf(tx), network: 'testnet' })
  return wire.serialize()
}

function payloadOf(tx: SimTxRecord): PayloadWire {
  const spec = tx.spec
  if (spec.type === 'call') {
    const [address, name] = (tx.call?.contractId ?? spec.contract).split('.')
    return createContractCallPayload(address, name, spec.fn, spec.args)
  }
  if (spec.type === 'deploy') {
    return createSmartContractPayload(spec.name, spec.source, spec.clarityVersion as ClarityVersion)
  }
  return createTokenTransferPayload(spec.recipient, spec.amount)
}

function nodeEvent(e: ApiTxEvent, eventIndex: number): NodeEvent | undefined {
  const base = { txid: e.tx_id, event_index: eventIndex, committed: true }
  switch (e.event_type) {
    case 'smart_contract_log':
      return {
        ...base,
        type: 'contract_event',
        contract_event: { contract_identifier: e.contract_log.contract_id, topic: e.contract_log.topic, raw_value: e.contract_log.value.hex },
      }
    case 'non_fungible_token_asset': {
      const type = `nft_${e.asset.asset_event_type}_event`
      return { ...base, type, [type]: { asset_identifier: e.asset.asset_id, sender: e.asset.sender, recipient: e.asset.recipient, raw_value: e.asset.value.hex } }
    }
    case 'fungible_token_asset': {
      const type = `ft_${e.asset.asset_event_type}_event`
      return { ...base, type, [type]: { asset_identifier: e.asset.asset_id, sender: e.asset.sender, recipient: e.asset.recipient, amount: e.asset.amount } }
    }
    case 'stx_asset': {
      const type = `stx_${e.asset.asset_event_type}_event`
      return { ...base, type, [type]: { sender: e.asset.sender, recipient: e.asset.recipient, amount: e.asset.amount } }
    }
    default:
      return undefined
  }
}
