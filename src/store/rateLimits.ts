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

/** Requests one process counted for a window since it last synced (`delta` may be 0: a read). */
export interface WindowDelta {
  id: string
  apiKeyId: string | null
  kind: string
  windowStart: Date
  delta: number
}

/**
 * Adds each process-local delta to its shared window in one statement and returns every window's
 * total across all processes (id -> count). The read limiter calls this once per sync interval,
 * never per request.
 */
export async function addWindowCounts(db: SqlExecutor, deltas: WindowDelta[]): Promise<Map<string, number>> {
  if (deltas.length === 0) return new Map()
  const rows = (await db.query(
    `INSERT INTO rate_limit_window AS w (id, api_key_id, kind, window_start, count)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::int[])
     ORDER BY 1
     ON CONFLICT (id) DO UPDATE SET count = w.count + excluded.count
     RETURNING id, count`,
    [deltas.map((d) => d.id), deltas.map((d) => d.apiKeyId), deltas.map((d) => d.kind), deltas.map((d) => d.windowStart.toISOString()), deltas.map((d) => d.delta)],
  )) as { id: string; count: number }[]
  return new Map(rows.map((r) => [r.id, r.count]))
}

/**
 * Takes up to `want` units of a global budget (no API key) for the window containing `now`, and
 * returns how many it got (0..want). Serialised per window by the row lock, so processes
 * together never take more than `limit`. Run it inside the transaction whose work it pays for:
 * a rollback gives the units back.
 */
export async function takeFromBudget(db: SqlExecutor, kind: string, windowMs: number, limit: number, want: number, now: Date): Promise<number> {
  if (want <= 0 || limit <= 0) return 0
  const start = new Date(Math.floor(now.getTime() / windowMs) * windowMs)
  const id = `global:${kind}:${start.getTime()}`
  await db.query(`INSERT INTO rate_limit_window (id, api_key_id, kind, window_start, count) VALUES ($1, NULL, $2, $3, 0) ON CONFLICT (id) DO NOTHING`, [id, kind, start])
  const [row] = (await db.query(`SELECT count FROM rate_limit_window WHERE id = $1 FOR UPDATE`, [id])) as { count: number }[]
  const granted = Math.max(0, Math.min(want, limit - row.count))
  if (granted > 0) await db.query(`UPDATE rate_limit_window SET count = count + $2 WHERE id = $1`, [id, granted])
  return granted
}
