import type { StacksEventContext } from '../core/events'
import type { SqlExecutor } from './sql'

/** One kept event with the block and transaction context its decoding needs; `event` is the decoded event as JSON. */
export interface PendingEventRow extends StacksEventContext {
  eventIndex: number
  event: unknown
}

/**
 * Owner of `stacks_pending_event`: events kept until their contract's interface is known
 * (src/chains/stacks/pendingEvents.ts decides which; src/main/stacksNodeSource.ts keeps and replays them). Rows are written in the processor's batch transaction and
 * never depend on being rolled back: a row of a block that a reorg orphaned is ignored because
 * its block is no longer canonical in `stacks_node_block`, and a contract counts as pending only
 * while it has no `contract` row (that row is written, and rolled back, with the events applied).
 */

export async function keepPendingEvents(db: SqlExecutor, chain: string, events: readonly PendingEventRow[]): Promise<void> {
  if (events.length === 0) return
  await db.query(
    `INSERT INTO stacks_pending_event (chain, contract_id, index_block_hash, height, block_time, tx_id, tx_index, sender, event_index, event)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::int[], $8::text[], $9::int[], $10::jsonb[])
     ON CONFLICT DO NOTHING`,
    [
      chain,
      events.map((e) => e.contractId),
      events.map((e) => e.indexBlockHash),
      events.map((e) => e.height),
      events.map((e) => e.blockTime),
      events.map((e) => e.txId),
      events.map((e) => e.txIndex),
      events.map((e) => e.sender),
      events.map((e) => e.eventIndex),
      events.map((e) => JSON.stringify(e.event)),
    ],
  )
}

/** Contracts with kept events and no contract row yet. */
export async function pendingContracts(db: SqlExecutor, chain: string): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `SELECT DISTINCT p.contract_id AS id FROM stacks_pending_event p
      WHERE p.chain = $1 AND NOT EXISTS (SELECT 1 FROM contract c WHERE c.id = p.chain || ':' || p.contract_id)
      ORDER BY 1`,
    [chain],
  )
  return rows.map((r) => r.id)
}

/** Kept events of these contracts in canonical blocks below `belowHeight`, in chain order. */
export async function pendingEventsOf(db: SqlExecutor, chain: string, contractIds: readonly string[], belowHeight: number): Promise<PendingEventRow[]> {
  const rows: {
    contract_id: string
    index_block_hash: string
    height: number
    block_time: number
    tx_id: string
    tx_index: number
    sender: string
    event_index: number
    event: unknown
  }[] = await db.query(
    `SELECT p.contract_id, p.index_block_hash, p.height, p.block_time, p.tx_id, p.tx_index, p.sender, p.event_index, p.event
       FROM stacks_pending_event p
       JOIN stacks_node_block b ON b.chain = p.chain AND b.index_block_hash = p.index_block_hash AND b.canonical
      WHERE p.chain = $1 AND p.contract_id = ANY($2::text[]) AND p.height < $3
      ORDER BY p.height, p.tx_index, p.event_index`,
    [chain, contractIds, belowHeight],
  )
  return rows.map((r) => ({
    contractId: r.contract_id,
    indexBlockHash: r.index_block_hash,
    height: r.height,
    blockTime: r.block_time,
    txId: r.tx_id,
    txIndex: r.tx_index,
    sender: r.sender,
    eventIndex: r.event_index,
    event: r.event,
  }))
}

/** Drops the kept events of contracts that turned out not to be tokens. */
export async function dropPendingEvents(db: SqlExecutor, chain: string, contractIds: readonly string[]): Promise<void> {
  if (contractIds.length === 0) return
  await db.query(`DELETE FROM stacks_pending_event WHERE chain = $1 AND contract_id = ANY($2::text[])`, [chain, contractIds])
}

/** How many events are kept, for status and tests. */
export async function pendingEventCount(db: SqlExecutor, chain: string): Promise<number> {
  const [row]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM stacks_pending_event WHERE chain = $1`, [chain])
  return row.n
}
