/**
 * Events of contracts whose interface is not known yet (deployed before the recording starts,
 * with no API configured to ask): they are taken out of their block before decoding and kept,
 * with the block and transaction context decoding needs, until the interface is known; then they
 * are decoded as if their blocks were read again. Only events a token standard could claim are
 * kept: NFT and FT asset events, and prints shaped like SIP-013 movements (other prints of an
 * unknown contract, SIP-019 notices included, do not depend on the emitter's standard).
 */
import { ClarityType } from '@stacks/transactions'
import type { StacksEventContext } from '../../core/events'
import type { StacksBlock, StacksEvent, StacksTx } from './blockSource'
import { decodeClarityHex } from './clarity'

export interface PendingEvent extends StacksEventContext {
  event: StacksEvent
}

/** The block without the events of unresolved contracts, and those events. */
export function takePending(block: StacksBlock, unresolved: (contractId: string) => boolean): { block: StacksBlock; pending: PendingEvent[] } {
  const pending: PendingEvent[] = []
  const txs = block.txs.map((tx) => {
    const kept: StacksEvent[] = []
    for (const e of tx.events) {
      const contractId = claimant(e)
      if (contractId !== undefined && unresolved(contractId)) pending.push(pendingOf(block, tx, contractId, e))
      else kept.push(e)
    }
    return kept.length === tx.events.length ? tx : { ...tx, events: kept }
  })
  return pending.length === 0 ? { block, pending } : { block: { ...block, txs }, pending }
}

/** The contract whose standard decides what the event means, if any. */
function claimant(e: StacksEvent): string | undefined {
  switch (e.type) {
    case 'nft_mint':
    case 'nft_transfer':
    case 'nft_burn':
    case 'ft_mint':
    case 'ft_transfer':
    case 'ft_burn':
      return e.contractId
    case 'print':
      return isSftPrint(e.value.hex) ? e.contractId : undefined
    default:
      return undefined
  }
}

function isSftPrint(hex: string): boolean {
  try {
    const cv = decodeClarityHex(hex)
    if (cv.type !== ClarityType.Tuple) return false
    const t = cv.value.type
    return t !== undefined && t.type === ClarityType.StringASCII && t.value.startsWith('sft_')
  } catch {
    return false
  }
}

function pendingOf(block: StacksBlock, tx: StacksTx, contractId: string, event: StacksEvent): PendingEvent {
  return { contractId, indexBlockHash: block.indexBlockHash, height: block.height, blockTime: block.timestamp, txId: tx.txId, txIndex: tx.index, sender: tx.sender, event }
}

/** Kept events back into (partial) blocks, in chain order, ready for decodeBlock. */
export function blocksOfPending(events: readonly PendingEvent[]): StacksBlock[] {
  const sorted = [...events].sort((a, b) => a.height - b.height || a.txIndex - b.txIndex || a.event.eventIndex - b.event.eventIndex)
  const blocks: StacksBlock[] = []
  for (const p of sorted) {
    let block = blocks[blocks.length - 1]
    if (!block || block.indexBlockHash !== p.indexBlockHash) {
      block = {
        height: p.height,
        hash: '',
        indexBlockHash: p.indexBlockHash,
        parentIndexBlockHash: '',
        parentBlockHash: '',
        timestamp: p.blockTime,
        burnBlockHeight: 0,
        txCount: 0,
        txs: [],
        failedTxIds: [],
      }
      blocks.push(block)
    }
    let tx = block.txs[block.txs.length - 1]
    if (!tx || tx.txId !== p.txId) {
      tx = { txId: p.txId, index: p.txIndex, sender: p.sender, status: 'success', kind: 'contract_call', events: [] }
      block.txs.push(tx)
    }
    tx.events.push(p.event)
  }
  return blocks
}
