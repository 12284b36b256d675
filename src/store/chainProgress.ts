import type { SqlExecutor } from './sql'

/** Who saw a chain head: `processor` or `worker` (kept on the row, for diagnosing a head that looks wrong). */
export type HeadObserver = 'processor' | 'worker'

/** Records the newest block height seen on a chain's node (database clock; last writer wins). */
export async function recordChainHead(db: SqlExecutor, chain: string, height: number, by: HeadObserver): Promise<void> {
  await db.query(
    `INSERT INTO chain_head (chain, height, observed_at, observed_by) VALUES ($1, $2, now(), $3)
     ON CONFLICT (chain) DO UPDATE SET height = excluded.height, observed_at = excluded.observed_at, observed_by = excluded.observed_by`,
    [chain, height, by],
  )
}

export interface ProcessorBeat {
  chain: string
  startedAt: Date
  /** Newest block the processor applied (final or hot), with its block timestamp. */
  newestBlock: { height: number; time: Date } | null
  /** Blocks per second over the recent batches while behind the head; null at the head. */
  blocksPerSecond: number | null
}

/** The processor's heartbeat (database clock): alive now, and where it is. */
export async function recordProcessorBeat(db: SqlExecutor, beat: ProcessorBeat): Promise<void> {
  await db.query(
    `INSERT INTO processor_heartbeat (chain, started_at, last_seen_at, newest_block_height, newest_block_time, blocks_per_second)
     VALUES ($1, $2, now(), $3, $4, $5)
     ON CONFLICT (chain) DO UPDATE SET started_at = excluded.started_at, last_seen_at = excluded.last_seen_at,
       newest_block_height = coalesce(excluded.newest_block_height, processor_heartbeat.newest_block_height),
       newest_block_time = coalesce(excluded.newest_block_time, processor_heartbeat.newest_block_time),
       blocks_per_second = excluded.blocks_per_second`,
    [beat.chain, beat.startedAt, beat.newestBlock?.height ?? null, beat.newestBlock?.time ?? null, beat.blocksPerSecond],
  )
}

/** Drops what was recorded for these chains (`npm run dev` starts its local chains afresh). */
export async function forgetChainProgress(db: SqlExecutor, chains: readonly string[]): Promise<void> {
  await db.query(`DELETE FROM chain_head WHERE chain = ANY($1)`, [chains])
  await db.query(`DELETE FROM processor_heartbeat WHERE chain = ANY($1)`, [chains])
}
