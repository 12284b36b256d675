import { rows, type SqlExecutor } from './sql'

/**
 * host_state (per-host cooldowns after a 429, shared by every worker) and host_lease (each
 * worker's share of a host's concurrency cap). Grants go through tms_grant_host_slots, which
 * serialises them per host with an advisory lock, so concurrent grants never add up past the cap.
 */

/** Records a 429 (or an explicit Retry-After) for the host; a longer cooldown already set wins. */
export async function recordHostCooldown(db: SqlExecutor, host: string, until: Date): Promise<void> {
  await db.query(
    `INSERT INTO host_state AS h (id, cooldown_until, rate_limited_count, updated_at)
     VALUES ($1, $2, 1, now())
     ON CONFLICT (id) DO UPDATE SET cooldown_until = greatest(h.cooldown_until, excluded.cooldown_until),
       rate_limited_count = h.rate_limited_count + 1, updated_at = now()`,
    [host, until],
  )
}

/** Renews this worker's leases on `hosts` at the given slots and drops its leases on any other host. */
export async function renewHostLeases(db: SqlExecutor, workerId: string, hosts: { host: string; slots: number }[], leaseMs: number): Promise<void> {
  await db.query(
    `WITH drop AS (DELETE FROM host_lease WHERE worker_id = $1 AND NOT (host = ANY($2::text[])))
     UPDATE host_lease SET slots = k.slots, expires_at = now() + make_interval(secs => $4 / 1000.0)
       FROM unnest($2::text[], $3::int[]) AS k(host, slots)
      WHERE host_lease.worker_id = $1 AND host_lease.host = k.host`,
    [workerId, hosts.map((h) => h.host), hosts.map((h) => h.slots), leaseMs],
  )
}

/** Cooldowns still running on these hosts. */
export async function activeCooldowns(db: SqlExecutor, hosts: string[]): Promise<{ id: string; until: Date }[]> {
  return rows(db, `SELECT id, cooldown_until AS until FROM host_state WHERE id = ANY($1::text[]) AND cooldown_until > now()`, [hosts])
}

export async function releaseHostLeases(db: SqlExecutor, workerId: string): Promise<void> {
  await db.query(`DELETE FROM host_lease WHERE worker_id = $1`, [workerId])
}

/** Asks for `want` slots (at most `cap` across all workers); returns the slots held and the host's cooldown. */
export async function grantHostSlots(
  db: SqlExecutor,
  host: string,
  workerId: string,
  want: number,
  cap: number,
  leaseMs: number,
): Promise<{ granted: number; cooldownUntil: Date | null }> {
  const [r] = await rows<{ granted: number; cooldown_until: Date | null }>(
    db,
    `SELECT granted_slots AS granted, cooldown_until_at AS cooldown_until FROM tms_grant_host_slots($1, $2, $3, $4, $5)`,
    [host, workerId, Math.min(want, cap), cap, leaseMs],
  )
  return { granted: r.granted, cooldownUntil: r.cooldown_until }
}

/** Deletes leases that expired before `before` (rows of workers that died without letting go). */
export async function pruneExpiredHostLeases(db: SqlExecutor, before: Date): Promise<number> {
  const [r] = await rows<{ n: number }>(db, `WITH d AS (DELETE FROM host_lease WHERE expires_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`, [before])
  return r.n
}
