import { SqlExecutor, rows } from '../sql'
import { ClaimedJob } from '../../core/jobOutcome'
import { PRIORITY } from '../../core/jobs'

interface ClaimRow {
  id: string
  kind: ClaimedJob['kind']
  chain: string
  contract_id: string
  token_ref: string | null
  priority: number
  attempts: number
  claimed_version: number
  host: string | null
  standard: ClaimedJob['standard']
  fetch_timeout_ms: number | null
  max_attempts: number | null
  retry_statuses: number[] | null
  backoff_base_ms: number | null
}

/**
 * Which jobs a runner claims: metadata documents (TOKEN, CONTRACT) or media (MEDIA). A worker runs
 * one runner per lane, so a slow image never holds a slot a metadata document could use.
 */
export type JobLane = 'documents' | 'media'

const LANE_FILTER: Record<JobLane, string> = { documents: `kind <> 'MEDIA'`, media: `kind = 'MEDIA'` }

/**
 * Claims up to `limit` due jobs of one lane, highest priority first, with a lease. SKIP LOCKED lets any
 * number of workers claim at once without waiting on each other or on a processor that is
 * enqueueing; jobs whose last host is cooling down after a 429 are left for later.
 */
export async function claimJobs(db: SqlExecutor, workerId: string, limit: number, leaseMs: number, lane: JobLane = 'documents'): Promise<ClaimedJob[]> {
  const claimed = await rows<ClaimRow>(
    db,
    `WITH picked AS (
       SELECT id FROM metadata_job
        WHERE status = 'QUEUED' AND ${LANE_FILTER[lane]} AND run_at <= now()
          AND (host IS NULL OR NOT EXISTS (
                SELECT 1 FROM host_state h WHERE h.id = metadata_job.host AND h.cooldown_until > now()))
        ORDER BY priority DESC, run_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED),
     claimed AS (
       UPDATE metadata_job j
          SET status = 'RUNNING', locked_by = $1, locked_until = now() + make_interval(secs => $3 / 1000.0),
              claimed_version = j.request_version, attempts = j.attempts + 1, updated_at = now()
         FROM picked WHERE j.id = picked.id
       RETURNING j.id, j.kind, j.chain, j.contract_id, j.token_ref, j.priority, j.attempts, j.claimed_version, j.host,
                 j.fetch_timeout_ms, j.max_attempts, j.retry_statuses, j.backoff_base_ms,
                 (SELECT c.standard FROM contract c WHERE c.id = j.contract_id) AS standard)
     SELECT * FROM claimed ORDER BY priority DESC`,
    [workerId, limit, leaseMs],
  )
  return claimed.map((r) => ({
    id: r.id,
    kind: r.kind,
    chain: r.chain,
    contractId: r.contract_id,
    tokenRef: r.token_ref,
    priority: r.priority,
    attempts: r.attempts,
    claimedVersion: r.claimed_version,
    host: r.host,
    standard: r.standard,
    profile:
      r.max_attempts === null
        ? null
        : { fetchTimeoutMs: r.fetch_timeout_ms ?? 10_000, maxAttempts: r.max_attempts, retryStatuses: r.retry_statuses ?? [], backoffBaseMs: r.backoff_base_ms ?? 1000 },
  }))
}

/**
 * Whether a claimed job can have refresh items to start or settle. Refreshes enqueue at
 * USER_REFRESH and enqueue keeps the highest priority while a job is queued or running, so a job
 * claimed below it has no item requested before its claim: the claim and the settle skip the
 * refresh statements for every other job.
 */
export function mayBelongToRefresh(job: ClaimedJob): boolean {
  return job.tokenRef !== null && job.priority >= PRIORITY.USER_REFRESH
}

/**
 * Extends the lease of jobs this worker still holds (heartbeat). Rows locked by someone else right
 * now (this worker settling them, a processor re-requesting them) are skipped, not waited for:
 * waiting in another lock order than settle's deadlocked, and the next heartbeat extends them.
 */
export async function extendLeases(db: SqlExecutor, workerId: string, ids: string[], leaseMs: number): Promise<number> {
  if (ids.length === 0) return 0
  const r = await rows<{ n: number }>(
    db,
    `WITH l AS (SELECT id FROM metadata_job WHERE id = ANY($2::text[]) AND locked_by = $1 AND status = 'RUNNING'
                 ORDER BY id FOR UPDATE SKIP LOCKED),
          u AS (UPDATE metadata_job j SET locked_until = now() + make_interval(secs => $3 / 1000.0) FROM l WHERE j.id = l.id RETURNING 1)
     SELECT count(*)::int AS n FROM u`,
    [workerId, ids, leaseMs],
  )
  return r[0].n
}

/**
 * Returns jobs whose lease expired (their worker died or hung) to the queue. The attempt they
 * were on counts, so a job that kills its worker every time still ends FAILED eventually.
 * SKIP LOCKED: a row someone is writing right now is not expired anyway.
 */
export async function sweepExpiredLeases(db: SqlExecutor, maxAttempts: number): Promise<number> {
  const r = await rows<{ n: number }>(
    db,
    `WITH expired AS (
       SELECT id FROM metadata_job WHERE status = 'RUNNING' AND locked_until < now()
        ORDER BY id FOR UPDATE SKIP LOCKED),
     u AS (
       UPDATE metadata_job j SET
              status = CASE WHEN j.attempts >= coalesce(j.max_attempts, $1) AND j.request_version <= j.claimed_version THEN 'FAILED' ELSE 'QUEUED' END,
              error_code = coalesce(j.error_code, 'timeout'),
              error_message = coalesce(j.error_message, 'worker lease expired'),
              locked_by = NULL, locked_until = NULL, run_at = now(), updated_at = now()
         FROM expired WHERE j.id = expired.id RETURNING 1)
     SELECT count(*)::int AS n FROM u`,
    [maxAttempts],
  )
  return r[0].n
}

/**
 * Gives jobs back without counting the attempt (graceful shutdown, host slot unavailable).
 */
export async function releaseJobs(db: SqlExecutor, workerId: string, ids: string[], delayMs = 0): Promise<number> {
  if (ids.length === 0) return 0
  const r = await rows<{ n: number }>(
    db,
    `WITH l AS (SELECT id FROM metadata_job WHERE id = ANY($2::text[]) AND locked_by = $1 ORDER BY id FOR UPDATE),
     u AS (
       UPDATE metadata_job j SET status = 'QUEUED', attempts = greatest(j.attempts - 1, 0), locked_by = NULL,
              locked_until = NULL, run_at = now() + make_interval(secs => $3 / 1000.0), updated_at = now()
         FROM l WHERE j.id = l.id RETURNING 1)
     SELECT count(*)::int AS n FROM u`,
    [workerId, ids, delayMs],
  )
  return r[0].n
}
