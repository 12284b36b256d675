import type { DatabaseHealth } from '../store/read/health'
import type { StatusSnapshot } from '../store/read/statusSnapshot'

export type ReadinessCheckName = 'database' | 'migrations' | 'processors' | 'lag'

export interface ReadinessCheck {
  ok: boolean
  /** Why it failed, in words (absent when ok). */
  detail?: string
}

export interface Readiness {
  ready: boolean
  /** The checks that failed, in the order below. */
  failed: ReadinessCheckName[]
  /** Checks that could not run (the database is unreachable) are absent. */
  checks: Partial<Record<ReadinessCheckName, ReadinessCheck & Record<string, unknown>>>
}

export interface ReadinessLimits {
  maxSilenceSeconds: number
  maxLagBlocks: number
}

/**
 * The readiness verdict from the database health and a status snapshot. A chain counts once a
 * process recorded something for it: a processor is checked once it has sent a heartbeat, a lag
 * once both the head and the indexed height are known.
 */
export function evaluateReadiness(health: DatabaseHealth, snapshot: StatusSnapshot | Error | undefined, limits: ReadinessLimits): Readiness {
  const checks: Readiness['checks'] = {}
  const reachable = health.reachable && !(snapshot instanceof Error)
  checks.database = reachable ? { ok: true } : { ok: false, detail: 'the database is unreachable' }
  if (health.reachable) {
    const pending = health.pendingMigrations
    checks.migrations = { ok: pending.length === 0, pending, ...(pending.length ? { detail: `migrations not applied: ${pending.join(', ')}` } : {}) }
  }
  if (reachable && snapshot) {
    const seen = snapshot.chains.filter((c) => c.processorSilentSeconds !== null)
    const silent = seen.filter((c) => c.processorSilentSeconds! > limits.maxSilenceSeconds)
    checks.processors = {
      ok: silent.length === 0,
      limitSeconds: limits.maxSilenceSeconds,
      chains: seen.map((c) => ({ chain: c.chain, silentSeconds: c.processorSilentSeconds })),
      ...(silent.length ? { detail: silent.map((c) => `${c.chain} processor silent for ${Math.round(c.processorSilentSeconds!)} s`).join('; ') } : {}),
    }
    const known = snapshot.chains.filter((c) => c.lag !== null)
    const behind = known.filter((c) => c.lag! > limits.maxLagBlocks)
    checks.lag = {
      ok: behind.length === 0,
      limitBlocks: limits.maxLagBlocks,
      chains: known.map((c) => ({ chain: c.chain, lag: c.lag })),
      ...(behind.length ? { detail: behind.map((c) => `${c.chain} is ${c.lag} blocks behind its head`).join('; ') } : {}),
    }
  }
  const failed = (Object.keys(checks) as ReadinessCheckName[]).filter((k) => !checks[k]!.ok)
  return { ready: failed.length === 0, failed, checks }
}
