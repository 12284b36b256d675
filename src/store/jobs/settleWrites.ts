import type { JobOutcome } from '../../core/jobOutcome'
import {
  writeContractErrors,
  writeContractResults,
  writeTokenErrors,
  writeTokenResults,
  type ContractErrorRow,
  type ContractResultRow,
  type TokenErrorRow,
  type TokenResultRow,
} from '../metadataWriter'
import { publishMetadataChanges, readPriorDocuments } from '../metadataChanges'
import { settleRefreshItems } from '../refreshItems'
import { settleDeliveries } from './deliverySettle'
import { SqlExecutor, rows } from '../sql'
import { mayBelongToRefresh } from './claim'

/**
 * The statements of a worker's settle, in their lock order: the tokens and contracts the outcomes
 * write under (key-share, without waiting), then the job rows in id order, then the job rows'
 * update, the metadata rows and the refresh items, then the minute statistics (jobStats.ts). Pushed metadata
 * (storePushedMetadata) takes the same order. The rules that choose each job's next state live in
 * queue/transition.ts; this module only writes them.
 */

export type NextStatus = 'DONE' | 'QUEUED' | 'INVALID' | 'FAILED'

/** A job's next state, as queue/transition.ts decides it. */
export interface Transition {
  outcome: JobOutcome
  status: NextStatus
  runAt: Date
  attempts: number
  /** true when a request arrived while the job ran: it goes round again, fresh. */
  rerun: boolean
  /** The attempt settles the refresh items requested before its claim. */
  settlesRefreshItems: boolean
}

/** A job row this worker still holds, as the settle locked it. */
export interface OwnedRow {
  id: string
  request_version: number
  claimed_version: number
  attempts: number
}

/**
 * Key-share locks on the tokens and contracts the outcomes will write under, taken before the job
 * rows and without waiting. A processor rolling back a block deletes a token (or contract) and,
 * through a trigger, its job; a settle that held the job and then waited for the token (the
 * foreign key check of the metadata row) would deadlock with it. A row locked by someone else
 * (a delete in progress) makes its outcomes lost: the job is deleted with it, or, if the rollback
 * fails, the job's lease expires and it runs again. Returns the job ids of those outcomes
 * (`busy`) and the tokens and contracts now locked (`locked`: they exist, and stay until commit).
 */
export async function lockSubjects(db: SqlExecutor, all: JobOutcome[]): Promise<{ busy: Set<string>; locked: Set<string> }> {
  // media jobs write under no token or contract; a DELIVERY job's contractId is its subscription
  const outcomes = all.filter((o) => o.job.kind !== 'MEDIA' && o.job.kind !== 'DELIVERY')
  const tokens = [...new Set(outcomes.flatMap((o) => (o.job.kind === 'TOKEN' && o.job.tokenRef ? [o.job.tokenRef] : [])))]
  const contracts = [...new Set(outcomes.map((o) => o.job.contractId))]
  const locked = await rows<{ id: string }>(
    db,
    `WITH t AS (SELECT id FROM token WHERE id = ANY($1::text[]) FOR KEY SHARE SKIP LOCKED),
          c AS (SELECT id FROM contract WHERE id = ANY($2::text[]) FOR KEY SHARE SKIP LOCKED)
     SELECT id FROM t UNION ALL SELECT id FROM c`,
    [tokens, contracts],
  )
  const got = new Set(locked.map((r) => r.id))
  const rest = [...tokens, ...contracts].filter((id) => !got.has(id))
  if (rest.length === 0) return { busy: new Set(), locked: got }
  // Missing rows are not busy: a token fetched before it is indexed gets a placeholder row.
  const existing = await rows<{ id: string }>(db, `SELECT id FROM token WHERE id = ANY($1::text[]) UNION ALL SELECT id FROM contract WHERE id = ANY($1::text[])`, [rest])
  const busy = new Set(existing.map((r) => r.id))
  return { busy: new Set(outcomes.filter((o) => busy.has(o.job.contractId) || (o.job.tokenRef !== null && busy.has(o.job.tokenRef))).map((o) => o.job.id)), locked: got }
}

export async function lockOwnedJobs(db: SqlExecutor, workerId: string, ids: string[]): Promise<Map<string, OwnedRow>> {
  const owned = await rows<OwnedRow>(
    db,
    `SELECT id, request_version, claimed_version, attempts FROM metadata_job
      WHERE id = ANY($1::text[]) AND locked_by = $2 AND status = 'RUNNING'
      ORDER BY id FOR UPDATE`,
    [ids, workerId],
  )
  return new Map(owned.map((r) => [r.id, r]))
}

export async function updateJobRows(db: SqlExecutor, ts: Transition[], now: Date): Promise<void> {
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
      ts.map((t) => t.outcome.ok && t.outcome.kind === 'TOKEN'),
    ],
  )
}

/**
 * Metadata rows and refresh items: written for final outcomes of the version that ran; then the
 * change notifications they cause (metadata.updated / metadata.failed / refresh.completed) and
 * what delivery jobs sent. `locked`: the tokens lockSubjects holds (no placeholder row needed).
 */
export async function writeResults(db: SqlExecutor, ts: Transition[], now: Date, locked: ReadonlySet<string>): Promise<void> {
  const tokenRows: (TokenResultRow & { chain: string })[] = []
  const contractRows: ContractResultRow[] = []
  const tokenErrors: (TokenErrorRow & { chain: string })[] = []
  const contractErrors: ContractErrorRow[] = []
  for (const t of ts) {
    const o = t.outcome
    const { chain, contractId, tokenRef } = o.job
    // media and delivery outcomes write no metadata rows (their own writers record them)
    if (o.ok && o.kind === 'TOKEN') tokenRows.push({ tokenRef: tokenRef!, chain, contractId, result: o.token })
    else if (o.ok && o.kind === 'CONTRACT') contractRows.push({ contractId, result: o.contract })
    // A retry in progress keeps the previous metadata untouched; only a final failure is recorded.
    else if (!o.ok && (t.status === 'INVALID' || t.status === 'FAILED')) {
      if (o.job.kind === 'TOKEN') tokenErrors.push({ tokenRef: tokenRef!, chain, contractId, status: t.status, error: o.error, uri: o.uri ?? null })
      else if (o.job.kind === 'CONTRACT') contractErrors.push({ contractId, status: t.status, error: o.error })
    }
  }
  const prior = await readPriorDocuments(
    db,
    tokenRows.map((r) => r.tokenRef),
  )
  await writeTokenResults(db, tokenRows, now, { stored: prior, indexed: locked })
  await writeTokenErrors(db, tokenErrors, now)
  await writeContractResults(db, contractRows, now)
  await writeContractErrors(db, contractErrors, now)
  const completed = await settleRefreshItems(
    db,
    ts
      .filter((t) => t.outcome.job.kind === 'TOKEN' && t.settlesRefreshItems && mayBelongToRefresh(t.outcome.job))
      .map((t) => ({
        tokenRef: t.outcome.job.tokenRef!,
        claimedVersion: t.outcome.job.claimedVersion,
        error: t.outcome.ok ? undefined : t.outcome.error,
      })),
    now,
  )
  await publishMetadataChanges(db, { prior, stored: tokenRows, failed: tokenErrors, completed }, now)
  await settleDeliveries(
    db,
    ts.filter((t) => t.outcome.job.kind === 'DELIVERY'),
    now,
  )
}
