import { describe, expect, it } from 'vitest'
import { PermanentError, RetryableError } from '../../../src/core/errors'
import type { ClaimedJob, JobFailed, JobOutcome, QueueSettings, TokenSucceeded } from '../../../src/core/jobOutcome'
import type { RetryProfile } from '../../../src/core/jobs'
import { DeferredError } from '../../../src/queue/jobs/deferred'
import { transition } from '../../../src/queue/transition'
import type { OwnedRow } from '../../../src/store/jobs/settleWrites'

const NOW = new Date('2030-01-01T00:00:00.000Z')
const at = (ms: number): Date => new Date(NOW.getTime() + ms)
const SETTINGS: QueueSettings = { workerId: 'w1', leaseMs: 60_000, maxAttempts: 5, backoffBaseMs: 1_000, backoffMaxMs: 60_000 }
const low = (): number => 0
const high = (): number => 1

/** An Immutable X style profile: 3 attempts, only 429 and 503 retried, 3 s first delay. */
const PROFILE: RetryProfile = { fetchTimeoutMs: 3_000, maxAttempts: 3, retryStatuses: [429, 503], backoffBaseMs: 3_000 }

function job(attempts: number, profile: RetryProfile | null = null): ClaimedJob {
  return {
    id: 'token:eip155:1:0xabc:7',
    kind: 'TOKEN',
    chain: 'eip155:1',
    contractId: 'eip155:1:0xabc',
    tokenRef: 'eip155:1:0xabc:7',
    priority: 20,
    attempts,
    claimedVersion: 3,
    host: null,
    standard: 'ERC721',
    profile,
  }
}

/** The job row as the settle locked it; `rerun` makes a request arrive after the claim. */
function row(attempts: number, rerun = false): OwnedRow {
  return { id: 'token:eip155:1:0xabc:7', request_version: rerun ? 4 : 3, claimed_version: 3, attempts }
}

function succeeded(attempts: number): TokenSucceeded {
  return {
    ok: true,
    kind: 'TOKEN',
    job: job(attempts),
    token: {
      uri: 'https://h.example/7',
      resolvedUrl: 'https://h.example/7',
      contentHash: 'h',
      metadata: {},
      normalized: {},
      raw: {},
      attributes: [],
      locales: [],
      failedLocales: [],
      warnings: [],
    },
  }
}

function failed(error: JobFailed['error'], attempts: number, profile: RetryProfile | null = null): JobFailed {
  return { ok: false, job: job(attempts, profile), error }
}

const httpStatus = (status: number, retryAfterMs?: number): RetryableError =>
  new RetryableError(status === 429 ? 'rate_limited' : 'invalid_response_status_code', `HTTP ${status}`, { status, retryAfterMs })

function expectTransition(
  outcome: JobOutcome,
  actual: ReturnType<typeof transition>,
  expected: { status: string; runAt: Date; attempts: number; rerun: boolean; settlesRefreshItems: boolean },
): void {
  expect(actual).toEqual({ outcome, ...expected })
}

describe('transition: success', () => {
  it('a token success is DONE now with the attempts reset and its refresh items settled', () => {
    const o = succeeded(2)
    expectTransition(o, transition(o, row(2), SETTINGS, NOW, low), { status: 'DONE', runAt: NOW, attempts: 0, rerun: false, settlesRefreshItems: true })
  })

  it('a contract success is DONE now', () => {
    const o: JobOutcome = { ok: true, kind: 'CONTRACT', job: { ...job(1), kind: 'CONTRACT', tokenRef: null }, contract: { name: 'N' } }
    expectTransition(o, transition(o, row(1), SETTINGS, NOW, low), { status: 'DONE', runAt: NOW, attempts: 0, rerun: false, settlesRefreshItems: true })
  })

  it('a success with a request newer than the claim is QUEUED now, fresh, and still settles the earlier items', () => {
    const o = succeeded(2)
    expectTransition(o, transition(o, row(2, true), SETTINGS, NOW, low), { status: 'QUEUED', runAt: NOW, attempts: 0, rerun: true, settlesRefreshItems: true })
  })
})

describe('transition: permanent error', () => {
  it('a permanent error is INVALID now with the attempts reset and its refresh items settled', () => {
    const o = failed(new PermanentError('token_not_found', 'HTTP 404', { status: 404 }), 1)
    expectTransition(o, transition(o, row(1), SETTINGS, NOW, low), { status: 'INVALID', runAt: NOW, attempts: 0, rerun: false, settlesRefreshItems: true })
  })

  it('a permanent error with a request newer than the claim is QUEUED now, fresh', () => {
    const o = failed(new PermanentError('metadata_invalid', 'not JSON'), 1)
    expectTransition(o, transition(o, row(1, true), SETTINGS, NOW, low), { status: 'QUEUED', runAt: NOW, attempts: 0, rerun: true, settlesRefreshItems: true })
  })

  it('a permanent error is INVALID even on a job with a retry profile', () => {
    const o = failed(new PermanentError('uri_disallowed', 'private address'), 1, PROFILE)
    expectTransition(o, transition(o, row(1), SETTINGS, NOW, low), { status: 'INVALID', runAt: NOW, attempts: 0, rerun: false, settlesRefreshItems: true })
  })
})

describe('transition: retryable error under the queue policy', () => {
  it('a retryable error with attempts left is QUEUED after the lowest backoff when random is 0, refresh items pending', () => {
    // attempt 3: nominal delay 1000 * 2^2 = 4000 ms, jitter over its upper half
    const o = failed(new RetryableError('timeout', 'slow'), 3)
    expectTransition(o, transition(o, row(3), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(2_000), attempts: 3, rerun: false, settlesRefreshItems: false })
  })

  it('a retryable error with attempts left is QUEUED after the full nominal backoff when random is 1', () => {
    const o = failed(new RetryableError('timeout', 'slow'), 3)
    expectTransition(o, transition(o, row(3), SETTINGS, NOW, high), { status: 'QUEUED', runAt: at(4_000), attempts: 3, rerun: false, settlesRefreshItems: false })
  })

  it('a host Retry-After longer than the backoff sets the run time', () => {
    const o = failed(httpStatus(429, 30_000), 1)
    expectTransition(o, transition(o, row(1), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(30_000), attempts: 1, rerun: false, settlesRefreshItems: false })
  })

  it('a job whose attempts reach the queue maximum is FAILED now, keeping its attempts, and settles its refresh items', () => {
    const o = failed(httpStatus(503), 5)
    expectTransition(o, transition(o, row(5), SETTINGS, NOW, low), { status: 'FAILED', runAt: NOW, attempts: 5, rerun: false, settlesRefreshItems: true })
  })

  it('a job one attempt short of the maximum is retried', () => {
    const o = failed(httpStatus(503), 4)
    // nominal 1000 * 2^3 = 8000 ms
    expectTransition(o, transition(o, row(4), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(4_000), attempts: 4, rerun: false, settlesRefreshItems: false })
  })

  it('without a profile, a status the profile would refuse (500) is retried', () => {
    const o = failed(httpStatus(500), 1)
    expectTransition(o, transition(o, row(1), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(500), attempts: 1, rerun: false, settlesRefreshItems: false })
  })

  it('an exhausted job with a request newer than the claim is QUEUED after backoff with the attempts reset, items pending', () => {
    // attempt 5: nominal 1000 * 2^4 = 16000 ms
    const o = failed(httpStatus(503), 5)
    expectTransition(o, transition(o, row(5, true), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(8_000), attempts: 0, rerun: true, settlesRefreshItems: false })
  })

  it('a retry with a request newer than the claim resets the attempts', () => {
    const o = failed(new RetryableError('timeout', 'slow'), 2)
    expectTransition(o, transition(o, row(2, true), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(1_000), attempts: 0, rerun: true, settlesRefreshItems: false })
  })
})

describe('transition: deferred (host busy)', () => {
  it('a deferral is QUEUED after the host wait, giving the attempt back, items pending', () => {
    const o = failed(new DeferredError('h.example', 'busy', 750), 3)
    expectTransition(o, transition(o, row(3), SETTINGS, NOW, high), { status: 'QUEUED', runAt: at(750), attempts: 2, rerun: false, settlesRefreshItems: false })
  })

  it('a deferral waits exactly the host wait even when it is shorter than the backoff would be', () => {
    const o = failed(new DeferredError('h.example', 'cooldown', 10), 4)
    expectTransition(o, transition(o, row(4), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(10), attempts: 3, rerun: false, settlesRefreshItems: false })
  })

  it('a deferral on the last allowed attempt is not FAILED', () => {
    const o = failed(new DeferredError('h.example', 'cooldown', 5_000), 5)
    expectTransition(o, transition(o, row(5), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(5_000), attempts: 4, rerun: false, settlesRefreshItems: false })
  })

  it('a deferral never makes the attempts negative', () => {
    const o = failed(new DeferredError('h.example', 'busy', 100), 0)
    expectTransition(o, transition(o, row(0), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(100), attempts: 0, rerun: false, settlesRefreshItems: false })
  })

  it('a deferral with a request newer than the claim is QUEUED after the host wait and marked as a rerun', () => {
    const o = failed(new DeferredError('h.example', 'busy', 200), 2)
    expectTransition(o, transition(o, row(2, true), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(200), attempts: 1, rerun: true, settlesRefreshItems: false })
  })
})

describe('transition: retry profiles', () => {
  it('a listed status with profile attempts left is QUEUED after the profile backoff', () => {
    // attempt 1: nominal = the profile's 3000 ms base
    const o = failed(httpStatus(503), 1, PROFILE)
    expectTransition(o, transition(o, row(1), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(1_500), attempts: 1, rerun: false, settlesRefreshItems: false })
  })

  it('the profile maximum ends retries before the queue maximum', () => {
    const o = failed(httpStatus(429), 3, PROFILE)
    expectTransition(o, transition(o, row(3), SETTINGS, NOW, low), { status: 'FAILED', runAt: NOW, attempts: 3, rerun: false, settlesRefreshItems: true })
  })

  it('a profile maximum above the queue maximum keeps retrying past the queue maximum', () => {
    const o = failed(httpStatus(503), 6, { ...PROFILE, maxAttempts: 10, backoffBaseMs: 100 })
    // attempt 6: nominal 100 * 2^5 = 3200 ms
    expectTransition(o, transition(o, row(6), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(1_600), attempts: 6, rerun: false, settlesRefreshItems: false })
  })

  it('a status the profile does not list (500) is FAILED on the first attempt', () => {
    const o = failed(httpStatus(500), 1, PROFILE)
    expectTransition(o, transition(o, row(1), SETTINGS, NOW, low), { status: 'FAILED', runAt: NOW, attempts: 1, rerun: false, settlesRefreshItems: true })
  })

  it('a host failure without a status (timeout) is FAILED on the first attempt under a profile', () => {
    const o = failed(new RetryableError('timeout', 'slow'), 1, PROFILE)
    expectTransition(o, transition(o, row(1), SETTINGS, NOW, low), { status: 'FAILED', runAt: NOW, attempts: 1, rerun: false, settlesRefreshItems: true })
  })

  it('a chain node failure is retried under a profile that lists no such status', () => {
    const o = failed(new RetryableError('contract_call_unavailable', 'node down'), 1, PROFILE)
    expectTransition(o, transition(o, row(1), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(1_500), attempts: 1, rerun: false, settlesRefreshItems: false })
  })

  it('an internal handler fault is retried under a profile', () => {
    const o = failed(new RetryableError('internal_error', 'bug'), 2, PROFILE)
    // attempt 2: nominal 3000 * 2 = 6000 ms
    expectTransition(o, transition(o, row(2), SETTINGS, NOW, high), { status: 'QUEUED', runAt: at(6_000), attempts: 2, rerun: false, settlesRefreshItems: false })
  })

  it('a status the profile refuses, with a request newer than the claim, is QUEUED fresh after the profile backoff', () => {
    const o = failed(httpStatus(500), 1, PROFILE)
    expectTransition(o, transition(o, row(1, true), SETTINGS, NOW, low), { status: 'QUEUED', runAt: at(1_500), attempts: 0, rerun: true, settlesRefreshItems: false })
  })

  it('the profile backoff is capped by the queue maximum delay', () => {
    const o = failed(httpStatus(503), 2, { ...PROFILE, backoffBaseMs: 100_000 })
    expectTransition(o, transition(o, row(2), SETTINGS, NOW, high), { status: 'QUEUED', runAt: at(60_000), attempts: 2, rerun: false, settlesRefreshItems: false })
  })
})
