import { rows, SqlExecutor } from './sql'

export interface RateLimitResult {
  allowed: boolean
  limit: number
  remaining: number
  /** When the current window ends. */
  resetAt: Date
}

/**
 * Fixed-window rate limiting shared by every API process: one row per (key, kind, window) with
 * an atomic increment. `cost` units are taken only if they fit (a refused request costs
 * nothing), so a client that is told to wait is not pushed further back by its retries.
 */
export async function consumeRateLimit(db: SqlExecutor, apiKeyId: string, kind: string, windowMs: number, limit: number, cost: number, now: Date): Promise<RateLimitResult> {
  const start = new Date(Math.floor(now.getTime() / windowMs) * windowMs)
  const resetAt = new Date(start.getTime() + windowMs)
  const id = `${apiKeyId}:${kind}:${start.getTime()}`
  if (cost > limit) return { allowed: false, limit, remaining: limit, resetAt }
  const taken = (await db.query(
    `INSERT INTO rate_limit_window AS w (id, api_key_id, kind, window_start, count)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET count = w.count + excluded.count WHERE w.count + excluded.count <= $6
     RETURNING count`,
    [id, apiKeyId, kind, start, cost, limit],
  )) as { count: number }[]
  const row = { taken: taken[0]?.count ?? null }
  if (row.taken !== null) return { allowed: true, limit, remaining: limit - row.taken, resetAt }
  const [current] = (await db.query(`SELECT count FROM rate_limit_window WHERE id = $1`, [id])) as { count: number }[]
  return { allowed: false, limit, remaining: Math.max(0, limit - (current?.count ?? 0)), resetAt }
}

/** Drops windows that started before `olderThan` (the worker's cleanup task); returns how many. */
export async function pruneRateLimits(db: SqlExecutor, olderThan: Date): Promise<number> {
  const [r] = await rows<{ n: number }>(db, `WITH d AS (DELETE FROM rate_limit_window WHERE window_start < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`, [olderThan])
  return r.n
}
