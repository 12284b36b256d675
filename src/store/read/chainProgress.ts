import type { ReadDb } from './readDb'

/** What processes recorded about a chain (chain_head, processor_heartbeat); ages by the database clock. */
export interface ChainProgress {
  chain: string
  chainHeight: number | null
  chainHeightAt: Date | null
  chainHeightBy: string | null
  processorStartedAt: Date | null
  processorLastSeenAt: Date | null
  /** Seconds since the processor's last heartbeat. */
  processorSilentSeconds: number | null
  newestBlockHeight: number | null
  newestBlockTime: Date | null
  /** Seconds from the newest indexed block's timestamp to now. */
  newestBlockAgeSeconds: number | null
  blocksPerSecond: number | null
}

interface Row {
  chain: string
  height: string | null
  observed_at: Date | null
  observed_by: string | null
  started_at: Date | null
  last_seen_at: Date | null
  silent: number | null
  newest_block_height: string | null
  newest_block_time: Date | null
  block_age: number | null
  blocks_per_second: number | null
}

/** Both tables hold one row per chain: one statement, whatever the table sizes. */
const SQL = `
SELECT coalesce(h.chain, b.chain) AS chain, h.height::text AS height, h.observed_at, h.observed_by,
       b.started_at, b.last_seen_at, greatest(0, extract(epoch FROM now() - b.last_seen_at))::float8 AS silent,
       b.newest_block_height::text AS newest_block_height, b.newest_block_time,
       greatest(0, extract(epoch FROM now() - b.newest_block_time))::float8 AS block_age, b.blocks_per_second
  FROM chain_head h FULL JOIN processor_heartbeat b ON b.chain = h.chain`

export async function chainProgress(db: ReadDb): Promise<Map<string, ChainProgress>> {
  const rows = await db.query<Row>(SQL)
  const num = (v: string | null) => (v === null ? null : Number(v))
  return new Map(
    rows.map((r) => [
      r.chain,
      {
        chain: r.chain,
        chainHeight: num(r.height),
        chainHeightAt: r.observed_at,
        chainHeightBy: r.observed_by,
        processorStartedAt: r.started_at,
        processorLastSeenAt: r.last_seen_at,
        processorSilentSeconds: r.silent,
        newestBlockHeight: num(r.newest_block_height),
        newestBlockTime: r.newest_block_time,
        newestBlockAgeSeconds: r.block_age,
        blocksPerSecond: r.blocks_per_second,
      },
    ]),
  )
}
