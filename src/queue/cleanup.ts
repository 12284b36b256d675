import type { Logger } from 'pino'
import type { DataSource } from 'typeorm'
import type { Config } from '../config'
import { runCleanup, type CleanupRetention } from '../store/retention'

export type { CleanupRetention }

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
