import type { Logger } from '../../lib/logger'
import { addWindowCounts, pruneRateLimits, type WindowDelta } from '../../store/rateLimits'
import type { SqlExecutor } from '../../store/sql'

/** Read limits count requests in fixed one-minute windows (RateLimit-Policy `w=60`). */
export const READ_WINDOW_MS = 60_000
/** rate_limit_window rows older than this are deleted (the longest window, refresh tokens, is 1 h). */
const PRUNE_AFTER_MS = 2 * 3_600_000
const PRUNE_EVERY_MS = 10 * 60_000

/** Who a read is counted against: a client address, or an API key (then `apiKeyId` is set). */
export interface ReadSubject {
  /** Stable text naming the subject: `ip/<address>` or the API key id. */
  key: string
  apiKeyId: string | null
  limit: number
}

export interface ReadDecision {
  allowed: boolean
  limit: number
  remaining: number
  /** Seconds until the window ends (RateLimit-Reset, Retry-After). */
  resetSeconds: number
}

interface Bucket {
  subject: ReadSubject
  windowStart: number
  /** The window's total across every process, as of this process's last sync (its own flushed requests included). */
  shared: number
  /** Requests this process allowed since its last sync. */
  pending: number
  /** Being written by the sync now running. */
  flushing: number
  touched: boolean
}

/**
 * Read rate limits shared by every API process without a database round trip per request:
 * each process decides from its own counters (the shared total at the last sync plus what it
 * allowed since) and, every READ_LIMIT_SYNC_MS, adds its counts to the window's row in
 * rate_limit_window in one statement and learns the others' totals back.
 *
 * Invariant: between two syncs a process allows at most what it believed was left, so N processes
 * together overshoot a limit by at most what they are sent within one sync interval; a process
 * that meets a subject for the first time in a window learns the others' counts at its next sync.
 * When Postgres is unreachable the counts stay local (each process enforces the limit alone) and
 * are written at the next sync that succeeds: reads keep being served.
 */
export class ReadLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private timer?: NodeJS.Timeout
  private syncing?: Promise<void>
  private lastPrune = 0

  constructor(
    private readonly db: SqlExecutor,
    private readonly syncMs: number,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  take(subject: ReadSubject): ReadDecision {
    const now = this.clock()
    const windowStart = Math.floor(now / READ_WINDOW_MS) * READ_WINDOW_MS
    const id = `${subject.key}:read:${windowStart}`
    let b = this.buckets.get(id)
    if (!b) {
      b = { subject, windowStart, shared: 0, pending: 0, flushing: 0, touched: true }
      this.buckets.set(id, b)
    }
    b.touched = true
    const used = b.shared + b.flushing + b.pending
    const resetSeconds = Math.max(1, Math.ceil((windowStart + READ_WINDOW_MS - now) / 1000))
    if (used >= subject.limit) return { allowed: false, limit: subject.limit, remaining: 0, resetSeconds }
    b.pending++
    return { allowed: true, limit: subject.limit, remaining: subject.limit - used - 1, resetSeconds }
  }

  start(): void {
    this.timer = setInterval(() => void this.sync(), this.syncMs)
    this.timer.unref()
  }

  /**
   * Stops the timer and writes what is still pending, giving up after `deadlineMs` (a shutdown
   * must not wait on a database that is down; the counts of one interval are then lost).
   */
  async stop(deadlineMs = 2000): Promise<void> {
    clearInterval(this.timer)
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)))
    await Promise.race([(this.syncing ?? Promise.resolve()).then(() => this.sync()), deadline])
    clearTimeout(timer)
  }

  /** One sync (concurrent calls share it). */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => (this.syncing = undefined))
    return this.syncing
  }

  private async syncOnce(): Promise<void> {
    const now = this.clock()
    const current = Math.floor(now / READ_WINDOW_MS) * READ_WINDOW_MS
    const batch: [string, Bucket][] = []
    for (const [id, b] of this.buckets) {
      if (b.touched || b.pending > 0) batch.push([id, b])
      else if (b.windowStart < current) this.buckets.delete(id)
    }
    if (batch.length === 0) return
    const deltas: WindowDelta[] = batch.map(([id, b]) => {
      b.flushing = b.pending
      b.pending = 0
      b.touched = false
      return { id, apiKeyId: b.subject.apiKeyId, kind: 'read', windowStart: new Date(b.windowStart), delta: b.flushing }
    })
    try {
      const totals = await addWindowCounts(this.db, deltas)
      for (const [id, b] of batch) {
        b.shared = Math.max(b.shared + b.flushing, totals.get(id) ?? 0)
        b.flushing = 0
        if (b.windowStart < current && b.pending === 0) this.buckets.delete(id)
      }
    } catch (err) {
      for (const [, b] of batch) {
        b.pending += b.flushing
        b.flushing = 0
      }
      this.log.warn({ err, buckets: batch.length }, 'could not share read-limit counts; enforcing them locally until the next sync')
      return
    }
    await this.prune(now).catch((err: unknown) => this.log.warn({ err }, 'could not prune old rate-limit windows'))
  }

  private async prune(now: number): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return
    this.lastPrune = now
    await pruneRateLimits(this.db, new Date(now - PRUNE_AFTER_MS))
  }
}
