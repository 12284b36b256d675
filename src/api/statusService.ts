import { statusSnapshot, type StatusSnapshot } from '../store/read/statusSnapshot'
import type { ReadDb } from '../store/read/readDb'

/**
 * Status snapshots for every status surface. Concurrent requests share one computation
 * (single flight), and a finished snapshot is reused for `cacheMs`: dashboards polling every
 * second cost the database a handful of index probes per second, whatever the number of callers.
 */
export class StatusService {
  private cached: { at: number; snapshot: StatusSnapshot } | undefined
  private inFlight: Promise<StatusSnapshot> | undefined

  constructor(
    private readonly db: ReadDb,
    private readonly opts: { knownChains: readonly string[]; processorSilenceSeconds: number; cacheMs: number },
  ) {}

  get(): Promise<StatusSnapshot> {
    const c = this.cached
    if (c && Date.now() - c.at < this.opts.cacheMs) return Promise.resolve(c.snapshot)
    this.inFlight ??= statusSnapshot(this.db, { knownChains: this.opts.knownChains, processorSilenceSeconds: this.opts.processorSilenceSeconds })
      .then((snapshot) => {
        this.cached = { at: Date.now(), snapshot }
        return snapshot
      })
      .finally(() => (this.inFlight = undefined))
    return this.inFlight
  }
}
