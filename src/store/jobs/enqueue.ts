import { JobRequest, jobId } from '../../core/jobs'
import { SqlExecutor, rows } from '../sql'

export interface EnqueueResult {
  /** Jobs after the merge, with the version a completion must reach to cover this request. */
  jobs: { id: string; requestVersion: number }[]
}

/**
 * Enqueues jobs with merge semantics, in the caller's transaction (a processor's batch, an API
 * request): one live job per token or contract.
 *
 * - absent: inserted QUEUED.
 * - QUEUED: priority = max, run_at = min (a new request never delays an earlier one).
 * - RUNNING: stays RUNNING, but requestVersion moves on, so the completion of the attempt in
 *   flight puts it back to QUEUED instead of DONE: a re-request is never lost.
 * - DONE / FAILED / INVALID: back to QUEUED with a fresh attempt count.
 *
 * Rows are written in id order, as every other writer of metadata_job locks them, so two
 * transactions can never deadlock on each other's job rows.
 */
export async function enqueueJobs(db: SqlExecutor, requests: readonly JobRequest[], now: Date): Promise<EnqueueResult> {
  const merged = mergeRequests(requests)
  if (merged.length === 0) return { jobs: [] }
  const result = await rows<{ id: string; request_version: number }>(db, `${UPSERT} RETURNING id, request_version`, upsertParams(merged, now))
  return { jobs: result.map((r) => ({ id: r.id, requestVersion: r.request_version })) }
}

/**
 * enqueueJobs for callers that need no versions (a processor's batch): the same statement without
 * RETURNING. Every merged request inserts or updates exactly one row, so the count is theirs.
 */
export async function enqueueJobsCount(db: SqlExecutor, requests: readonly JobRequest[], now: Date): Promise<number> {
  const merged = mergeRequests(requests)
  if (merged.length === 0) return 0
  await db.query(UPSERT, upsertParams(merged, now))
  return merged.length
}

const UPSERT = `INSERT INTO metadata_job AS j
       (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version,
        queued_at, created_at, updated_at, fetch_timeout_ms, max_attempts, retry_statuses, backoff_base_ms)
     SELECT id, kind, chain, contract_id, token_ref, 'QUEUED', priority, run_at, 0, 1, $8, $8, $8,
            fetch_timeout_ms, max_attempts, CASE WHEN retry_statuses IS NULL THEN NULL ELSE string_to_array(retry_statuses, ',')::int[] END, backoff_base_ms
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::timestamptz[], $9::int[], $10::int[], $11::text[], $12::int[])
         AS r(id, kind, chain, contract_id, token_ref, priority, run_at, fetch_timeout_ms, max_attempts, retry_statuses, backoff_base_ms)
      ORDER BY id
     ON CONFLICT (id) DO UPDATE SET
       priority = CASE WHEN j.status IN ('QUEUED', 'RUNNING') THEN greatest(j.priority, excluded.priority)
                       ELSE excluded.priority END,
       run_at = CASE WHEN j.status = 'QUEUED' THEN least(j.run_at, excluded.run_at) ELSE excluded.run_at END,
       attempts = CASE WHEN j.status IN ('QUEUED', 'RUNNING') THEN j.attempts ELSE 0 END,
       queued_at = CASE WHEN j.status IN ('QUEUED', 'RUNNING') THEN j.queued_at ELSE excluded.queued_at END,
       status = CASE WHEN j.status = 'RUNNING' THEN 'RUNNING' ELSE 'QUEUED' END,
       request_version = j.request_version + 1,
       -- A request with a profile (a user refresh) imposes it; one without keeps the profile of a
       -- refresh still waiting (QUEUED / RUNNING) and otherwise returns to the general policy.
       fetch_timeout_ms = CASE WHEN excluded.max_attempts IS NOT NULL THEN excluded.fetch_timeout_ms
                               WHEN j.status IN ('QUEUED', 'RUNNING') THEN j.fetch_timeout_ms END,
       max_attempts = CASE WHEN excluded.max_attempts IS NOT NULL THEN excluded.max_attempts
                           WHEN j.status IN ('QUEUED', 'RUNNING') THEN j.max_attempts END,
       retry_statuses = CASE WHEN excluded.max_attempts IS NOT NULL THEN excluded.retry_statuses
                             WHEN j.status IN ('QUEUED', 'RUNNING') THEN j.retry_statuses END,
       backoff_base_ms = CASE WHEN excluded.max_attempts IS NOT NULL THEN excluded.backoff_base_ms
                              WHEN j.status IN ('QUEUED', 'RUNNING') THEN j.backoff_base_ms END,
       updated_at = excluded.updated_at`

function upsertParams(merged: Merged[], now: Date): unknown[] {
  return [
    merged.map((r) => r.id),
    merged.map((r) => r.kind),
    merged.map((r) => r.chain),
    merged.map((r) => r.contractId),
    merged.map((r) => r.tokenRef ?? null),
    merged.map((r) => r.priority),
    merged.map((r) => r.runAt ?? now),
    now,
    merged.map((r) => r.profile?.fetchTimeoutMs ?? null),
    merged.map((r) => r.profile?.maxAttempts ?? null),
    // int[][] cannot hold a null row or ragged rows: each list travels as comma-separated text.
    merged.map((r) => (r.profile ? r.profile.retryStatuses.join(',') : null)),
    merged.map((r) => r.profile?.backoffBaseMs ?? null),
  ]
}

type Merged = JobRequest & { id: string }

/** One request per job id (Postgres refuses to update one row twice in a statement), sorted by id. */
export function mergeRequests(requests: readonly JobRequest[]): Merged[] {
  const byId = new Map<string, Merged>()
  for (const r of requests) {
    const id = jobId(r)
    const prev = byId.get(id)
    if (!prev) {
      // A literal, not a spread: this runs once per job of a 100,000-event backfill.
      byId.set(id, { id, kind: r.kind, chain: r.chain, contractId: r.contractId, tokenRef: r.tokenRef, priority: r.priority, runAt: r.runAt, profile: r.profile })
      continue
    }
    prev.profile = r.profile ?? prev.profile
    prev.priority = Math.max(prev.priority, r.priority)
    if (r.runAt === undefined || (prev.runAt !== undefined && r.runAt < prev.runAt)) prev.runAt = r.runAt
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
