/**
 * The simulator's record of its chain: every block it has produced (canonical or orphaned), the
 * transactions in them with their already-translated events, and indexes the HTTP facade reads.
 * Pure bookkeeping: it never touches simnet.
 *
 * Invariants:
 * - `canonical[i]` is the canonical block at height `i + 1` (heights start at 1, as simnet's do);
 *   its `parentIndexBlockHash` is the `indexBlockHash` of `canonical[i - 1]`.
 * - Orphaned blocks stay reachable by hash (with `canonical: false`), never by height.
 * - Tx ids are never reused, not even across forks (a replacement block gets fresh transactions).
 */
import type { ClarityValue } from '@stacks/transactions'
import type { ApiTxEvent, ClarityHexRepr } from '../../src/chains/stacks/apiTypes'

/** What a transaction asks for; kept so a fork can replay the canonical chain into a new session. */
export type SimTxSpec =
  | { type: 'call'; contract: string; fn: string; args: ClarityValue[]; sender: string }
  | { type: 'deploy'; name: string; source: string; sender: string; clarityVersion: number }
  | { type: 'stx'; amount: bigint; recipient: string; sender: string }

/** How a block was produced, for replay. */
export type SimBlockOp =
  | { kind: 'genesis' }
  /** `single`: mined by a direct simnet call; otherwise by `simnet.mineBlock` */
  | { kind: 'txs'; single: boolean }
  /** `burn`: a new burn block (tenure) came with it */
  | { kind: 'empty'; burn: boolean }

export interface SimContractCall {
  contractId: string
  functionName: string
  functionSignature: string
  functionArgs: { hex: string; repr: string; name: string; type: string }[]
}

export interface SimTxRecord {
  txId: string
  index: number
  nonce: number
  sender: string
  spec: SimTxSpec
  status: 'success' | 'abort_by_response'
  result: ClarityHexRepr
  /** set when the transaction hit a runtime error (it is mined, and aborted) */
  vmError: string | null
  events: ApiTxEvent[]
  call?: SimContractCall
  deploy?: { contractId: string; sourceCode: string; clarityVersion: number }
  stx?: { recipient: string; amount: string }
}

export interface SimBlockRecord {
  height: number
  hash: string
  indexBlockHash: string
  parentBlockHash: string
  parentIndexBlockHash: string
  /** unix seconds */
  time: number
  burnHeight: number
  burnHash: string
  burnTime: number
  tenureHeight: number
  minerTxid: string
  canonical: boolean
  txs: SimTxRecord[]
  op: SimBlockOp
}

export interface SimContractRecord {
  contractId: string
  txId: string
  blockHeight: number
  sourceCode: string
  clarityVersion: number
}

export const ZERO_HASH = '0x' + '0'.repeat(64)

export class SimChain {
  private readonly canonical: SimBlockRecord[] = []
  private readonly byHash = new Map<string, SimBlockRecord>()
  private readonly txIndex = new Map<string, { tx: SimTxRecord; block: SimBlockRecord }>()
  private readonly contractIndex = new Map<string, SimContractRecord>()
  private readonly nonces = new Map<string, number>()

  get tip(): SimBlockRecord {
    const tip = this.canonical[this.canonical.length - 1]
    if (!tip) throw new Error('the simulated chain has no blocks yet')
    return tip
  }

  get height(): number {
    return this.canonical.length
  }

  append(block: SimBlockRecord): void {
    const expected = this.canonical.length + 1
    if (block.height !== expected) throw new Error(`block ${block.height} appended at height ${expected}`)
    const parent = this.canonical[this.canonical.length - 1]
    const parentIndex = parent ? parent.indexBlockHash : ZERO_HASH
    if (block.parentIndexBlockHash !== parentIndex) throw new Error(`block ${block.height} does not extend the tip`)
    this.canonical.push(block)
    this.byHash.set(block.hash, block)
    this.byHash.set(block.indexBlockHash, block)
    for (const tx of block.txs) {
      this.txIndex.set(tx.txId, { tx, block })
      this.nonces.set(tx.sender, tx.nonce + 1)
      if (tx.deploy && tx.status === 'success') {
        this.contractIndex.set(tx.deploy.contractId, {
          contractId: tx.deploy.contractId,
          txId: tx.txId,
          blockHeight: block.height,
          sourceCode: tx.deploy.sourceCode,
          clarityVersion: tx.deploy.clarityVersion,
        })
      }
    }
  }

  /** Canonical block at a height, or undefined. */
  at(height: number): SimBlockRecord | undefined {
    return Number.isInteger(height) && height >= 1 ? this.canonical[height - 1] : undefined
  }

  /** Any block (canonical or orphaned) by block hash or index block hash, `0x` optional. */
  findByHash(hash: string): SimBlockRecord | undefined {
    return this.byHash.get(normalizeHash(hash))
  }

  findTx(txId: string): { tx: SimTxRecord; block: SimBlockRecord } | undefined {
    return this.txIndex.get(normalizeHash(txId))
  }

  /** Successfully deployed contract on the canonical chain. */
  contract(contractId: string): SimContractRecord | undefined {
    return this.contractIndex.get(contractId)
  }

  nextNonce(sender: string): number {
    return this.nonces.get(sender) ?? 0
  }

  /** Canonical blocks from `from` to `to` inclusive. */
  range(from: number, to: number): SimBlockRecord[] {
    return this.canonical.slice(Math.max(0, from - 1), Math.max(0, to))
  }

  /**
   * Takes the blocks above `height` off the canonical chain (they stay reachable by hash, marked
   * non-canonical) and recomputes what depends on the canonical chain (nonces, contracts).
   */
  orphanAbove(height: number): SimBlockRecord[] {
    const orphaned = this.canonical.splice(height)
    for (const block of orphaned) block.canonical = false
    this.nonces.clear()
    this.contractIndex.clear()
    const kept = this.canonical.splice(0)
    for (const block of kept) this.append(block)
    return orphaned
  }
}

export function normalizeHash(hash: string): string {
  const lower = hash.toLowerCase()
  return lower.startsWith('0x') ? lower : '0x' + lower
}
