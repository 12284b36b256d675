import type { Logger } from '../lib/logger'
import type { Metrics } from '../lib/metrics'
import { ageSeconds, type StatusSnapshot } from '../store/read/statusSnapshot'

/**
 * Per-chain sync and queue gauges on the API's /metrics, set from a status snapshot at each
 * scrape (the StatusService's cached snapshot: a scrape costs what a /status request costs).
 * Gauges are reset first, so a figure that became unknown disappears instead of going stale;
 * when the snapshot fails, `tms_status_snapshot_ok` is 0 and the per-chain gauges are absent.
 */
export function statusGauges(metrics: Metrics, log: Logger) {
  const g = {
    chainHeight: metrics.gauge('chain_height', 'newest block a process saw on the chain node', ['chain']),
    indexedHeight: metrics.gauge('chain_indexed_height', 'newest block the chain processor applied (final or hot)', ['chain']),
    lagBlocks: metrics.gauge('chain_lag_blocks', 'chain height minus indexed height', ['chain']),
    lagSeconds: metrics.gauge('chain_lag_seconds', 'age of the newest indexed block, from its block timestamp', ['chain']),
    silent: metrics.gauge('processor_silent_seconds', 'seconds since the chain processor last recorded a heartbeat', ['chain']),
    jobs: metrics.gauge('queue_jobs', 'metadata jobs by status', ['chain', 'status']),
    oldest: metrics.gauge('queue_oldest_queued_age_seconds', 'age of the oldest QUEUED job (0 when none)', ['chain']),
    ok: metrics.gauge('status_snapshot_ok', '1 when the figures above could be read from the database'),
  }
  const perChain = [g.chainHeight, g.indexedHeight, g.lagBlocks, g.lagSeconds, g.silent, g.jobs, g.oldest]
  return async function update(snapshot: () => Promise<StatusSnapshot>): Promise<void> {
    for (const gauge of perChain) gauge.reset()
    let s: StatusSnapshot
    try {
      s = await snapshot()
    } catch (err) {
      log.warn({ err }, 'metrics: status snapshot failed')
      g.ok.set(0)
      return
    }
    g.ok.set(1)
    const set = (gauge: typeof g.chainHeight, chain: string, v: number | null) => {
      if (v !== null) gauge.set({ chain }, v)
    }
    for (const c of s.chains) {
      set(g.chainHeight, c.chain, c.chainHeight)
      set(g.indexedHeight, c.chain, c.indexedHeight)
      set(g.lagBlocks, c.chain, c.lag)
      set(g.lagSeconds, c.chain, c.newestBlockAgeSeconds)
      set(g.silent, c.chain, c.processorSilentSeconds)
      set(g.oldest, c.chain, ageSeconds(c.oldestQueuedAt, s.generatedAt) ?? 0)
      for (const [status, n] of Object.entries(c.jobs)) g.jobs.set({ chain: c.chain, status }, n)
    }
  }
}
