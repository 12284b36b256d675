import { randomUUID } from 'node:crypto'
import { PRIORITY, tokenJobId, type RetryProfile } from '../core/jobs'
import { tokenKey } from '../core/ids'
import { enqueueJobs } from './jobs/enqueue'
import { SqlExecutor, rows } from './sql'

export interface CreateRefreshInput {
  surface: 'imx' | 'zkevm' | 'mavis' | 'sequence' | 'graphql'
  chain: string
  contractId: string
  tokenIds: bigint[]
  apiKeyId?: string | null
  /** Immutable X project-owner authentication: the signing owner (lowercase 0x address). */
  requestedBy?: string | null
  /** How the workers fetch and retry this refresh's tokens (the surface's documented rules). */
  profile?: RetryProfile
  /** Also queue the contract-level metadata (contract reads and contract document) at user-refresh priority. */
  contract?: boolean
}

export interface RefreshSummary {
  id: string
  surface: string
  chain: string
  contractId: string
  status: 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED'
  tokenCount: number
  succeeded: number
  failed: number
  pending: number
  createdAt: Date
  startedAt: Date | null
  completedAt: Date | null
  requestedBy: string | null
  /** Sequence's numeric task id (an identity column). */
  taskId: number
}

export interface RefreshError {
  tokenId: string
  tokenRef: string
  errorCode: string | null
  httpStatus: number | null
  body: string | null
  url: string | null
  createdAt: Date
  /** Opaque position for cursor pagination. */
  position: string
}

/**
 * A user-requested refresh, in the caller's transaction: one job per token at the highest
 * priority (merged with whatever is queued), and one item per token remembering the job version
 * that must be reached, so the item is settled by an attempt that started after the request.
 */
export async function createRefresh(db: SqlExecutor, input: CreateRefreshInput, now: Date): Promise<{ id: string; taskId: number }> {
  const id = randomUUID()
  const ids = [...new Set(input.tokenIds.map((t) => t.toString()))]
  const refs = ids.map((t) => tokenKey(input.contractId, t))
  // Before the token jobs: every writer of metadata_job goes in id order ('contract:' < 'token:').
  if (input.contract) await enqueueJobs(db, [{ kind: 'CONTRACT', chain: input.chain, contractId: input.contractId, priority: PRIORITY.USER_REFRESH }], now)
  const { jobs } = await enqueueJobs(
    db,
    refs.map((tokenRef) => ({ kind: 'TOKEN', chain: input.chain, contractId: input.contractId, tokenRef, priority: PRIORITY.USER_REFRESH, profile: input.profile })),
    now,
  )
  const version = new Map(jobs.map((j) => [j.id, j.requestVersion]))
  // Nothing to wait for (a Sequence newMints refresh with no new mints): completed at once.
  const [{ task_id }] = await rows<{ task_id: string }>(
    db,
    `INSERT INTO refresh (id, surface, chain, contract_id, api_key_id, requested_by, status, token_count, created_at, started_at, completed_at)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 = 0 THEN 'COMPLETED' ELSE 'QUEUED' END, $7, $8,
             CASE WHEN $7 = 0 THEN $8::timestamptz END, CASE WHEN $7 = 0 THEN $8::timestamptz END)
     RETURNING task_id`,
    [id, input.surface, input.chain, input.contractId, input.apiKeyId ?? null, input.requestedBy ?? null, ids.length, now],
  )
  await db.query(
    `INSERT INTO refresh_item (id, refresh_id, token_ref, token_id, job_version, status, created_at)
     SELECT $1 || ':' || token_id, $1, token_ref, token_id::numeric, job_version, 'PENDING', $2
       FROM unnest($3::text[], $4::text[], $5::int[]) AS i(token_ref, token_id, job_version)`,
    [id, now, refs, ids, refs.map((r) => version.get(tokenJobId(r)) ?? 1)],
  )
  return { id, taskId: Number(task_id) }
}

/** The refresh with this Sequence task id. */
export async function refreshIdForTask(db: SqlExecutor, taskId: number): Promise<string | undefined> {
  if (!Number.isSafeInteger(taskId) || taskId < 0) return undefined
  const [r] = await rows<{ id: string }>(db, `SELECT id FROM refresh WHERE task_id = $1`, [taskId])
  return r?.id
}

export async function getRefresh(db: SqlExecutor, id: string): Promise<RefreshSummary | undefined> {
  const [r] = await rows<RefreshRow>(db, `${SUMMARY_SQL} WHERE r.id = $1`, [id])
  return r && toSummary(r)
}

/** Per-token errors of a refresh, in a stable order, after the cursor position. */
export async function listRefreshErrors(db: SqlExecutor, refreshId: string, limit: number, after?: string): Promise<{ errors: RefreshError[]; remaining: number }> {
  const list = await rows<{
    token_id: string
    token_ref: string
    error_code: string | null
    error_http_status: number | null
    error_body: string | null
    error_url: string | null
    finished_at: Date
    id: string
  }>(
    db,
    `SELECT token_id::text, token_ref, error_code, error_http_status, error_body, error_url, coalesce(finished_at, created_at) AS finished_at, id
       FROM refresh_item WHERE refresh_id = $1 AND status = 'FAILED' AND ($2::text IS NULL OR id > $2)
      ORDER BY id LIMIT $3`,
    [refreshId, after ?? null, limit],
  )
  const last = list[list.length - 1]
  const [{ n }] = last
    ? await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM refresh_item WHERE refresh_id = $1 AND status = 'FAILED' AND id > $2`, [refreshId, last.id])
    : [{ n: 0 }]
  return {
    errors: list.map((e) => ({
      tokenId: e.token_id,
      tokenRef: e.token_ref,
      errorCode: e.error_code,
      httpStatus: e.error_http_status,
      body: e.error_body,
      url: e.error_url,
      createdAt: e.finished_at,
      position: e.id,
    })),
    remaining: n,
  }
}

interface RefreshRow {
  id: string
  surface: string
  chain: string
  contract_id: string
  status: RefreshSummary['status']
  token_count: number
  succeeded: number
  failed: number
  pending: number
  created_at: Date
  started_at: Date | null
  completed_at: Date | null
  requested_by: string | null
  task_id: string
}

// Counts come from the (refresh_id, status) index: at most 1,000 items per refresh.
const SUMMARY_SQL = `
  SELECT r.id, r.surface, r.chain, r.contract_id, r.status, r.token_count, r.created_at, r.started_at, r.completed_at, r.requested_by, r.task_id,
         (SELECT count(*)::int FROM refresh_item i WHERE i.refresh_id = r.id AND i.status = 'SUCCEEDED') AS succeeded,
         (SELECT count(*)::int FROM refresh_item i WHERE i.refresh_id = r.id AND i.status = 'FAILED') AS failed,
         (SELECT count(*)::int FROM refresh_item i WHERE i.refresh_id = r.id AND i.status = 'PENDING') AS pending
    FROM refresh r`

function toSummary(r: RefreshRow): RefreshSummary {
  return {
    id: r.id,
    surface: r.surface,
    chain: r.chain,
    contractId: r.contract_id,
    status: r.status,
    tokenCount: r.token_count,
    succeeded: r.succeeded,
    failed: r.failed,
    pending: r.pending,
    createdAt: r.created_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    requestedBy: r.requested_by,
    taskId: Number(r.task_id),
  }
}

export interface RefreshListRow {
  id: string
  chain: string
  contractId: string
  status: RefreshSummary['status']
  createdAt: Date
  startedAt: Date | null
  completedAt: Date | null
}

/**
 * One page of refreshes on a chain, newest first, optionally limited to some contracts
 * (null = all), after a (createdAt, id) position; `remaining` counts the rows after the page.
 */
export async function listRefreshPage(
  db: SqlExecutor,
  filter: { chain: string; contracts: string[] | null; requestedBy?: string },
  limit: number,
  before?: { createdAt: Date; id: string },
): Promise<{ rows: RefreshListRow[]; remaining: number }> {
  // requestedBy (a signing owner) also sees the refreshes it requested itself.
  const where = (requestedBy: string) => `r.chain = $1 AND ($2::text[] IS NULL OR r.contract_id = ANY($2::text[]) OR r.requested_by = ${requestedBy}::text)`
  const page = await rows<{
    id: string
    chain: string
    contract_id: string
    status: RefreshSummary['status']
    created_at: Date
    started_at: Date | null
    completed_at: Date | null
  }>(
    db,
    `SELECT r.id, r.chain, r.contract_id, r.status, r.created_at, r.started_at, r.completed_at FROM refresh r
      WHERE ${where('$6')} AND ($3::timestamptz IS NULL OR (r.created_at, r.id) < ($3, $4))
      ORDER BY r.created_at DESC, r.id DESC LIMIT $5`,
    [filter.chain, filter.contracts, before?.createdAt ?? null, before?.id ?? null, limit, filter.requestedBy ?? null],
  )
  const last = page[page.length - 1]
  const [{ n }] = last
    ? await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM refresh r WHERE ${where('$5')} AND (r.created_at, r.id) < ($3, $4)`, [
        filter.chain,
        filter.contracts,
        last.created_at,
        last.id,
        filter.requestedBy ?? null,
      ])
    : [{ n: 0 }]
  return {
    rows: page.map((r) => ({
      id: r.id,
      chain: r.chain,
      contractId: r.contract_id,
      status: r.status,
      createdAt: r.created_at,
      startedAt: r.started_at,
      completedAt: r.completed_at,
    })),
    remaining: n,
  }
}
