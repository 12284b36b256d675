import type { Transition } from './settleWrites'
import { rows, type SqlExecutor } from '../sql'

/** job_stat_minute: per chain and host, how many attempts completed, failed, were invalid or retried in each minute. */

export async function recordMinuteStats(db: SqlExecutor, ts: Transition[], now: Date): Promise<void> {
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000)
  const groups = new Map<string, { chain: string; host: string; completed: number; failed: number; invalid: number; retried: number }>()
  // metadata fetch statistics: webhook deliveries are not fetches
  for (const t of ts.filter((x) => x.outcome.job.kind !== 'DELIVERY')) {
    const host = t.outcome.host ?? t.outcome.job.host ?? ''
    const key = `${t.outcome.job.chain}|${host}`
    const g = groups.get(key) ?? { chain: t.outcome.job.chain, host, completed: 0, failed: 0, invalid: 0, retried: 0 }
    if (t.outcome.ok) g.completed++
    else if (t.status === 'FAILED') g.failed++
    else if (!t.outcome.error.retryable) g.invalid++
    else g.retried++
    groups.set(key, g)
  }
  const gs = [...groups.values()].sort((a, b) => (a.chain + a.host < b.chain + b.host ? -1 : 1))
  await db.query(
    `INSERT INTO job_stat_minute AS s (id, minute, chain, host, completed, failed, invalid, retried)
     SELECT $1 || '|' || chain || '|' || host, $2, chain, host, completed, failed, invalid, retried
       FROM unnest($3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::int[])
         AS g(chain, host, completed, failed, invalid, retried)
     ON CONFLICT (id) DO UPDATE SET completed = s.completed + excluded.completed, failed = s.failed + excluded.failed,
       invalid = s.invalid + excluded.invalid, retried = s.retried + excluded.retried`,
    [
      minute.toISOString(),
      minute,
      gs.map((g) => g.chain),
      gs.map((g) => g.host),
      gs.map((g) => g.completed),
      gs.map((g) => g.failed),
      gs.map((g) => g.invalid),
      gs.map((g) => g.retried),
    ],
  )
}

export async function pruneJobStats(db: SqlExecutor, before: Date): Promise<number> {
  const [r] = await rows<{ n: number }>(db, `WITH d AS (DELETE FROM job_stat_minute WHERE minute < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`, [before])
  return r.n
}
