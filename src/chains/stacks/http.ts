/**
 * Bounded retries for requests to a Stacks API / node: 429, 5xx (except 501), timeouts and
 * connection errors are retried with exponential backoff and jitter, honouring `Retry-After`;
 * anything else is handed back to the caller at once.
 */
import { isRetryableStatus, parseRetryAfter } from '../../lib/http'
import { StacksApiUnavailableError } from './errors'

export type StacksLogLevel = 'debug' | 'info' | 'warn' | 'error'
/** Logger-like callback; fields are structured (op, url, attempt, status, delayMs, error). */
export type StacksLog = (level: StacksLogLevel, message: string, fields?: Record<string, unknown>) => void

export interface RetryPolicy {
  /** retries after the first attempt */
  retries: number
  /** first backoff delay; doubles per retry */
  minDelayMs: number
  /** cap on one backoff delay, also on an honoured Retry-After */
  maxDelayMs: number
  /** deadline of one attempt, body included */
  timeoutMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 5,
  minDelayMs: 250,
  maxDelayMs: 10_000,
  timeoutMs: 15_000,
}

/** What one attempt produced: a value, or an HTTP status the caller or the retry loop handles. */
export type AttemptOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; status: number; retryAfterMs?: number; body?: unknown }

export { isRetryableStatus, parseRetryAfter }

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable status (returned as is), or the
 * retries run out (throws StacksApiUnavailableError carrying the last status / error as cause).
 */
export async function withRetry<T>(
  ctx: { op: string; url: string },
  policy: RetryPolicy,
  log: StacksLog | undefined,
  attempt: (signal: AbortSignal) => Promise<AttemptOutcome<T>>,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<AttemptOutcome<T>> {
  let lastStatus: number | undefined
  let lastRetryAfter: number | undefined
  let lastError: unknown
  for (let i = 0; i <= policy.retries; i++) {
    let outcome: AttemptOutcome<T> | undefined
    try {
      outcome = await attempt(AbortSignal.timeout(policy.timeoutMs))
    } catch (e) {
      lastError = e
      lastStatus = undefined
      lastRetryAfter = undefined
    }
    if (outcome) {
      if (outcome.ok || !isRetryableStatus(outcome.status)) return outcome
      lastStatus = outcome.status
      lastRetryAfter = outcome.retryAfterMs
      lastError = undefined
    }
    if (i === policy.retries) break
    const backoff = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** i)
    const jittered = backoff / 2 + Math.random() * (backoff / 2)
    const delayMs = Math.round(
      lastRetryAfter !== undefined ? Math.min(policy.maxDelayMs, Math.max(lastRetryAfter, jittered)) : jittered,
    )
    log?.('warn', 'stacks api request failed, retrying', {
      op: ctx.op,
      url: ctx.url,
      attempt: i + 1,
      status: lastStatus,
      error: lastError === undefined ? undefined : describe(lastError),
      delayMs,
    })
    await wait(delayMs)
  }
  const reason = lastStatus !== undefined ? `HTTP ${lastStatus}` : describe(lastError)
  throw new StacksApiUnavailableError(`${ctx.op}: ${reason} after ${policy.retries + 1} attempts (${ctx.url})`, {
    url: ctx.url,
    status: lastStatus,
    attempts: policy.retries + 1,
    retryAfterMs: lastRetryAfter,
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
