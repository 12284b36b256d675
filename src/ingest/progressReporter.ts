import type { Logger } from '../lib/logger'
import { recordChainHead, recordProcessorBeat } from '../store/chainProgress'
import type { SqlExecutor } from '../store/sql'

export interface ProgressReporterOptions {
  chain: string
  /** A pool (not the batch transaction: a heartbeat neither waits for a batch nor rolls back with one). */
  db: SqlExecutor
  intervalMs: number
  /** Reads the chain head from the node (EVM: eth_blockNumber); absent when the processor reports it (Stacks: its tip). */
  pollHead?: () => Promise<number>
  log: Logger
  /** Batches inside this window give the speed shown while behind the head. */
  speedWindowMs?: number
}

/**
 * A chain processor's heartbeat, chain head and newest applied block, recorded in Postgres with
 * every batch and every `intervalMs` (so a processor waiting at the head still shows it is
 * alive). Writes are serialised and coalesced: a burst of batches costs one write in flight and
 * at most one queued. A failed write is logged and counted by the silence it leaves (/ready
 * reports a processor whose heartbeat stops); indexing never waits for it.
 */
export class ProgressReporter {
  private readonly startedAt = new Date()
  private head: number | null = null
  /** The head was observed since the last write (a head the node no longer confirms is not re-stamped as fresh). */
  private headSeen = false
  private ticking = false
  private newest: { height: number; time: Date } | null = null
  private samples: { at: number; height: number }[] = []
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> | undefined
  private dirty = false

  constructor(private readonly opts: ProgressReporterOptions) {}

  /** Records the first heartbeat, then one every interval. */
  async start(): Promise<void> {
    await this.tick()
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.writing
  }

  /** The chain head as the processor's own block source sees it. */
  observeHead(height: number): void {
    this.head = height
    this.headSeen = true
  }

  /** After a batch: its newest block, and whether the batch reached the chain head. */
  batchApplied(newest: { height: number; time: Date }, atHead: boolean): void {
    this.newest = newest
    this.head = Math.max(this.head ?? newest.height, newest.height)
    this.headSeen = true
    const now = Date.now()
    if (atHead) this.samples = []
    else {
      this.samples.push({ at: now, height: newest.height })
      const from = now - (this.opts.speedWindowMs ?? 30_000)
      while (this.samples.length > 2 && this.samples[0].at < from) this.samples.shift()
    }
    this.write()
  }

  /** Blocks per second over the recent batches; null at the head or before two batches. */
  private speed(): number | null {
    if (this.samples.length < 2) return null
    const first = this.samples[0]
    const last = this.samples[this.samples.length - 1]
    const seconds = (last.at - first.at) / 1000
    return seconds > 0 ? (last.height - first.height) / seconds : null
  }

  private async tick(): Promise<void> {
    if (this.ticking) return // a slow node: the previous poll is still out
    this.ticking = true
    try {
      if (this.opts.pollHead) {
        try {
          this.observeHead(await this.opts.pollHead())
        } catch (err) {
          this.opts.log.warn({ err, chain: this.opts.chain }, 'could not read the chain head')
        }
      }
      await this.write()
    } finally {
      this.ticking = false
    }
  }

  private write(): Promise<void> {
    if (this.writing) {
      this.dirty = true
      return this.writing
    }
    this.writing = this.flush().finally(() => {
      this.writing = undefined
      if (this.dirty) {
        this.dirty = false
        void this.write()
      }
    })
    return this.writing
  }

  private async flush(): Promise<void> {
    const { chain, db, log } = this.opts
    try {
      if (this.head !== null && this.headSeen) {
        this.headSeen = false
        await recordChainHead(db, chain, this.head, 'processor')
      }
      await recordProcessorBeat(db, { chain, startedAt: this.startedAt, newestBlock: this.newest, blocksPerSecond: this.speed() })
    } catch (err) {
      log.warn({ err, chain }, 'could not record the processor heartbeat')
    }
  }
}
