import { SqlExecutor, rows } from '../store/sql'
import { writeContractErrors, writeContractResults, writeTokenErrors, writeTokenResults } from '../store/metadataWriter'
import { settleRefreshItems } from '../store/refreshItems'
import { backoffDelayMs } from './backoff'
import { retriedByProfile } from './retryProfile'
import { DeferredError } from './jobs/deferred'
import { publishMetadataChanges, readPriorDocuments } from './publishChanges'
import { settleDeliveries } from './settleDeliveries'
import { JobOutcome, QueueSettings } from './types'

type NextStatus = 'DONE' | 'QUEUED' | 'INVALID' | 'FAILED'

interface Transition {
  outcome: JobOutcome
  status: NextStatus
  runAt: Date
  attempts: number
  /** true when a request arrived while the job ran: it goes round again, fresh. */
  rerun: boolean
}

interface OwnedRow {
  id: string
  request_version: number
  claimed_version: number
  attempts: number
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
export async function settleJobs(db: SqlExecutor, settings: QueueSettings, outcomes: JobOutcome[], now: Date, random = Math.random): Promise<SettleSummary> {
  const summary: SettleSummary = { done: 0, retried: 0, invalid: 0, failed: 0, requeued: 0, lost: 0 }
  if (outcomes.length === 0) return summary
  const busy = await lockSubjects(db, outcomes)
  const owned = await lockOwnedJobs(db, settings.workerId, outcomes.filter((o) => !busy.has(o.job.id)).map((o) => o.job.id))
  const transitions: Transition[] = []
  // One outcome per job: after a long database outage a worker may hold two outcomes of one job
  // (its lease expired and it claimed the job again); the latest attempt is the one that counts.
  const latest = new Map(outcomes.map((o) => [o.job.id, o]))
  for (const outcome of outcomes) {
    if (latest.get(outcome.job.id) !== outcome) {
      summary.lost++
      continue
    }
    const row = owned.get(outcome.job.id)
    if (!row) {
      summary.lost++
      continue
    }
    const t = transition(outcome, row, settings, now, random)
    transitions.push(t)
    count(summary, t)
  }
  if (transitions.length === 0) return summary
  await updateJobRows(db, transitions, now)
  await writeResults(db, transitions, now)
  await recordMinuteStats(db, transitions, now)
  return summary
}

/**
 * Key-share locks on the tokens and contracts the outcomes will write under, taken before the job
 * rows and without waiting. A processor rolling back a block deletes a token (or contract) and,
 * through a trigger, its job; a settle that held the job and then waited for the token (the
 * foreign key check of the metadata row) would deadlock with it. A row locked by someone else
 * (a delete in progress) makes its outcomes lost: the job is deleted with it, or, if the rollback
 * fails, the job's lease expires and it runs again. Returns the job ids of those outcomes.
 */
async function lockSubjects(db: SqlExecutor, outcomes: JobOutcome[]): Promise<Set<string>> {
  const tokens = [...new Set(outcomes.flatMap((o) => (o.job.kind === 'TOKEN' && o.job.tokenRef ? [o.job.tokenRef] : [])))]
  // a DELIVERY job's contractId is its subscription: it writes under no contract
  const contracts = [...new Set(outcomes.filter((o) => o.job.kind !== 'DELIVERY').map((o) => o.job.contractId))]
  const locked = await rows<{ id: string }>(
    db,
    `WITH t AS (SELECT id FROM token WHERE id = ANY($1::text[]) FOR KEY SHARE SKIP LOCKED),
          c AS (SELECT id FROM contract WHERE id = ANY($2::text[]) FOR KEY SHARE SKIP LOCKED)
     SELECT id FROM t UNION ALL SELECT id FROM c`,
    [tokens, contracts],
  )
  const got = new Set(locked.map((r) => r.id))
  const rest = [...tokens, ...contracts].filter((id) => !got.has(id))
  if (rest.length === 0) return new Set()
  // Missing rows are not busy: a token fetched before it is indexed gets a placeholder row.
  const existing = await rows<{ id: string }>(db, `SELECT id FROM token WHERE id = ANY($1::text[]) UNION ALL SELECT id FROM contract WHERE id = ANY($1::text[])`, [rest])
  const busy = new Set(existing.map((r) => r.id))
  return new Set(outcomes.filter((o) => busy.has(o.job.contractId) || (o.job.tokenRef !== null && busy.has(o.job.tokenRef))).map((o) => o.job.id))
}

async function lockOwnedJobs(db: SqlExecutor, workerId: string, ids: string[]): Promise<Map<string, OwnedRow>> {
  const owned = await rows<OwnedRow>(
    db,
    `SELECT id, request_version, claimed_version, attempts FROM metadata_job
      WHERE id = ANY($1::text[]) AND locked_by = $2 AND status = 'RUNNING'
      ORDER BY id FOR UPDATE`,
    [ids, workerId],
  )
  return new Map(owned.map((r) => [r.id, r]))
}

function transition(outcome: JobOutcome, row: OwnedRow, settings: QueueSettings, now: Date, random: () => number): Transition {
  const rerun = row.request_version > row.claimed_version
  if (outcome.ok) {
    return { outcome, status: rerun ? 'QUEUED' : 'DONE', runAt: now, attempts: 0, rerun }
  }
  if (outcome.error instanceof DeferredError) {
    // The host, not the job, is busy: the attempt does not count.
    const runAt = new Date(now.getTime() + (outcome.error.retryAfterMs ?? settings.backoffBaseMs))
    return { outcome, status: 'QUEUED', runAt, attempts: Math.max(0, row.attempts - 1), rerun }
  }
  if (!outcome.error.retryable) {
    return { outcome, status: rerun ? 'QUEUED' : 'INVALID', runAt: now, attempts: 0, rerun }
  }
  const profile = outcome.job.profile
  // A delivery retries every failure; running out of attempts (failures in a row) pauses its subscription.
  const delivery = outcome.job.kind === 'DELIVERY' ? settings.delivery : undefined
  const maxAttempts = delivery?.maxAttempts ?? profile?.maxAttempts ?? settings.maxAttempts
  const exhausted = row.attempts >= maxAttempts || (profile !== null && !retriedByProfile(outcome.error, profile))
  if (exhausted && !rerun) return { outcome, status: 'FAILED', runAt: now, attempts: row.attempts, rerun }
  const baseMs = delivery?.backoffBaseMs ?? profile?.backoffBaseMs ?? settings.backoffBaseMs
  const delay = backoffDelayMs(row.attempts, { baseMs, maxMs: settings.backoffMaxMs }, outcome.error.retryAfterMs, random)
  return { outcome, status: 'QUEUED', runAt: new Date(now.getTime() + delay), attempts: rerun ? 0 : row.attempts, rerun }
}

function count(summary: SettleSummary, t: Transition): void {
  if (t.rerun) summary.requeued++
  else if (t.status === 'DONE') summary.done++
  else if (t.status === 'INVALID') summary.invalid++
  else if (t.status === 'FAILED') summary.failed++
  else summary.retried++
}

async function updateJobRows(db: SqlExecutor, ts: Transition[], now: Date): Promise<void> {
  const err = (t: Transition) => (t.outcome.ok ? undefined : t.outcome.error)
  await db.query(
    `UPDATE metadata_job j SET
        status = u.status, run_at = u.run_at, attempts = u.attempts,
        host = coalesce(u.host, j.host),
        queued_at = CASE WHEN u.rerun THEN $11 ELSE j.queued_at END,
        error_code = u.error_code, error_message = u.error_message, error_http_status = u.error_http_status,
        error_body = u.error_body, error_url = u.error_url,
        has_document = j.has_document OR u.stored,
        locked_by = NULL, locked_until = NULL, updated_at = $11,
        finished_at = CASE WHEN u.status = 'QUEUED' THEN j.finished_at ELSE $11 END
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::text[], $7::text[],
                   $8::int[], $9::text[], $10::bool[], $12::text[], $13::bool[])
         AS u(id, status, run_at, attempts, error_code, error_message, error_body, error_http_status, error_url, rerun, host, stored)
      WHERE j.id = u.id`,
    [
      ts.map((t) => t.outcome.job.id),
      ts.map((t) => t.status),
      ts.map((t) => t.runAt),
      ts.map((t) => t.attempts),
      ts.map((t) => err(t)?.code ?? null),
      ts.map((t) => err(t)?.message?.slice(0, 1000) ?? null),
      ts.map((t) => err(t)?.body ?? null),
      ts.map((t) => err(t)?.status ?? null),
      ts.map((t) => err(t)?.url ?? null),
      ts.map((t) => t.rerun),
      now,
      ts.map((t) => t.outcome.host ?? null),
      // a token document is stored with this outcome (writeResults): readers see STALE, not PENDING, from now on
      ts.map((t) => t.outcome.ok && t.outcome.job.kind === 'TOKEN' && t.outcome.token !== undefined),
    ],
  )
}

/** Metadata rows and refresh items: written for final outcomes of the version that ran. */
async function writeResults(db: SqlExecutor, ts: Transition[], now: Date): Promise<void> {
  const tokenOk = ts.filter((t) => t.outcome.ok && t.outcome.job.kind === 'TOKEN' && t.outcome.token)
  const contractOk = ts.filter((t) => t.outcome.ok && t.outcome.job.kind === 'CONTRACT' && t.outcome.contract)
  // A retry in progress keeps the previous metadata untouched; only a final failure is recorded.
  const tokenFinalErrors = ts.filter((t) => !t.outcome.ok && t.outcome.job.kind === 'TOKEN' && (t.status === 'INVALID' || t.status === 'FAILED'))
  const contractFinalErrors = ts.filter((t) => !t.outcome.ok && t.outcome.job.kind === 'CONTRACT' && (t.status === 'INVALID' || t.status === 'FAILED'))
  const prior = await readPriorDocuments(db, tokenOk.map((t) => t.outcome.job.tokenRef!))

  await writeTokenResults(
    db,
    tokenOk.map((t) => ({ tokenRef: t.outcome.job.tokenRef!, contractId: t.outcome.job.contractId, result: (t.outcome as { token: NonNullable<Extract<JobOutcome, { ok: true }>['token']> }).token })),
    now,
  )
  await writeTokenErrors(
    db,
    tokenFinalErrors.map((t) => {
      const failed = t.outcome as Extract<JobOutcome, { ok: false }>
      return { tokenRef: failed.job.tokenRef!, contractId: failed.job.contractId, status: t.status as 'INVALID' | 'FAILED', error: failed.error, uri: failed.uri ?? null }
    }),
    now,
  )
  await writeContractResults(
    db,
    contractOk.map((t) => ({ contractId: t.outcome.job.contractId, result: (t.outcome as Extract<JobOutcome, { ok: true }>).contract! })),
    now,
  )
  await writeContractErrors(
    db,
    contractFinalErrors.map((t) => ({ contractId: t.outcome.job.contractId, status: t.status as 'INVALID' | 'FAILED', error: (t.outcome as Extract<JobOutcome, { ok: false }>).error })),
    now,
  )
  const completed = await settleRefreshItems(
    db,
    ts.filter((t) => t.outcome.job.kind === 'TOKEN' && isFinalForClaim(t)).map((t) => ({
      tokenRef: t.outcome.job.tokenRef!,
      claimedVersion: t.outcome.job.claimedVersion,
      error: t.outcome.ok ? undefined : t.outcome.error,
    })),
    now,
  )
  await publishMetadataChanges(db, { prior, stored: tokenOk.map(storedOf), failed: tokenFinalErrors.map(failedOf), completed }, now)
  await settleDeliveries(db, ts.filter((t) => t.outcome.job.kind === 'DELIVERY'), now)
}

function storedOf(t: Transition) {
  return { tokenRef: t.outcome.job.tokenRef!, chain: t.outcome.job.chain, contractId: t.outcome.job.contractId, result: (t.outcome as Extract<JobOutcome, { ok: true }>).token! }
}

function failedOf(t: Transition) {
  const failed = t.outcome as Extract<JobOutcome, { ok: false }>
  return { tokenRef: failed.job.tokenRef!, chain: failed.job.chain, contractId: failed.job.contractId, status: t.status as 'INVALID' | 'FAILED', error: failed.error }
}

/**
 * Refresh items requested before the claim are settled by the attempt's final outcome: success,
 * a permanent error, or retries exhausted. A retry in progress leaves them pending; so does a
 * re-run for items requested after the claim (their job_version is newer).
 */
function isFinalForClaim(t: Transition): boolean {
  return t.outcome.ok || !t.outcome.error.retryable || t.status === 'FAILED'
}

async function recordMinuteStats(db: SqlExecutor, ts: Transition[], now: Date): Promise<void> {
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000)
  const groups = new Map<string, { chain: string; host: string; completed: number; failed: number; invalid: number; retried: number }>()
  // metadata fetch statistics: webhook deliveries are not fetches
  for (const t of ts.filter((x) => x.outcome.job.kind !== 'DELIVERY')) {
    const host = t.outcome.host ?? t.outcome.job.host ?? ''
    const key = `${t.outcome.job.chain}|${host}`
    const g = groups.get(key) ?? { chain: t.outcome.job.chain, host, completed: 0, failed: 0, invalid: 0, retried: 0 }
    if (t.outcome.ok) g.completed++
    else if (t.status === 'FAILED') g.failed++
    else if (!t.outcome.error.retryable) g.invalid++
    else g.retried++
    groups.set(key, g)
  }
  const gs = [...groups.values()].sort((a, b) => (a.chain + a.host < b.chain + b.host ? -1 : 1))
  await db.query(
    `INSERT INTO job_stat_minute AS s (id, minute, chain, host, completed, failed, invalid, retried)
     SELECT $1 || '|' || chain || '|' || host, $2, chain, host, completed, failed, invalid, retried
       FROM unnest($3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::int[])
         AS g(chain, host, completed, failed, invalid, retried)
     ON CONFLICT (id) DO UPDATE SET completed = s.completed + excluded.completed, failed = s.failed + excluded.failed,
       invalid = s.invalid + excluded.invalid, retried = s.retried + excluded.retried`,
    [
      minute.toISOString(),
      minute,
      gs.map((g) => g.chain),
      gs.map((g) => g.host),
      gs.map((g) => g.completed),
      gs.map((g) => g.failed),
      gs.map((g) => g.invalid),
      gs.map((g) => g.retried),
    ],
  )
}
