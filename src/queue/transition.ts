import type { JobOutcome, QueueSettings } from '../core/jobOutcome'
import type { OwnedRow, Transition } from '../store/jobs/settleWrites'
import { backoffDelayMs } from './backoff'
import { DeferredError } from './jobs/deferred'
import { retriedByProfile } from './retryProfile'

/**
 * A job's next state after one attempt, from the attempt's outcome and the job row as the settle
 * locked it. Pure: the settle writes what this returns.
 *
 * - Success: DONE.
 * - Deferred (the host, not the job, was busy): QUEUED after the host's wait; the attempt does not count.
 * - Permanent error: INVALID.
 * - Retryable error: QUEUED after backoff, or FAILED once the attempts (a delivery's, else the
 *   job's retry profile's, else the queue's) are used up or the profile does not retry that error.
 * - A request that arrived while the job ran (request_version > claimed_version) turns every
 *   final state into QUEUED, fresh, so the newer request is honoured.
 */
export function transition(outcome: JobOutcome, row: OwnedRow, settings: QueueSettings, now: Date, random: () => number = Math.random): Transition {
  const rerun = row.request_version > row.claimed_version
  const next = (status: Transition['status'], runAt: Date, attempts: number): Transition => ({
    outcome,
    status,
    runAt,
    attempts,
    rerun,
    settlesRefreshItems: settlesRefreshItems(outcome, status),
  })
  if (outcome.ok) return next(rerun ? 'QUEUED' : 'DONE', now, 0)
  if (outcome.error instanceof DeferredError) {
    return next('QUEUED', new Date(now.getTime() + (outcome.error.retryAfterMs ?? settings.backoffBaseMs)), Math.max(0, row.attempts - 1))
  }
  if (!outcome.error.retryable) return next(rerun ? 'QUEUED' : 'INVALID', now, 0)
  const profile = outcome.job.profile
  // A delivery retries every failure; running out of attempts (failures in a row) pauses its subscription.
  const delivery = outcome.job.kind === 'DELIVERY' ? settings.delivery : undefined
  const maxAttempts = delivery?.maxAttempts ?? profile?.maxAttempts ?? settings.maxAttempts
  const exhausted = row.attempts >= maxAttempts || (profile !== null && !retriedByProfile(outcome.error, profile))
  if (exhausted && !rerun) return next('FAILED', now, row.attempts)
  const baseMs = delivery?.backoffBaseMs ?? profile?.backoffBaseMs ?? settings.backoffBaseMs
  const delay = backoffDelayMs(row.attempts, { baseMs, maxMs: settings.backoffMaxMs }, outcome.error.retryAfterMs, random)
  return next('QUEUED', new Date(now.getTime() + delay), rerun ? 0 : row.attempts)
}

/**
 * Refresh items requested before the claim are settled by the attempt's final outcome: success,
 * a permanent error, or retries exhausted. A retry in progress leaves them pending; so does a
 * re-run for items requested after the claim (their job_version is newer).
 */
function settlesRefreshItems(outcome: JobOutcome, status: Transition['status']): boolean {
  return outcome.ok || !outcome.error.retryable || status === 'FAILED'
}
