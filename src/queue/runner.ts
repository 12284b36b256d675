import type { Logger } from 'pino'
import type { DataSource } from 'typeorm'
import { RetryableError, isMetadataError, type MetadataError } from '../core/errors'
import type { Metrics } from '../lib/metrics'
import { compactCounters } from '../store/counterCompaction'
import { startRefreshes } from '../store/refreshItems'
import { claimJobs, extendLeases, mayBelongToRefresh, releaseJobs, sweepExpiredLeases, type JobLane } from '../store/jobs/claim'
import { HostSlots } from './hostSlots'
import { JobNotifier } from './notifier'
import { scheduleDynamicTokens } from '../store/jobs/scheduleDynamic'
import { retriedByProfile } from './retryProfile'
import { settleJobs, type SettleSettings } from './settle'
import type { ClaimedJob, JobOutcome } from '../core/jobOutcome'

export interface JobContext {
  /** Per-host politeness; handlers acquire a slot around each outbound fetch. */
  hostSlots: HostSlots
  log: Logger
  /** This attempt is the job's last before FAILED (attempts >= maxAttempts). */
  lastAttempt: boolean
  /** Total deadline of each metadata fetch of this attempt (the job's retry profile), if not the general one. */
  fetchTimeoutMs?: number
  /** Whether the job's retry profile retries a failure at all (absent: the general policy retries every retryable one). */
  retried?: (e: MetadataError) => boolean
}

/** Runs one attempt. May throw; a throw that is not a MetadataError counts as retryable. */
export type JobHandler = (job: ClaimedJob, ctx: JobContext) => Promise<JobOutcome>

export interface RunnerOptions extends SettleSettings {
  concurrency: number
  /**
   * Jobs claimed ahead of free slots and held here (leased) until one frees: a finishing job
   * starts the next at once, and claims come in steps of at least half of this instead of one
   * per freed slot (10,000 jobs at concurrency 50: about 1,000 claims with 0, 300 with 50).
   * Default: concurrency. 0 claims only for free slots.
   */
  prefetch?: number
  /** Poll interval when no notification arrives (backoff-due jobs, missed notifies). */
  pollMs?: number
  /** Outcomes are written in batches: at this size or after flushMs. */
  settleBatch?: number
  flushMs?: number
  hostCap: number
  hostWaitMs?: number
  /** How long shutdown waits for jobs in flight before giving them back. */
  drainMs?: number
  /** Refresh interval of SIP-019 dynamic tokens without a ttl of their own. */
  dynamicTtlSeconds?: number
  /** The jobs this runner claims (default: metadata documents). */
  lane?: JobLane
  /**
   * Whether this runner also does the process's shared maintenance (lease sweeps, counter
   * compaction, dynamic-token scheduling); a worker's second runner (media) leaves it to the first.
   */
  sharedMaintenance?: boolean
}

/**
 * A worker: claims jobs in batches, runs up to `concurrency` at once, writes their outcomes in
 * batched transactions, keeps its leases alive, sweeps dead workers' leases and compacts the
 * counters. Stopping finishes what it can within drainMs and gives the rest back.
 */
export class JobRunner {
  private readonly active = new Map<string, ClaimedJob>()
  /** Claimed and leased, waiting for a slot (in claim order: priority first). */
  private readonly ready: ClaimedJob[] = []
  private readonly pending: JobOutcome[] = []
  /** The batch of outcomes being written now (their jobs' leases are kept alive too). */
  private settling: JobOutcome[] = []
  private readonly hostSlots: HostSlots
  private readonly notifier: JobNotifier
  private running = false
  private wake: (() => void) | undefined
  private poked = false
  private loopDone: Promise<void> | undefined
  private flushTimer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  private maintenanceTimer: NodeJS.Timeout | undefined
  private readonly drained = new Set<() => void>()
  private readonly opts: Required<Omit<RunnerOptions, 'media' | 'delivery'>> & Pick<RunnerOptions, 'media' | 'delivery'>
  private readonly m

  constructor(
    private readonly ds: DataSource,
    dbUrl: string,
    private readonly handler: JobHandler,
    opts: RunnerOptions,
    private readonly log: Logger,
    metrics?: Metrics,
  ) {
    this.opts = {
      pollMs: 1000,
      settleBatch: 200,
      flushMs: 10,
      hostWaitMs: 2000,
      drainMs: 5000,
      dynamicTtlSeconds: 86_400,
      lane: 'documents',
      sharedMaintenance: true,
      prefetch: opts.concurrency,
      ...opts,
    }
    this.hostSlots = new HostSlots(ds.manager, { workerId: opts.workerId, capPerHost: opts.hostCap, leaseMs: opts.leaseMs, waitMs: this.opts.hostWaitMs }, log)
    this.notifier = new JobNotifier(dbUrl, () => this.poke(), log)
    this.m = metrics && {
      outcomes: metrics.counter('jobs_settled_total', 'job attempts by outcome', ['outcome']),
      duration: metrics.histogram('job_duration_seconds', 'job attempt wall time', ['kind'], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]),
      active: metrics.gauge('jobs_active', 'jobs running in this worker'),
    }
  }

  async start(): Promise<void> {
    this.running = true
    await this.notifier.start()
    this.maintenanceTimer = setInterval(() => void this.maintain(), Math.max(200, Math.floor(this.opts.leaseMs / 3)))
    this.loopDone = this.loop()
  }

  /** Stops claiming, lets running jobs finish for up to drainMs, gives the rest back. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.poke()
    await this.loopDone
    clearInterval(this.maintenanceTimer)
    await this.waitForDrain(this.opts.drainMs)
    const unfinished = [...this.active.keys(), ...this.ready.map((j) => j.id)]
    this.active.clear()
    this.ready.length = 0
    await this.flush()
    await releaseJobs(this.ds.manager, this.opts.workerId, unfinished).catch((err) => this.log.error({ err }, 'could not release jobs'))
    await this.hostSlots.releaseAll().catch(() => {})
    await this.notifier.stop()
    this.log.info({ released: unfinished.length }, 'worker stopped')
  }

  get activeCount(): number {
    return this.active.size
  }

  /** Wakes the loop; a poke while it is awake (claiming) makes its next sleep return at once. */
  private poke(): void {
    const w = this.wake
    this.wake = undefined
    if (w) w()
    else this.poked = true
  }

  private async loop(): Promise<void> {
    const { concurrency, prefetch } = this.opts
    // Claim when at least `step` jobs fit into the slots plus the ready buffer.
    const step = Math.max(1, Math.ceil(prefetch / 2))
    while (this.running) {
      const room = concurrency + prefetch - this.active.size - this.ready.length
      let claimed = 0
      if (room >= step) {
        const jobs = await this.claim(room)
        claimed = jobs.length
        this.ready.push(...jobs)
        this.startReady()
      }
      if (!this.running) break
      // Nothing due and a slot idle: sleep until a notification or the poll interval. Room for
      // less than a step: sleep until a job ends. Otherwise room opened while the claim was in
      // flight: claim again at once (a completion during the claim would not wake a sleeper).
      const roomNow = concurrency + prefetch - this.active.size - this.ready.length
      if (claimed === 0 && room >= step) await this.sleep(this.opts.pollMs, false)
      else if (roomNow < step) await this.sleep(this.opts.pollMs, true)
    }
  }

  /** Starts ready jobs while slots are free. */
  private startReady(): void {
    while (this.running && this.active.size < this.opts.concurrency && this.ready.length > 0) this.run(this.ready.shift()!)
  }

  private async claim(free: number): Promise<ClaimedJob[]> {
    try {
      const jobs = await claimJobs(this.ds.manager, this.opts.workerId, Math.min(free, 500), this.opts.leaseMs, this.opts.lane)
      const refs = jobs.filter(mayBelongToRefresh).map((j) => j.tokenRef!)
      if (refs.length > 0) await startRefreshes(this.ds.manager, refs, new Date())
      return jobs
    } catch (err) {
      this.log.warn({ err }, 'claim failed; retrying')
      await new Promise((r) => setTimeout(r, 500))
      return []
    }
  }

  private sleep(ms: number, untilSlotFree: boolean): Promise<void> {
    if (this.poked) {
      this.poked = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wake = done
      if (untilSlotFree) this.drained.add(done)
    })
  }

  private run(job: ClaimedJob): void {
    this.active.set(job.id, job)
    this.m?.active.set(this.active.size)
    const started = performance.now()
    const parent = this.log
    let log: Logger | undefined
    const ctx: JobContext = {
      hostSlots: this.hostSlots,
      // built on first use: no handler logs on the way of a normal attempt
      get log() {
        return (log ??= parent.child({ job: job.id }))
      },
      lastAttempt: job.attempts >= (job.profile?.maxAttempts ?? this.opts.maxAttempts),
      fetchTimeoutMs: job.profile?.fetchTimeoutMs,
      retried: job.profile ? (e) => retriedByProfile(e, job.profile!) : undefined,
    }
    void this.handler(job, ctx)
      .catch((err: unknown): JobOutcome => ({
        job,
        ok: false,
        error: isMetadataError(err) ? err : new RetryableError('internal_error', 'job handler failed', { cause: err }),
      }))
      .then((outcome) => {
        this.m?.duration.observe({ kind: job.kind }, (performance.now() - started) / 1000)
        if (!this.active.has(job.id)) return // given back at shutdown
        this.active.delete(job.id)
        this.m?.active.set(this.active.size)
        this.pending.push(outcome)
        this.scheduleFlush()
        this.startReady()
        for (const d of this.drained) d()
        this.drained.clear()
      })
  }

  private scheduleFlush(): void {
    if (this.pending.length >= this.opts.settleBatch) {
      void this.flush()
    } else {
      this.flushTimer ??= setTimeout(() => void this.flush(), this.opts.flushMs)
    }
  }

  /** Writes pending outcomes; one flush at a time, each in its own transaction. */
  private flush(): Promise<void> {
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    // settleWithRetry never rejects, so the chain never breaks.
    this.flushing = this.flushing.then(async () => {
      while (this.pending.length > 0) {
        this.settling = this.takeBatch()
        await this.settleWithRetry(this.settling)
        this.settling = []
      }
    })
    return this.flushing
  }

  /**
   * The next batch to settle: outcomes of one class only. Delivery outcomes settle apart from
   * metadata outcomes: a metadata settle wakes delivery jobs after its token jobs, and holding
   * delivery job rows too would let two settles wait on each other's delivery rows.
   */
  private takeBatch(): JobOutcome[] {
    const delivery = this.pending[0]!.job.kind === 'DELIVERY'
    const batch: JobOutcome[] = []
    const rest: JobOutcome[] = []
    for (const o of this.pending) ((o.job.kind === 'DELIVERY') === delivery && batch.length < this.opts.settleBatch ? batch : rest).push(o)
    this.pending.splice(0, this.pending.length, ...rest)
    return batch
  }

  /**
   * Writes one batch, retrying while the database is down or restarting (the outcomes are kept
   * and their leases extended once it is back). Only a stopping worker gives up, after drainMs:
   * the jobs' leases then expire and another worker runs them again, so nothing is lost.
   */
  private async settleWithRetry(batch: JobOutcome[]): Promise<void> {
    let giveUpAt = Infinity
    for (let attempt = 1; ; attempt++) {
      try {
        const summary = await this.ds.transaction((em) => settleJobs(em, this.opts, batch, new Date())) // READ COMMITTED, the default
        if (this.m) for (const [k, v] of Object.entries(summary)) if (v) this.m.outcomes.inc({ outcome: k }, v)
        if (summary.lost) this.log.warn({ lost: summary.lost }, 'outcomes dropped: jobs no longer held by this worker')
        return
      } catch (err) {
        if (!this.running) giveUpAt = Math.min(giveUpAt, Date.now() + this.opts.drainMs)
        if (Date.now() >= giveUpAt) {
          this.log.error({ err, jobs: batch.length }, 'stopping without settling these outcomes; their jobs run again when the leases expire')
          return
        }
        this.log.warn({ err, attempt, jobs: batch.length }, 'settling outcomes failed; retrying')
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)))
      }
    }
  }

  /** Jobs this worker holds: running, or finished with the outcome not yet written. */
  private heldJobIds(): string[] {
    return [...this.active.keys(), ...this.ready.map((j) => j.id), ...this.pending.map((o) => o.job.id), ...this.settling.map((o) => o.job.id)]
  }

  private async maintain(): Promise<void> {
    try {
      await extendLeases(this.ds.manager, this.opts.workerId, this.heldJobIds(), this.opts.leaseMs)
      await this.hostSlots.heartbeat()
      if (!this.opts.sharedMaintenance) return
      const swept = await sweepExpiredLeases(this.ds.manager, this.opts.maxAttempts)
      if (swept > 0) this.log.info({ swept }, 'returned jobs of dead workers to the queue')
      await compactCounters(this.ds)
      const scheduled = await scheduleDynamicTokens(this.ds.manager, this.opts.dynamicTtlSeconds)
      if (scheduled > 0) this.log.info({ scheduled }, 'dynamic tokens re-queued after their ttl')
    } catch (err) {
      this.log.warn({ err }, 'queue maintenance failed')
    }
  }

  private async waitForDrain(ms: number): Promise<void> {
    const deadline = Date.now() + ms
    while (this.active.size > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(100, deadline - Date.now()))
        this.drained.add(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }
}
