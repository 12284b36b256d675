import { takeFromBudget } from '../../store/rateLimits'
import type { SqlExecutor } from '../../store/sql'

const WINDOW_MS = 60_000
const KIND = 'on_demand_fetch'

/**
 * The global budget of fetches that reads may queue for never-seen tokens
 * (ON_DEMAND_FETCHES_PER_MINUTE), shared by every API process through one rate_limit_window row
 * per minute. Without it, reads of made-up ids would make the workers issue chain calls without
 * bound and fill metadata_job with tokens that do not exist.
 *
 * Once this process has seen the minute's budget run out it stops asking Postgres until the next
 * minute, so an attack of made-up ids costs no row lock per request after the first refusals.
 */
export class OnDemandBudget {
  private exhaustedUntil = 0

  constructor(private readonly perMinute: number) {}

  /** Whether this process already saw this minute's budget run out (no need to ask Postgres). */
  exhausted(now: Date): boolean {
    return this.perMinute === 0 || now.getTime() < this.exhaustedUntil
  }

  /** Units granted (0..want); run inside the transaction that enqueues them (a rollback returns them). */
  async take(db: SqlExecutor, want: number, now: Date): Promise<number> {
    if (want === 0 || this.exhausted(now)) return 0
    const granted = await takeFromBudget(db, KIND, WINDOW_MS, this.perMinute, want, now)
    if (granted < want) this.exhaustedUntil = (Math.floor(now.getTime() / WINDOW_MS) + 1) * WINDOW_MS
    return granted
  }
}
