import type { DataSource } from 'typeorm'
import { pruneExpiredHostLeases } from './hostLeases'
import { pruneJobStats } from './jobs/jobStats'
import { pruneRateLimits } from './rateLimits'
import { pruneDeliveredEvents, pruneDeliveryLog } from './webhookDeliveries'
import { rows, type SqlExecutor } from './sql'

/**
 * Retention of the housekeeping tables: each task calls its table's owning module to delete rows
 * older than the cutoff. queue/cleanup.ts runs them periodically in the worker role.
 */

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

/** One named housekeeping task: deletes the rows of its table older than its cutoff; returns how many. */
interface CleanupTask {
  table: string
  run(db: SqlExecutor, now: Date, retention: CleanupRetention): Promise<number>
}

const before = (now: Date, ms: number) => new Date(now.getTime() - ms)

export const CLEANUP_TASKS: readonly CleanupTask[] = [
  { table: 'job_stat_minute', run: (db, now, r) => pruneJobStats(db, before(now, r.jobStatsMs)) },
  { table: 'rate_limit_window', run: (db, now, r) => pruneRateLimits(db, before(now, r.rateLimitMs)) },
  { table: 'host_lease', run: (db, now, r) => pruneExpiredHostLeases(db, before(now, r.hostLeaseMs)) },
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
