/**
 * A client-side request budget for one upstream API, shared by every caller in a process: a token
 * bucket refilled at `perMinute / 60` tokens a second that holds at most `burst` tokens (default:
 * one second's worth, so a limited client sends at a steady rate instead of a minute's worth at
 * once). `perMinute: 0` means no rate limit; the pause still applies.
 *
 * `pauseFor` is how the server's word reaches every caller: after a 429 (or a response saying the
 * quota is spent) no request of this process starts before the pause ends, and the bucket is
 * emptied so requests resume at the steady rate, not in a burst.
 *
 * Waiting callers are served by priority (lower first), then in arrival order: the Stacks block
 * source passes the block height, so under a limit blocks complete in height order instead of a
 * whole window at once.
 */
export interface RequestBudgetOptions {
  /** requests a minute; 0 = unlimited */
  perMinute: number
  /** tokens the bucket holds at most; default max(1, ceil(perMinute / 60)) */
  burst?: number
  /** injectable for unit tests of the arithmetic; default Date.now */
  now?: () => number
  /** injectable for unit tests of the arithmetic; default setTimeout */
  sleep?: (ms: number) => Promise<void>
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class RequestBudget {
  readonly perMinute: number
  private readonly burst: number
  private readonly now: () => number
  private readonly sleep: (ms: number) => Promise<void>
  private tokens: number
  private refilledAt: number
  private resumeAt = 0
  private readonly waiters: { priority: number; seq: number; grant: () => void }[] = []
  private seq = 0
  private pumping = false
  private taken = 0

  constructor(opts: RequestBudgetOptions) {
    if (!Number.isFinite(opts.perMinute) || opts.perMinute < 0) throw new RangeError(`not a request budget: ${opts.perMinute} a minute`)
    this.perMinute = opts.perMinute
    this.burst = Math.max(1, opts.burst ?? Math.ceil(opts.perMinute / 60))
    this.now = opts.now ?? Date.now
    this.sleep = opts.sleep ?? realSleep
    this.tokens = this.burst
    this.refilledAt = this.now()
  }

  static unlimited(): RequestBudget {
    return new RequestBudget({ perMinute: 0 })
  }

  /** Requests let through so far. */
  get granted(): number {
    return this.taken
  }

  /** Time (ms since the epoch) before which no request starts; 0 when there is no pause. */
  get pausedUntil(): number {
    return this.resumeAt > this.now() ? this.resumeAt : 0
  }

  /** Resolves when the caller may send one request (and counts it against the budget); lower `priority` first. */
  take(priority = 0): Promise<void> {
    return new Promise((grant) => {
      this.waiters.push({ priority, seq: this.seq++, grant })
      if (!this.pumping) void this.pump()
    })
  }

  /** No request starts in the next `ms` (a longer pause already in force is kept). */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return
    this.resumeAt = Math.max(this.resumeAt, this.now() + ms)
    this.tokens = 0
    this.refilledAt = Math.max(this.refilledAt, this.resumeAt)
  }

  /** Grants tokens to the waiters, best first, as they become available; one pump at a time. */
  private async pump(): Promise<void> {
    this.pumping = true
    try {
      while (this.waiters.length > 0) {
        const now = this.now()
        const wait = Math.max(this.resumeAt - now, this.refill(now))
        if (wait > 0) {
          await this.sleep(wait)
          continue
        }
        let best = 0
        for (let i = 1; i < this.waiters.length; i++) {
          const w = this.waiters[i]
          const b = this.waiters[best]
          if (w.priority < b.priority || (w.priority === b.priority && w.seq < b.seq)) best = i
        }
        const [next] = this.waiters.splice(best, 1)
        if (this.perMinute > 0) this.tokens -= 1
        this.taken++
        next.grant()
      }
    } finally {
      this.pumping = false
    }
  }

  /** Adds the tokens earned since the last refill; returns ms until one token is there (<= 0: now). */
  private refill(now: number): number {
    if (this.perMinute === 0) return 0
    const perMs = this.perMinute / 60_000
    if (now > this.refilledAt) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * perMs)
      this.refilledAt = now
    }
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / perMs) + Math.max(0, this.refilledAt - now)
  }
}
