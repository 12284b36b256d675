import type { JobOutcome, QueueSettings } from '../core/jobOutcome'
import { recordMinuteStats } from '../store/jobs/jobStats'
import { writeMediaResults } from '../store/media'
import { lockOwnedJobs, lockSubjects, updateJobRows, writeResults, type Transition } from '../store/jobs/settleWrites'
import type { SqlExecutor } from '../store/sql'
import type { MediaQueueSettings } from '../media/mediaSource'
import { documentMediaOf, queueDocumentMedia } from '../store/jobs/mediaJobs'
import { transition } from './transition'

export interface SettleSettings extends QueueSettings {
  /** Media caching: stored documents' images are queued as media jobs. Absent = off. */
  media?: MediaQueueSettings
}

export interface SettleSummary {
  done: number
  retried: number
  invalid: number
  failed: number
  requeued: number
  /** Outcomes dropped because the job was no longer ours (lease expired, reorg rollback). */
  lost: number
}

/**
 * Records the outcomes of a batch of attempts, in the caller's transaction. Only jobs this
 * worker still holds are settled (a job whose lease expired belongs to someone else now, and
 * its stale result is dropped with everything it would have written).
 *
 * A job that was re-requested while it ran (requestVersion > claimedVersion) goes back to
 * QUEUED instead of DONE / INVALID / FAILED, so the newer request is honoured.
 */
export async function settleJobs(db: SqlExecutor, settings: SettleSettings, outcomes: JobOutcome[], now: Date, random = Math.random): Promise<SettleSummary> {
  const summary: SettleSummary = { done: 0, retried: 0, invalid: 0, failed: 0, requeued: 0, lost: 0 }
  if (outcomes.length === 0) return summary
  const { busy, locked } = await lockSubjects(db, outcomes)
  const owned = await lockOwnedJobs(
    db,
    settings.workerId,
    outcomes.filter((o) => !busy.has(o.job.id)).map((o) => o.job.id),
  )
  const transitions: Transition[] = []
  // One outcome per job: after a long database outage a worker may hold two outcomes of one job
  // (its lease expired and it claimed the job again); the latest attempt is the one that counts.
  const latest = new Map(outcomes.map((o) => [o.job.id, o]))
  for (const outcome of outcomes) {
    const row = owned.get(outcome.job.id)
    if (latest.get(outcome.job.id) !== outcome || !row) {
      summary.lost++
      continue
    }
    const t = transition(outcome, row, settings, now, random)
    transitions.push(t)
    count(summary, t)
  }
  if (transitions.length === 0) return summary
  await updateJobRows(db, transitions, now)
  await writeResults(db, transitions, now, locked)
  await writeMediaOutcomes(db, settings, transitions, now)
  await recordMinuteStats(db, transitions, now)
  return summary
}

function count(summary: SettleSummary, t: Transition): void {
  if (t.rerun) summary.requeued++
  else if (t.status === 'DONE') summary.done++
  else if (t.status === 'INVALID') summary.invalid++
  else if (t.status === 'FAILED') summary.failed++
  else summary.retried++
}

/**
 * Media: a media job's file is recorded; stored token and contract documents get their media
 * uses and media jobs. Nothing here changes a metadata status.
 */
async function writeMediaOutcomes(db: SqlExecutor, settings: SettleSettings, ts: Transition[], now: Date): Promise<void> {
  const files = ts.flatMap((t) => (t.outcome.ok && t.outcome.kind === 'MEDIA' ? [t.outcome.media] : []))
  await writeMediaResults(db, files, now)
  if (settings.media) await queueDocumentMedia(db, settings.media, documentMediaOf(ts.map((t) => t.outcome)), now)
}
