import type { ReadDb } from './readDb'

/** Jobs finished per minute (job_stat_minute, written by the workers), per chain. */
export interface MinuteActivity {
  chain: string
  minute: Date
  completed: number
  failed: number
  invalid: number
  retried: number
}

export async function recentActivity(db: ReadDb, since: Date): Promise<MinuteActivity[]> {
  const rows = await db.query<{ chain: string; minute: Date; completed: string; failed: string; invalid: string; retried: string }>(
    `SELECT chain, minute, sum(completed)::text AS completed, sum(failed)::text AS failed,
            sum(invalid)::text AS invalid, sum(retried)::text AS retried
       FROM job_stat_minute WHERE minute >= $1
      GROUP BY chain, minute ORDER BY chain, minute`,
    [since],
  )
  return rows.map((r) => ({
    chain: r.chain,
    minute: r.minute,
    completed: Number(r.completed),
    failed: Number(r.failed),
    invalid: Number(r.invalid),
    retried: Number(r.retried),
  }))
}

/**
 * When the oldest job still waiting was queued, overall and per chain. Each value is one walk
 * of the partial index on queued_at WHERE status = 'QUEUED', stopping at the first match.
 * (Per chain the walk skips other chains' entries; an index on (chain, queued_at) with the same
 * predicate makes it a single probe.)
 */
export async function oldestQueued(db: ReadDb, chains: readonly string[]): Promise<{ overall: Date | null; byChain: Map<string, Date> }> {
  const rows = await db.query<{ chain: string | null; oldest: Date | null }>(
    `SELECT NULL::text AS chain,
            (SELECT queued_at FROM metadata_job WHERE status = 'QUEUED' ORDER BY queued_at LIMIT 1) AS oldest
     UNION ALL
     SELECT c.chain,
            (SELECT j.queued_at FROM metadata_job j WHERE j.status = 'QUEUED' AND j.chain = c.chain ORDER BY j.queued_at LIMIT 1)
       FROM unnest($1::text[]) AS c(chain)`,
    [chains],
  )
  const byChain = new Map<string, Date>()
  let overall: Date | null = null
  for (const r of rows) {
    if (r.chain === null) overall = r.oldest
    else if (r.oldest) byChain.set(r.chain, r.oldest)
  }
  return { overall, byChain }
}
