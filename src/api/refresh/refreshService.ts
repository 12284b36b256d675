import type { DataSource } from 'typeorm'
import type { Config } from '../../config'
import type { RetryProfile } from '../../core/jobs'
import type { ApiKeyRecord } from '../../store/apiKeys'
import { createRefresh, getRefresh, type CreateRefreshInput, type RefreshSummary } from '../../store/refreshes'
import type { SqlExecutor } from '../../store/sql'
import { mayRefresh } from '../auth/apiKeyAuth'
import { consumeRefreshLimits, type RefreshLimitState } from '../auth/refreshLimits'

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

export async function requestRefresh(ds: DataSource, config: Config, req: RefreshRequest, now = new Date()): Promise<RefreshOutcome> {
  return ds.transaction('READ COMMITTED', async (em) => {
    // An owner without a key has a budget of its own, under its address.
    const subject = req.key?.id ?? `eth:${req.owner}`
    const limits = await consumeRefreshLimits(em, config, subject, req.tokenIds.length, now)
    if (!limits.allowed) return { kind: 'limited', limits }
    const { id, taskId } = await createRefresh(
      em,
      {
        surface: req.surface,
        chain: req.chain,
        contractId: req.contractId,
        tokenIds: req.tokenIds,
        contract: req.contract,
        apiKeyId: req.key?.id ?? null,
        requestedBy: req.owner ?? null,
        profile: refreshProfile(config, req.surface),
      },
      now,
    )
    return { kind: 'created', refreshId: id, taskId, limits }
  })
}

/** The surface's retry profile (REFRESH_RETRY_PROFILES) in the queue's terms: retries + 1 attempts. */
export function refreshProfile(config: Config, surface: RefreshSurface): RetryProfile {
  const p = config.REFRESH_RETRY_PROFILES[surface]
  return { fetchTimeoutMs: p.timeoutMs, maxAttempts: p.retries + 1, retryStatuses: p.retryStatuses, backoffBaseMs: p.backoffBaseMs }
}

// ---------------------------------------------------------------------------------------------
// Refresh ids

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function isRefreshId(value: string): boolean {
  return UUID.test(value)
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
