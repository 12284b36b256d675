import type { Config } from '../../config'
import { consumeRateLimit, type RateLimitResult } from '../../store/rateLimits'
import type { SqlExecutor } from '../../store/sql'

/**
 * The two refresh limits of an API key, shared by every API process through Postgres
 * (consumeRateLimit, fixed windows) and by every refresh surface (a key has one budget):
 *
 * - REFRESH_REQUESTS_PER_SECOND refresh requests per second;
 * - REFRESH_TOKENS_PER_HOUR tokens per hour (a request of N distinct tokens costs N; pushed
 *   zkEVM items cost one each).
 *
 * The request limit is taken first, then the tokens; a request refused by the token budget has
 * still used its request slot. The hourly token window is what the surfaces' headers report
 * (Immutable: "refreshes per hour"); `retryAfterSeconds` says when a refused request may be
 * retried, or, for an accepted one, when the next one can be made (0 = at once).
 */

export const REQUEST_WINDOW_MS = 1000
export const TOKEN_WINDOW_MS = 3_600_000
const KIND_REQUESTS = 'refresh_requests'
const KIND_TOKENS = 'refresh_tokens'

export interface RefreshLimitState {
  allowed: boolean
  refusedBy?: 'requests' | 'tokens'
  /** The hourly token window after this request. */
  tokens: RateLimitResult
  retryAfterSeconds: number
}

function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000))
}

export async function consumeRefreshLimits(db: SqlExecutor, config: Config, apiKeyId: string, tokenCount: number, now: Date): Promise<RefreshLimitState> {
  const requests = await consumeRateLimit(db, apiKeyId, KIND_REQUESTS, REQUEST_WINDOW_MS, config.REFRESH_REQUESTS_PER_SECOND, 1, now)
  if (!requests.allowed) {
    // Cost 0 reads the token window without taking anything.
    const tokens = await consumeRateLimit(db, apiKeyId, KIND_TOKENS, TOKEN_WINDOW_MS, config.REFRESH_TOKENS_PER_HOUR, 0, now)
    return { allowed: false, refusedBy: 'requests', tokens, retryAfterSeconds: secondsUntil(requests.resetAt, now) }
  }
  const tokens = await consumeRateLimit(db, apiKeyId, KIND_TOKENS, TOKEN_WINDOW_MS, config.REFRESH_TOKENS_PER_HOUR, tokenCount, now)
  if (!tokens.allowed) return { allowed: false, refusedBy: 'tokens', tokens, retryAfterSeconds: secondsUntil(tokens.resetAt, now) }
  return { allowed: true, tokens, retryAfterSeconds: tokens.remaining === 0 ? secondsUntil(tokens.resetAt, now) : 0 }
}

/** Immutable X: `x-imx-*` headers (reset as a UNIX timestamp in seconds); Retry-After when refused. */
export function imxLimitHeaders(s: RefreshLimitState): Record<string, string> {
  return {
    'x-imx-refreshes-limit': String(s.tokens.limit),
    'x-imx-remaining-refreshes': String(s.tokens.remaining),
    'x-imx-refresh-limit-reset': String(Math.floor(s.tokens.resetAt.getTime() / 1000)),
    ...(s.allowed ? {} : { 'retry-after': String(s.retryAfterSeconds) }),
  }
}

/** Immutable zkEVM: `MetadataRefreshRateLimitResult` (every value a string; the reset is an ISO-8601 date). */
export function zkevmLimitResult(s: RefreshLimitState): { imx_refreshes_limit: string; imx_refresh_limit_reset: string; imx_remaining_refreshes: string; retry_after: string } {
  return {
    imx_refreshes_limit: String(s.tokens.limit),
    imx_refresh_limit_reset: s.tokens.resetAt.toISOString(),
    imx_remaining_refreshes: String(s.tokens.remaining),
    retry_after: String(s.retryAfterSeconds),
  }
}

/** Immutable zkEVM: the same four values as response headers (on 202 and on 429). */
export function zkevmLimitHeaders(s: RefreshLimitState): Record<string, string> {
  const r = zkevmLimitResult(s)
  return {
    'imx-refreshes-limit': r.imx_refreshes_limit,
    'imx-refresh-limit-reset': r.imx_refresh_limit_reset,
    'imx-remaining-refreshes': r.imx_remaining_refreshes,
    'retry-after': r.retry_after,
  }
}

/** Surfaces without documented limit headers (Mavis, Sequence, GraphQL) still say when to retry. */
export function retryAfterHeaders(s: RefreshLimitState): Record<string, string> {
  return s.allowed ? {} : { 'retry-after': String(s.retryAfterSeconds) }
}
