import type { Logger } from 'pino'
import type { DataSource } from 'typeorm'
import type { Config } from '../config'
import { pruneRateLimits } from '../store/rateLimits'
import { rows, type SqlExecutor } from '../store/sql'
import { pruneDeliveredEvents, pruneDeliveryLog } from '../store/webhookDeliveries'

export interface CleanupRetention {
  /** Per-minute job statistics older than this go (job_stat_minute). */
  jobStatsMs: number
  /** Rate-limit windows that started longer ago go (rate_limit_window). */
  rateLimitMs: number
  /** Host leases expired longer ago go (host_lease: rows of workers that died without letting go). */
  hostLeaseMs: number
  /** Webhook deliveries made longer ago go, then events with no delivery left (webhook_delivery, notification_event). */
  webhookLogMs: number
}

/** A lease expired an hour ago belongs to a dead worker: live ones renew theirs every few seconds. */
export const HOST_LEASE_RETENTION_MS = 3_600_000

/** The retention the configuration asks for (JOB_STATS_RETENTION_DAYS, RATE_LIMIT_RETENTION_HOURS, WEBHOOK_LOG_RETENTION_DAYS). */
export function cleanupRetention(config: Pick<Config, 'JOB_STATS_RETENTION_DAYS' | 'RATE_LIMIT_RETENTION_HOURS' | 'WEBHOOK_LOG_RETENTION_DAYS'>): CleanupRetention {
  return {
    jobStatsMs: config.JOB_STATS_RETENTION_DAYS * 86_400_000,
    rateLimitMs: config.RATE_LIMIT_RETENTION_HOURS * 3_600_000,
    hostLeaseMs: HOST_LEASE_RETENTION_MS,
    webhookLogMs: config.WEBHOOK_LOG_RETENTION_DAYS * 86_400_000,
  }
}

/** One named housekeeping task: deletes the rows of its table older than its cutoff; returns how many. */
interface CleanupTask {
  table: string
  run(db: SqlExecutor, now: Date, retention: CleanupRetention): Promise<number>
}

const before = (now: Date, ms: number) => new Date(now.getTime() - ms)

async function deleteCount(db: SqlExecutor, sql: string, params: unknown[]): Promise<number> {
  const [r] = await rows<{ n: number }>(db, `WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`, params)
  return r.n
}

export const CLEANUP_TASKS: readonly CleanupTask[] = [
  { table: 'job_stat_minute', run: (db, now, r) => deleteCount(db, `DELETE FROM job_stat_minute WHERE minute < $1`, [before(now, r.jobStatsMs)]) },
  { table: 'rate_limit_window', run: (db, now, r) => pruneRateLimits(db, before(now, r.rateLimitMs)) },
  { table: 'host_lease', run: (db, now, r) => deleteCount(db, `DELETE FROM host_lease WHERE expires_at < $1`, [before(now, r.hostLeaseMs)]) },
  // deliveries first: an event is pruned only once nothing refers to it (a pending one never is)
  { table: 'webhook_delivery', run: (db, now, r) => pruneDeliveryLog(db, before(now, r.webhookLogMs)) },
  { table: 'notification_event', run: (db, now, r) => pruneDeliveredEvents(db, before(now, r.webhookLogMs)) },
]

/** Distinct from the migration lock (7305000) and the counter compaction lock (7305001). */
const CLEANUP_LOCK = 7305002

export type CleanupResult = { ran: false } | { ran: true; deleted: Record<string, number> }

/**
 * Runs every task once, in one transaction, if no other worker is running them now (a
 * transaction-level advisory lock: the others skip rather than wait). The deletes are
 * idempotent, so a run that overlaps another after the lock is released only finds less to do.
 */
export async function runCleanup(ds: DataSource, retention: CleanupRetention, now: Date): Promise<CleanupResult> {
  return ds.transaction(async (em) => {
    const [lock] = await rows<{ got: boolean }>(em, `SELECT pg_try_advisory_xact_lock($1) AS got`, [CLEANUP_LOCK])
    if (!lock.got) return { ran: false }
    const deleted: Record<string, number> = {}
    for (const task of CLEANUP_TASKS) deleted[task.table] = await task.run(em, now, retention)
    return { ran: true, deleted }
  })
}

export interface PeriodicCleanup {
  stop(): Promise<void>
}

/**
 * The worker role's housekeeping: runCleanup now and every `intervalMs`. A failed run is logged
 * and retried at the next interval (the tables only grow a little meanwhile).
 */
export function startPeriodicCleanup(ds: DataSource, retention: CleanupRetention, intervalMs: number, log: Logger): PeriodicCleanup {
  let current: Promise<void> = Promise.resolve()
  const tick = () => {
    current = runCleanup(ds, retention, new Date()).then(
      (r) => {
        if (r.ran && Object.values(r.deleted).some((n) => n > 0)) log.info({ deleted: r.deleted }, 'housekeeping tables pruned')
      },
      (err: unknown) => log.warn({ err }, 'housekeeping cleanup failed; retrying at the next interval'),
    )
  }
  tick()
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await current
    },
  }
}
