import type { Logger } from 'pino'
import type { DataSource } from 'typeorm'
import type { ContractInterface } from '../chains/stacks/apiTypes'
import type { StacksBlock } from '../chains/stacks/blockSource'
import { NodeBlockSource } from '../chains/stacks/node/nodeBlockSource'
import { blocksOfPending, takePending, type PendingEvent } from '../chains/stacks/pendingEvents'
import { canonicalBlocks, canonicalTip, lowestStoredHeight } from '../store/stacksNodeBlocks'
import { dropPendingEvents, keepPendingEvents, pendingContracts, pendingEventsOf, type PendingEventRow } from '../store/stacksPendingEvents'
import type { SqlExecutor } from '../store/sql'
import type { StacksStandards } from './stacksStandards'

/**
 * `STACKS_SOURCE=node`: the processor reads the blocks the observer role (or an archive import)
 * stored. It starts at STACKS_START_HEIGHT or at the lowest stored block, whichever is higher
 * (a recording starts where it starts), and waits for a first block when nothing is stored yet.
 */
export async function openNodeSource(
  ds: DataSource,
  chain: string,
  startHeight: number,
  pollMs: number,
  log: Logger,
  signal: AbortSignal,
): Promise<{ source: NodeBlockSource; startHeight: number } | undefined> {
  let lowest = await lowestStoredHeight(ds, chain)
  if (lowest === undefined) log.info('no Stacks block stored yet: waiting for the event observer or an import')
  while (lowest === undefined) {
    await new Promise((r) => setTimeout(r, pollMs))
    if (signal.aborted) return undefined
    lowest = await lowestStoredHeight(ds, chain)
  }
  const source = new NodeBlockSource({
    tip: () => canonicalTip(ds, chain),
    blocks: (from, to) => canonicalBlocks(ds, chain, from, to),
  })
  return { source, startHeight: Math.max(startHeight, lowest) }
}

/** Interfaces the batch's deployments carry (the node's `contract_abi`). */
export function interfacesOf(blocks: readonly StacksBlock[]): Map<string, ContractInterface> {
  const out = new Map<string, ContractInterface>()
  for (const b of blocks) for (const tx of b.txs) if (tx.deployedContractId && tx.contractInterface) out.set(tx.deployedContractId, tx.contractInterface)
  return out
}

/**
 * Events of contracts deployed before the recording started, when no API is configured to give
 * their interface: kept (stacks_pending_event), and applied once an interface is known (a
 * restart with STACKS_API_URL), before the batch that learns it. Nothing is dropped unseen: each
 * kept contract is logged, and a contract the interface shows is not a token has its events
 * dropped with a log line.
 */
export class PendingEventFlow {
  /**
   * Kept events are looked for at the first batch, and again whenever a batch does not follow the
   * previous one: a rollback or a retried batch may have undone an application.
   */
  private lookForKept = true
  private lastHeight = -1

  constructor(
    private readonly chain: string,
    private readonly standards: StacksStandards,
    private readonly apiConfigured: boolean,
    private readonly log: Logger,
  ) {}

  /** Blocks of kept events whose contract can be resolved now, to decode before the batch. */
  async resolve(db: SqlExecutor, batchStart: number, batchEnd: number): Promise<StacksBlock[]> {
    if (batchStart <= this.lastHeight) this.lookForKept = true
    this.lastHeight = batchEnd
    if (!this.apiConfigured || !this.lookForKept) return []
    this.lookForKept = false
    const ids = await pendingContracts(db, this.chain)
    if (ids.length === 0) return []
    this.standards.forget(ids)
    await this.standards.prepare(db, ids)
    const tokens = ids.filter((id) => this.standards.get(id) !== undefined)
    const others = ids.filter((id) => this.standards.get(id) === undefined)
    if (others.length > 0) {
      await dropPendingEvents(db, this.chain, others)
      this.log.info({ contracts: others }, 'kept Stacks events dropped: their contracts are not token contracts')
    }
    if (tokens.length === 0) return []
    const events = (await pendingEventsOf(db, this.chain, tokens, batchStart)).map(fromRow)
    this.log.info({ contracts: tokens, events: events.length }, 'applying kept Stacks events: their contracts interfaces are known now')
    return blocksOfPending(events)
  }

  /** The blocks without the events of unresolved contracts; those are stored in the batch's transaction. */
  async keep(db: SqlExecutor, blocks: readonly StacksBlock[]): Promise<StacksBlock[]> {
    const kept: PendingEvent[] = []
    const out = blocks.map((b) => {
      const split = takePending(b, (id) => this.standards.isUnresolved(id))
      kept.push(...split.pending)
      return split.block
    })
    if (kept.length > 0) {
      await keepPendingEvents(db, this.chain, kept.map(toRow))
      const contracts = [...new Set(kept.map((k) => k.contractId))]
      this.log.info({ contracts, events: kept.length, from: blocks[0].height }, 'Stacks events kept until their contracts interfaces are known (set STACKS_API_URL)')
    }
    return out
  }
}

function toRow(p: PendingEvent): PendingEventRow {
  return { ...p, eventIndex: p.event.eventIndex }
}

/** A stored row back to the event it was (written by toRow from a StacksEvent). */
function fromRow(r: PendingEventRow): PendingEvent {
  const { eventIndex: _eventIndex, event, ...rest } = r
  return { ...rest, event: event as PendingEvent['event'] }
}
