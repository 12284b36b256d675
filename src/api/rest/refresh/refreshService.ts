import type { DataSource } from 'typeorm'
import type { Config } from '../../../config'
import type { RetryProfile } from '../../../core/jobs'
import type { ApiKeyRecord } from '../../../store/apiKeys'
import { createRefresh, getRefresh, type CreateRefreshInput, type RefreshSummary } from '../../../store/refreshes'
import { rows, type SqlExecutor } from '../../../store/sql'
import { mayRefresh } from '../../auth/apiKeyAuth'
import { consumeRefreshLimits, type RefreshLimitState } from '../../auth/refreshLimits'

/**
 * What every refresh surface does once it has parsed a request: take the key's limits and
 * create the refresh (USER_REFRESH jobs plus one item per token, settled by the workers), in one
 * transaction, so a refused request writes nothing and an accepted one is never half-created.
 * The rate-limit rows stay locked until commit, which serialises one key's concurrent refreshes
 * (five a second by default) and nothing else.
 */

export type RefreshSurface = CreateRefreshInput['surface']

export interface RefreshRequest {
  surface: RefreshSurface
  /** The API key the refresh is made with and charged to; null for a collection owner authenticated by signature alone. */
  key: ApiKeyRecord | null
  /** Immutable X project-owner authentication: the signing owner (lowercase). */
  owner?: string
  chain: string
  contractId: string
  /** Distinct token ids (the cost against the hourly budget). */
  tokenIds: bigint[]
  /** Also refresh the contract-level metadata (Sequence refreshAll). */
  contract?: boolean
}

export type RefreshOutcome = { kind: 'limited'; limits: RefreshLimitState } | { kind: 'created'; refreshId: string; taskId: number; limits: RefreshLimitState }

/** A refresh whose numeric task id collided with an older one: the transaction is redone with a new id. */
class TaskIdCollision extends Error {}

export async function requestRefresh(ds: DataSource, config: Config, req: RefreshRequest, now = new Date()): Promise<RefreshOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ds.transaction('READ COMMITTED', async (em) => {
        // An owner without a key has a budget of its own, under its address.
        const subject = req.key?.id ?? `eth:${req.owner}`
        const limits = await consumeRefreshLimits(em, config, subject, req.tokenIds.length, now)
        if (!limits.allowed) return { kind: 'limited', limits }
        const refreshId = await createRefresh(
          em,
          { surface: req.surface, chain: req.chain, contractId: req.contractId, tokenIds: req.tokenIds, contract: req.contract, apiKeyId: req.key?.id ?? null, requestedBy: req.owner ?? null, profile: refreshProfile(config, req.surface) },
          now,
        )
        if ((await refreshIdsForTask(em, taskIdOf(refreshId))).length > 1) throw new TaskIdCollision()
        // Nothing to wait for (a Sequence newMints refresh with no new mints): done at once.
        if (req.tokenIds.length === 0) {
          await em.query(`UPDATE refresh SET status = 'COMPLETED', started_at = $2, completed_at = $2 WHERE id = $1`, [refreshId, now])
        }
        return { kind: 'created', refreshId, taskId: taskIdOf(refreshId), limits }
      })
    } catch (e) {
      if (!(e instanceof TaskIdCollision) || attempt >= 3) throw e
    }
  }
}

/** The surface's retry profile (REFRESH_RETRY_PROFILES) in the queue's terms: retries + 1 attempts. */
export function refreshProfile(config: Config, surface: RefreshSurface): RetryProfile {
  const p = config.REFRESH_RETRY_PROFILES[surface]
  return { fetchTimeoutMs: p.timeoutMs, maxAttempts: p.retries + 1, retryStatuses: p.retryStatuses, backoffBaseMs: p.backoffBaseMs }
}

// ---------------------------------------------------------------------------------------------
// Numeric task ids (Sequence's Task.id and taskID are numbers; refresh ids are UUIDs)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function isRefreshId(value: string): boolean {
  return UUID.test(value)
}

/**
 * The first 48 bits of the refresh id (its first 12 hex digits, all random in a v4 UUID): a
 * safe JS integer. requestRefresh refuses a refresh whose task id is already taken, so the
 * mapping is one to one.
 */
export function taskIdOf(refreshId: string): number {
  return parseInt(refreshId.slice(0, 8) + refreshId.slice(9, 13), 16)
}

/** `xxxxxxxx-xxxx`: what every refresh id with this task id starts with. */
function taskPrefix(taskId: number): string | undefined {
  if (!Number.isSafeInteger(taskId) || taskId < 0 || taskId >= 2 ** 48) return undefined
  const hex = taskId.toString(16).padStart(12, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8)}`
}

/**
 * Refresh ids starting with the task's prefix. The range on the primary key keeps it an index
 * scan in any collation (the row's next character is '-' and then a digit, both before 'g';
 * collations that skip '-' compare that digit), and the exact test on left() decides.
 */
async function refreshIdsForTask(db: SqlExecutor, taskId: number): Promise<string[]> {
  const prefix = taskPrefix(taskId)
  if (!prefix) return []
  const found = await rows<{ id: string }>(db, `SELECT id FROM refresh WHERE id > $1 AND id < $2 AND left(id, 13) = $1 ORDER BY created_at DESC`, [prefix, `${prefix}g`])
  return found.map((r) => r.id)
}

export async function refreshIdForTask(db: SqlExecutor, taskId: number): Promise<string | undefined> {
  return (await refreshIdsForTask(db, taskId))[0]
}

// ---------------------------------------------------------------------------------------------
// Reading refreshes

/** The refresh if it exists and the key may see it (a key sees the refreshes of the contracts it may refresh). */
export async function visibleRefresh(db: SqlExecutor, key: ApiKeyRecord, id: string): Promise<RefreshSummary | undefined> {
  if (!isRefreshId(id)) return undefined
  const r = await getRefresh(db, id)
  return r && mayRefresh(key, r.contractId) ? r : undefined
}

export function addressOf(contractId: string, chain: string): string {
  return contractId.slice(chain.length + 1)
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
  const page = await rows<{ id: string; chain: string; contract_id: string; status: RefreshSummary['status']; created_at: Date; started_at: Date | null; completed_at: Date | null }>(
    db,
    `SELECT r.id, r.chain, r.contract_id, r.status, r.created_at, r.started_at, r.completed_at FROM refresh r
      WHERE ${where('$6')} AND ($3::timestamptz IS NULL OR (r.created_at, r.id) < ($3, $4))
      ORDER BY r.created_at DESC, r.id DESC LIMIT $5`,
    [filter.chain, filter.contracts, before?.createdAt ?? null, before?.id ?? null, limit, filter.requestedBy ?? null],
  )
  const last = page[page.length - 1]
  const [{ n }] = last
    ? await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM refresh r WHERE ${where('$5')} AND (r.created_at, r.id) < ($3, $4)`, [filter.chain, filter.contracts, last.created_at, last.id, filter.requestedBy ?? null])
    : [{ n: 0 }]
  return {
    rows: page.map((r) => ({ id: r.id, chain: r.chain, contractId: r.contract_id, status: r.status, createdAt: r.created_at, startedAt: r.started_at, completedAt: r.completed_at })),
    remaining: n,
  }
}

/**
 * Indexed token ids of a contract, in id order, at most `limit` (the caller asks for one more
 * than it allows, to tell "too many" apart). `neverFetched`: only tokens without fetched
 * metadata yet (Sequence's newMints).
 */
export async function indexedTokenIds(db: SqlExecutor, contractId: string, limit: number, neverFetched: boolean): Promise<bigint[]> {
  const found = await rows<{ token_id: string }>(
    db,
    `SELECT t.token_id::text AS token_id FROM token t
      WHERE t.contract_id = $1 AND NOT t.burned
        AND (NOT $2::bool OR NOT EXISTS (SELECT 1 FROM token_metadata m WHERE m.id = t.id))
      ORDER BY t.token_id LIMIT $3`,
    [contractId, neverFetched, limit],
  )
  return found.map((r) => BigInt(r.token_id))
}

// ---------------------------------------------------------------------------------------------
// Error codes

export const IMMUTABLE_ERROR_CODES = ['unable_to_retrieve_metadata', 'invalid_response_status_code', 'unable_to_decode_response', 'token_not_found'] as const
export type ImmutableErrorCode = (typeof IMMUTABLE_ERROR_CODES)[number]

/**
 * Our closed error codes (src/core/errors.ts) in Immutable's four words:
 * - no usable answer from the host (timeout, connection, redirect loop, refused or unusable
 *   URI, no URI, chain node down): unable_to_retrieve_metadata;
 * - a non-200 answer (4xx, 5xx, 429 after the retries): invalid_response_status_code;
 * - an answer that is not usable metadata (bad JSON, too large, wrong type, schema): unable_to_decode_response;
 * - the token does not exist (404 / 410, tokenURI reverted, contract or token unknown): token_not_found.
 */
export function immutableErrorCode(code: string | null): ImmutableErrorCode {
  switch (code) {
    case 'token_not_found':
    case 'contract_call_reverted':
      return 'token_not_found'
    case 'invalid_response_status_code':
    case 'rate_limited':
      return 'invalid_response_status_code'
    case 'unable_to_decode_response':
    case 'response_too_large':
    case 'metadata_invalid':
    case 'unsupported_content_type':
      return 'unable_to_decode_response'
    default:
      return 'unable_to_retrieve_metadata'
  }
}

/** Response bodies quoted back in error lists (the fetcher already keeps at most 1 KiB). */
export const MAX_ERROR_BODY_CHARS = 1024

export function truncateBody(body: string | null): string | null {
  if (body === null) return null
  return body.length > MAX_ERROR_BODY_CHARS ? body.slice(0, MAX_ERROR_BODY_CHARS) : body
}

// ---------------------------------------------------------------------------------------------
// Cursors

/** Opaque base64url JSON tagged with its list, so a cursor of one list cannot be used on another. */
export function encodeCursor(list: string, fields: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ l: list, ...fields })).toString('base64url')
}

/** The cursor's fields, or undefined when it is not a cursor of this list. */
export function decodeCursor(list: string, cursor: string, fields: readonly string[]): Record<string, string> | undefined {
  if (cursor.length > 1024) return undefined
  try {
    const body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>
    if (!body || typeof body !== 'object' || body.l !== list) return undefined
    const out: Record<string, string> = {}
    for (const f of fields) {
      const v = body[f]
      if (typeof v !== 'string' || v.length > 300 || v.includes('\u0000')) return undefined
      out[f] = v
    }
    return out
  } catch {
    return undefined
  }
}
