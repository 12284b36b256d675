import type { Logger } from '../lib/logger'
import { recordChainHead } from '../store/chainProgress'
import type { SqlExecutor } from '../store/sql'

export interface HeadWatchOptions {
  /** Chain id -> reads that chain's head from its node. */
  heads: ReadonlyMap<string, () => Promise<number>>
  db: SqlExecutor
  intervalMs: number
  log: Logger
}

/**
 * The workers' view of every chain head, recorded every `intervalMs`. The processors record the
 * head too, but a processor that is down or stuck records nothing: the workers (which read the
 * same nodes for contract calls) keep the head moving, so the lag of a stalled chain grows on the
 * status surfaces and /ready fails, instead of freezing at its last value. A chain whose read is
 * still in flight is skipped for that round (a slow node never piles up requests).
 */
export class HeadWatch {
  private timer: NodeJS.Timeout | undefined
  private readonly busy = new Set<string>()
  private readonly rounds = new Set<Promise<void>>()

  constructor(private readonly opts: HeadWatchOptions) {}

  start(): void {
    if (this.opts.heads.size === 0) return
    this.round()
    this.timer = setInterval(() => this.round(), this.opts.intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await Promise.all(this.rounds)
  }

  private round(): void {
    for (const [chain, read] of this.opts.heads) {
      if (this.busy.has(chain)) continue
      this.busy.add(chain)
      const p = this.watch(chain, read).finally(() => {
        this.busy.delete(chain)
        this.rounds.delete(p)
      })
      this.rounds.add(p)
    }
  }

  private async watch(chain: string, read: () => Promise<number>): Promise<void> {
    try {
      await recordChainHead(this.opts.db, chain, await read(), 'worker')
    } catch (err) {
      this.opts.log.warn({ err, chain }, 'could not record the chain head')
    }
  }
}
