/**
 * Retries for requests to a Stacks API / node: 429, 5xx (except 501), timeouts and connection
 * errors are retried with capped exponential backoff and jitter, honouring `Retry-After` and the
 * rate-limit headers; anything else is handed back to the caller at once. A patient policy (the
 * processor's) retries 429s for as long as it takes; other failures are bounded by `retries`.
 * Every attempt first takes a token from the process's RequestBudget, and a 429 pauses that
 * budget, so the whole process slows down, not only the request that was refused.
 */
import { isRetryableStatus, parseRetryAfter } from '../../lib/http'
import { hintedWaitMs, rateLimitHints, type RateLimitHints } from '../../lib/rateLimitHeaders'
import type { RequestBudget } from '../../lib/requestBudget'
import { StacksApiUnavailableError } from './errors'

export type StacksLogLevel = 'debug' | 'info' | 'warn' | 'error'
/** Logger-like callback; fields are structured (op, url, attempt, status, delayMs, error). */
export type StacksLog = (level: StacksLogLevel, message: string, fields?: Record<string, unknown>) => void

export interface RetryPolicy {
  /** retries after the first attempt (429s do not count when `patientOnRateLimit`) */
  retries: number
  /** first backoff delay; doubles per retry */
  minDelayMs: number
  /** cap on one backoff delay */
  maxDelayMs: number
  /**
   * cap on one wait the server asks for (Retry-After, a rate-limit reset). A patient policy waits
   * this long at most and asks again; an impatient one gives up at once on a longer wait, passing
   * the wait on as `retryAfterMs` (the job queue reschedules).
   */
  maxHintedWaitMs: number
  /** deadline of one attempt, body included */
  timeoutMs: number
  /** retry 429s without limit: the quota comes back, giving up would only refetch the work later */
  patientOnRateLimit: boolean
}

/** The longest a 429 pauses a process's whole budget at once. */
const MAX_SHARED_PAUSE_MS = 5 * 60_000

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 5,
  minDelayMs: 250,
  maxDelayMs: 10_000,
  maxHintedWaitMs: 5 * 60_000,
  timeoutMs: 15_000,
  patientOnRateLimit: false,
}

/** What one attempt produced: a value, or an HTTP status the caller or the retry loop handles. */
export type AttemptOutcome<T> = { ok: true; value: T; hints?: RateLimitHints } | { ok: false; status: number; hints?: RateLimitHints; body?: unknown }

export interface RequestContext {
  op: string
  url: string
  /** the process's budget for this API; absent = unlimited and no shared pause */
  budget?: RequestBudget
  /** the budget's priority for this request (lower first; the block source passes the block height) */
  priority?: number
  /** the caller already took the first attempt's token (it waited for the budget before building the request) */
  tokenTaken?: boolean
}

export { isRetryableStatus, parseRetryAfter, rateLimitHints }

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable status (returned as is), or the
 * counted retries run out (throws StacksApiUnavailableError carrying the last status / error as cause).
 */
export async function withRetry<T>(
  ctx: RequestContext,
  policy: RetryPolicy,
  log: StacksLog | undefined,
  attempt: (signal: AbortSignal) => Promise<AttemptOutcome<T>>,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<AttemptOutcome<T>> {
  let lastStatus: number | undefined
  let lastHint: number | undefined
  let lastError: unknown
  let counted = 0
  for (let i = 0; ; i++) {
    // an impatient caller (a worker's job) does not sit out a long pause: the job queue reschedules it
    const paused = ctx.budget ? ctx.budget.pausedUntil - Date.now() : 0
    if (!policy.patientOnRateLimit && paused > policy.maxHintedWaitMs) {
      throw new StacksApiUnavailableError(`${ctx.op}: the API asked this process to wait ${paused} ms (${ctx.url})`, {
        url: ctx.url,
        status: 429,
        attempts: counted,
        retryAfterMs: paused,
      })
    }
    if (i > 0 || !ctx.tokenTaken) await ctx.budget?.take(ctx.priority)
    let outcome: AttemptOutcome<T> | undefined
    try {
      outcome = await attempt(AbortSignal.timeout(policy.timeoutMs))
    } catch (e) {
      lastError = e
      lastStatus = undefined
      lastHint = undefined
    }
    if (outcome?.ok) {
      // the quota is spent: hold every request of the process until it resets, rather than earn a 429
      if (outcome.hints?.exhaustedForMs) ctx.budget?.pauseFor(Math.min(policy.maxHintedWaitMs, outcome.hints.exhaustedForMs))
      return outcome
    }
    if (outcome) {
      if (!isRetryableStatus(outcome.status)) return outcome
      lastStatus = outcome.status
      lastHint = outcome.hints ? hintedWaitMs(outcome.hints) : undefined
      lastError = undefined
    }
    const limited = lastStatus === 429
    if (!(limited && policy.patientOnRateLimit)) counted++
    const backoff = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.min(i, 30))
    const jittered = backoff / 2 + Math.random() * (backoff / 2)
    const delayMs = Math.round(lastHint !== undefined ? Math.max(lastHint, policy.minDelayMs) : jittered)
    // a 429 holds every request of the process for the whole wait, whether or not this one retries
    if (limited) ctx.budget?.pauseFor(Math.min(MAX_SHARED_PAUSE_MS, delayMs))
    if (counted > policy.retries || (!policy.patientOnRateLimit && lastHint !== undefined && delayMs > policy.maxHintedWaitMs)) break
    const waitMs = Math.min(delayMs, policy.maxHintedWaitMs)
    log?.('warn', limited ? 'stacks api rate limit hit, waiting' : 'stacks api request failed, retrying', {
      op: ctx.op,
      url: ctx.url,
      attempt: i + 1,
      status: lastStatus,
      error: lastError === undefined ? undefined : describe(lastError),
      delayMs: waitMs,
    })
    if (!(limited && ctx.budget)) await wait(waitMs) // else the budget's pause makes the next take() wait
  }
  const reason = lastStatus !== undefined ? `HTTP ${lastStatus}` : describe(lastError)
  throw new StacksApiUnavailableError(`${ctx.op}: ${reason} after ${counted} attempts (${ctx.url})`, {
    url: ctx.url,
    status: lastStatus,
    attempts: counted,
    retryAfterMs: lastHint,
    cause: lastError,
  })
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out'
    const cause = (e as { cause?: unknown }).cause
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message
  }
  return String(e)
}
