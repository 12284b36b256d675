import { TOKEN_STANDARDS, type TokenStandardName } from '../../core/standards'
import { chainProgress, type ChainProgress } from './chainProgress'
import { counterValue, indexCounters, readCounters } from './counters'
import { indexedHeights, type IndexedHeight } from './indexedHeights'
import { JOB_STATUSES, type JobStatusName } from './metadataStatus'
import { oldestQueued, recentActivity, type MinuteActivity } from './queueActivity'
import type { ReadDb } from './readDb'
import { MEDIA_CHAIN } from '../media'

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
  /** Newest block the chain's processor applied (final or hot). */
  indexedHeight: number | null
  /** Newest block a process (the processor, a worker) saw on the chain's node, and when. */
  chainHeight: number | null
  chainHeightAt: Date | null
  /** chainHeight - indexedHeight, when both are known. */
  lag: number | null
  /** Timestamp of the newest indexed block (its own block time) and its age. */
  newestBlockAt: Date | null
  newestBlockAgeSeconds: number | null
  processorLastSeenAt: Date | null
  processorSilentSeconds: number | null
  /** While a live processor is behind the head: its recent speed and the time to the head at that speed. */
  blocksPerSecond: number | null
  etaSeconds: number | null
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
  /** Media jobs by status (one per distinct media URL, over all chains). */
  mediaJobs: Record<JobStatusName, number>
}

export interface StatusSnapshotOptions {
  knownChains: readonly string[]
  /** A processor silent longer than this shows no speed nor ETA (what it last reported is stale). */
  processorSilenceSeconds?: number
  /** Minutes of job_stat_minute history to include. */
  activityMinutes?: number
  now?: Date
}

/**
 * Everything the status surfaces show, in six cheap statements whatever the table sizes:
 * counters (trigger-maintained), processor checkpoints, chain heads and heartbeats (one row per
 * chain, recorded by the processes), oldest queued job (partial index), recent per-minute
 * activity (indexed by minute).
 */
export async function statusSnapshot(db: ReadDb, opts: StatusSnapshotOptions): Promise<StatusSnapshot> {
  const now = opts.now ?? new Date()
  const minutes = opts.activityMinutes ?? 15
  const since = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - (minutes - 1) * 60_000)
  const [counterRows, heights, activity, progress] = await Promise.all([
    readCounters(db),
    indexedHeights(db, opts.knownChains).catch(() => [] as IndexedHeight[]),
    recentActivity(db, since),
    chainProgress(db),
  ])
  const counters = indexCounters(counterRows)
  // media jobs are counted under their pseudo-chain (src/store/media.ts), reported apart
  const chains = chainList(
    opts.knownChains,
    counterRows.map((r) => r.chain),
    heights,
    [...progress.keys()],
  ).filter((c) => c !== MEDIA_CHAIN)
  const waiting = chains.filter((c) => counterValue(counters, 'job', c, 'QUEUED') > 0)
  const oldest = await oldestQueued(db, waiting)
  const heightOf = new Map(heights.filter((h) => h.chain !== null).map((h) => [h.chain!, h.height]))
  const statuses = chains.map((chain): ChainStatus => {
    const indexedHeight = heightOf.get(chain) ?? null
    const perMinute = activity.filter((a) => a.chain === chain)
    return {
      chain,
      indexedHeight,
      ...syncFigures(indexedHeight, progress.get(chain), opts.processorSilenceSeconds ?? Infinity),
      tokens: byName(TOKEN_STANDARDS, (s) => counterValue(counters, 'token', chain, s)),
      contracts: byName(TOKEN_STANDARDS, (s) => counterValue(counters, 'contract', chain, s)),
      jobs: byName(JOB_STATUSES, (s) => counterValue(counters, 'job', chain, s)),
      oldestQueuedAt: oldest.byChain.get(chain) ?? null,
      throughput: throughput(perMinute, minutes),
      perMinute,
    }
  })
  const mediaJobs = byName(JOB_STATUSES, (s) => counterValue(counters, 'job', MEDIA_CHAIN, s))
  return { generatedAt: now, chains: statuses, oldestQueuedAt: oldest.overall, otherProcessors: heights.filter((h) => h.chain === null), mediaJobs }
}

function chainList(known: readonly string[], counted: readonly string[], heights: readonly IndexedHeight[], recorded: readonly string[]): string[] {
  const set = new Set<string>(known)
  for (const c of counted) set.add(c)
  for (const h of heights) if (h.chain) set.add(h.chain)
  for (const c of recorded) set.add(c)
  return [...set].sort()
}

type SyncFigures = Omit<ChainStatus, 'chain' | 'indexedHeight' | 'tokens' | 'contracts' | 'jobs' | 'oldestQueuedAt' | 'throughput' | 'perMinute'>

/** Head, lag, block age, heartbeat, and (behind the head, processor alive) speed and ETA. */
function syncFigures(indexedHeight: number | null, p: ChainProgress | undefined, silenceSeconds: number): SyncFigures {
  const chainHeight = p?.chainHeight ?? null
  const lag = indexedHeight !== null && chainHeight !== null ? Math.max(0, chainHeight - indexedHeight) : null
  const silent = p?.processorSilentSeconds ?? null
  const bps = p?.blocksPerSecond ?? null
  // What a dead processor last reported is no speed: shown only while it is alive and behind.
  const speed = silent !== null && silent <= silenceSeconds && lag !== null && lag > 0 && bps !== null && bps > 0 ? bps : null
  return {
    chainHeight,
    chainHeightAt: p?.chainHeightAt ?? null,
    lag,
    newestBlockAt: p?.newestBlockTime ?? null,
    newestBlockAgeSeconds: p?.newestBlockAgeSeconds ?? null,
    processorLastSeenAt: p?.processorLastSeenAt ?? null,
    processorSilentSeconds: silent,
    blocksPerSecond: speed,
    etaSeconds: speed !== null && lag !== null ? lag / speed : null,
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
