import { TOKEN_STANDARDS, type TokenStandardName } from '../../core/standards'
import { counterValue, indexCounters, readCounters } from './counters'
import { indexedHeights, type IndexedHeight } from './indexedHeights'
import { JOB_STATUSES, type JobStatusName } from './metadataStatus'
import { oldestQueued, recentActivity, type MinuteActivity } from './queueActivity'
import type { ReadDb } from './readDb'

/** Head of a chain as its node reports it; null when unknown. Injected (the API makes no RPC calls itself). */
export type ChainHeightProvider = (chain: string) => Promise<number | null> | number | null

export interface QueueThroughput {
  /** Minutes covered, current (partial) minute included. */
  minutes: number
  completed: number
  failed: number
  invalid: number
  retried: number
  /** (completed + failed + invalid) / minutes. */
  finishedPerMinute: number
}

export interface ChainStatus {
  chain: string
  indexedHeight: number | null
  chainHeight: number | null
  /** chainHeight - indexedHeight, when both are known. */
  lag: number | null
  tokens: Record<TokenStandardName, number>
  contracts: Record<TokenStandardName, number>
  jobs: Record<JobStatusName, number>
  oldestQueuedAt: Date | null
  throughput: QueueThroughput
  perMinute: MinuteActivity[]
}

export interface StatusSnapshot {
  generatedAt: Date
  chains: ChainStatus[]
  /** Oldest QUEUED job over all chains. */
  oldestQueuedAt: Date | null
  /** Processor schemas that match no known chain (reported, not dropped). */
  otherProcessors: IndexedHeight[]
}

export interface StatusSnapshotOptions {
  knownChains: readonly string[]
  chainHeight?: ChainHeightProvider
  /** Minutes of job_stat_minute history to include. */
  activityMinutes?: number
  now?: Date
}

/**
 * Everything the status surfaces show, in five cheap statements whatever the table sizes:
 * counters (trigger-maintained), processor checkpoints, oldest queued job (partial index),
 * recent per-minute activity (indexed by minute).
 */
export async function statusSnapshot(db: ReadDb, opts: StatusSnapshotOptions): Promise<StatusSnapshot> {
  const now = opts.now ?? new Date()
  const minutes = opts.activityMinutes ?? 15
  const since = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - (minutes - 1) * 60_000)
  const [counterRows, heights, activity] = await Promise.all([
    readCounters(db),
    indexedHeights(db, opts.knownChains).catch(() => [] as IndexedHeight[]),
    recentActivity(db, since),
  ])
  const counters = indexCounters(counterRows)
  const chains = chainList(opts.knownChains, counterRows.map((r) => r.chain), heights)
  const waiting = chains.filter((c) => counterValue(counters, 'job', c, 'QUEUED') > 0)
  const oldest = await oldestQueued(db, waiting)
  const heightOf = new Map(heights.filter((h) => h.chain !== null).map((h) => [h.chain!, h.height]))
  const statuses = await Promise.all(
    chains.map(async (chain): Promise<ChainStatus> => {
      const indexedHeight = heightOf.get(chain) ?? null
      const chainHeight = await safeHeight(opts.chainHeight, chain)
      const perMinute = activity.filter((a) => a.chain === chain)
      return {
        chain,
        indexedHeight,
        chainHeight,
        lag: indexedHeight !== null && chainHeight !== null ? Math.max(0, chainHeight - indexedHeight) : null,
        tokens: byName(TOKEN_STANDARDS, (s) => counterValue(counters, 'token', chain, s)),
        contracts: byName(TOKEN_STANDARDS, (s) => counterValue(counters, 'contract', chain, s)),
        jobs: byName(JOB_STATUSES, (s) => counterValue(counters, 'job', chain, s)),
        oldestQueuedAt: oldest.byChain.get(chain) ?? null,
        throughput: throughput(perMinute, minutes),
        perMinute,
      }
    }),
  )
  return { generatedAt: now, chains: statuses, oldestQueuedAt: oldest.overall, otherProcessors: heights.filter((h) => h.chain === null) }
}

function chainList(known: readonly string[], counted: readonly string[], heights: readonly IndexedHeight[]): string[] {
  const set = new Set<string>(known)
  for (const c of counted) set.add(c)
  for (const h of heights) if (h.chain) set.add(h.chain)
  return [...set].sort()
}

async function safeHeight(provider: ChainHeightProvider | undefined, chain: string): Promise<number | null> {
  if (!provider) return null
  try {
    const h = await provider(chain)
    return typeof h === 'number' && Number.isFinite(h) ? h : null
  } catch {
    return null
  }
}

function byName<K extends string>(names: readonly K[], value: (k: K) => number): Record<K, number> {
  const out = {} as Record<K, number>
  for (const n of names) out[n] = value(n)
  return out
}

function throughput(perMinute: readonly MinuteActivity[], minutes: number): QueueThroughput {
  const sum = (f: (a: MinuteActivity) => number) => perMinute.reduce((n, a) => n + f(a), 0)
  const completed = sum((a) => a.completed)
  const failed = sum((a) => a.failed)
  const invalid = sum((a) => a.invalid)
  return { minutes, completed, failed, invalid, retried: sum((a) => a.retried), finishedPerMinute: (completed + failed + invalid) / minutes }
}

/** Seconds from `at` to `now` (a snapshot's time), never negative; null without `at`. */
export function ageSeconds(at: Date | null, now: Date): number | null {
  return at ? Math.max(0, (now.getTime() - at.getTime()) / 1000) : null
}
