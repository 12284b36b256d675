import type { Logger } from 'pino'
import { activeCooldowns, grantHostSlots, recordHostCooldown, releaseHostLeases, renewHostLeases } from '../store/hostLeases'
import type { SqlExecutor } from '../store/sql'

export interface HostSlotSettings {
  workerId: string
  /** Concurrent fetches per host across all workers. */
  capPerHost: number
  /** How long granted slots stay reserved without a heartbeat. */
  leaseMs: number
  /** How long a caller waits for a slot before giving the job back. */
  waitMs: number
}

interface HostEntry {
  granted: number
  inUse: number
  waiters: (() => void)[]
  cooldownUntil: number
  growing?: Promise<void>
}

export type SlotResult = { ok: true; release: () => void } | { ok: false; reason: 'cooldown' | 'busy'; retryAt: number }

/**
 * Per-host politeness shared by every worker process, with no database round trip per fetch:
 * each worker leases a number of slots per host from Postgres (host_lease), never more in sum
 * than the cap, and hands them out locally. Leases are renewed by heartbeat and shrink to the
 * worker's demand, so idle slots flow to other workers; a dead worker's slots come back when
 * its lease expires. The 429 cooldown lives in host_state and is read at every grant and
 * heartbeat, so one worker's 429 pauses the host for all of them.
 */
export class HostSlots {
  private readonly hosts = new Map<string, HostEntry>()

  constructor(
    private readonly db: SqlExecutor,
    private readonly settings: HostSlotSettings,
    private readonly log?: Logger,
  ) {}

  async acquire(host: string): Promise<SlotResult> {
    const e = this.entry(host)
    const deadline = Date.now() + this.settings.waitMs
    for (;;) {
      if (e.cooldownUntil > Date.now()) return { ok: false, reason: 'cooldown', retryAt: e.cooldownUntil }
      if (e.inUse < e.granted) {
        e.inUse++
        return { ok: true, release: once(() => this.release(host)) }
      }
      e.growing ??= this.grow(host, e.inUse + e.waiters.length + 1).finally(() => (e.growing = undefined))
      await e.growing
      if (e.inUse < e.granted || e.cooldownUntil > Date.now()) continue
      const left = deadline - Date.now()
      if (left <= 0 || !(await this.waitForRelease(e, Math.min(left, 250)))) {
        if (Date.now() >= deadline) return { ok: false, reason: 'busy', retryAt: Date.now() + this.settings.waitMs }
      }
    }
  }

  /** Records a 429 (or an explicit Retry-After) for the host, for every worker. */
  async cooldown(host: string, ms: number): Promise<void> {
    const until = Date.now() + ms
    const e = this.entry(host)
    e.cooldownUntil = Math.max(e.cooldownUntil, until)
    await recordHostCooldown(this.db, host, new Date(until))
  }

  /** Renews leases at current demand, drops idle ones, refreshes cooldowns. Call every leaseMs / 3. */
  async heartbeat(): Promise<void> {
    const hosts = [...this.hosts.entries()]
    if (hosts.length === 0) return
    const keep = hosts.filter(([, e]) => e.inUse + e.waiters.length > 0)
    for (const [host, e] of hosts) {
      if (e.inUse + e.waiters.length === 0 && !e.growing) {
        this.hosts.delete(host)
      } else {
        e.granted = Math.min(e.granted, e.inUse + e.waiters.length)
      }
    }
    await renewHostLeases(
      this.db,
      this.settings.workerId,
      keep.map(([host, e]) => ({ host, slots: e.granted })),
      this.settings.leaseMs,
    )
    const cooldowns = await activeCooldowns(
      this.db,
      keep.map(([h]) => h),
    )
    for (const c of cooldowns) this.entry(c.id).cooldownUntil = c.until.getTime()
  }

  /** Gives every lease back (graceful shutdown). */
  async releaseAll(): Promise<void> {
    this.hosts.clear()
    await releaseHostLeases(this.db, this.settings.workerId)
  }

  private entry(host: string): HostEntry {
    let e = this.hosts.get(host)
    if (!e) {
      e = { granted: 0, inUse: 0, waiters: [], cooldownUntil: 0 }
      this.hosts.set(host, e)
    }
    return e
  }

  private release(host: string): void {
    const e = this.hosts.get(host)
    if (!e) return
    e.inUse = Math.max(0, e.inUse - 1)
    e.waiters.shift()?.()
  }

  private waitForRelease(e: HostEntry, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        resolve(true)
      }
      const timer = setTimeout(() => {
        const i = e.waiters.indexOf(wake)
        if (i >= 0) e.waiters.splice(i, 1)
        resolve(false)
      }, ms)
      e.waiters.push(wake)
    })
  }

  /**
   * Asks for `want` slots. Serialised per host by an advisory lock, so concurrent grants from
   * several workers never add up past the cap.
   */
  private async grow(host: string, want: number): Promise<void> {
    const e = this.entry(host)
    try {
      const r = await grantHostSlots(this.db, host, this.settings.workerId, want, this.settings.capPerHost, this.settings.leaseMs)
      e.granted = Math.max(e.inUse, r.granted)
      e.cooldownUntil = r.cooldownUntil ? r.cooldownUntil.getTime() : 0
    } catch (err) {
      this.log?.warn({ err, host }, 'host slot grant failed')
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

function once(fn: () => void): () => void {
  let done = false
  return () => {
    if (!done) {
      done = true
      fn()
    }
  }
}
