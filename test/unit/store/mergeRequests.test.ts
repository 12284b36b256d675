import { describe, expect, it } from 'vitest'
import { PRIORITY, type JobRequest, type RetryProfile } from '../../../src/core/jobs'
import { mergeRequests } from '../../../src/store/jobs/enqueue'

const C = 'eip155:1:0xabc'
const T1 = `${C}:1`
const T2 = `${C}:2`
const EARLY = new Date('2030-01-01T00:00:00.000Z')
const LATE = new Date('2030-01-01T01:00:00.000Z')
const IMX: RetryProfile = { fetchTimeoutMs: 3_000, maxAttempts: 3, retryStatuses: [429, 503], backoffBaseMs: 3_000 }
const OTHER: RetryProfile = { fetchTimeoutMs: 5_000, maxAttempts: 2, retryStatuses: [429], backoffBaseMs: 1_000 }

const token = (tokenRef: string, extra: Partial<JobRequest> = {}): JobRequest => ({
  kind: 'TOKEN',
  chain: 'eip155:1',
  contractId: C,
  tokenRef,
  priority: PRIORITY.NEW_MINT,
  ...extra,
})
const contract = (extra: Partial<JobRequest> = {}): JobRequest => ({ kind: 'CONTRACT', chain: 'eip155:1', contractId: C, priority: PRIORITY.NEW_MINT, ...extra })

describe('mergeRequests', () => {
  it('returns nothing for no requests', () => {
    expect(mergeRequests([])).toEqual([])
  })

  it('keeps a single request as it is, with its job id', () => {
    expect(mergeRequests([token(T1, { runAt: EARLY, profile: IMX })])).toEqual([
      { id: `token:${T1}`, kind: 'TOKEN', chain: 'eip155:1', contractId: C, tokenRef: T1, priority: PRIORITY.NEW_MINT, runAt: EARLY, profile: IMX },
    ])
  })

  it('gives a token job the id token:<tokenRef> and a contract job the id contract:<contractId>', () => {
    expect(mergeRequests([token(T1), contract()]).map((m) => m.id)).toEqual([`contract:${C}`, `token:${T1}`])
  })

  it('does not merge a contract job with a token job of the same contract', () => {
    expect(mergeRequests([contract({ priority: 1 }), token(T1, { priority: 2 })]).map((m) => [m.id, m.priority])).toEqual([
      [`contract:${C}`, 1],
      [`token:${T1}`, 2],
    ])
  })

  it('merges two requests for the same token into one', () => {
    expect(mergeRequests([token(T1), token(T1)])).toHaveLength(1)
  })

  it('takes the highest priority of the merged requests, whichever comes first', () => {
    expect(
      mergeRequests([token(T1, { priority: PRIORITY.BACKFILL }), token(T1, { priority: PRIORITY.USER_REFRESH }), token(T1, { priority: PRIORITY.NEW_MINT })])[0].priority,
    ).toBe(PRIORITY.USER_REFRESH)
    expect(mergeRequests([token(T1, { priority: PRIORITY.USER_REFRESH }), token(T1, { priority: PRIORITY.BACKFILL })])[0].priority).toBe(PRIORITY.USER_REFRESH)
  })

  it('takes the earliest run time, whichever comes first', () => {
    expect(mergeRequests([token(T1, { runAt: LATE }), token(T1, { runAt: EARLY })])[0].runAt).toEqual(EARLY)
    expect(mergeRequests([token(T1, { runAt: EARLY }), token(T1, { runAt: LATE })])[0].runAt).toEqual(EARLY)
  })

  it('lets a request without a run time (now) win over a later one', () => {
    expect(mergeRequests([token(T1, { runAt: LATE }), token(T1)])[0].runAt).toBeUndefined()
  })

  it('keeps "now" when a request with a run time follows one without', () => {
    expect(mergeRequests([token(T1), token(T1, { runAt: LATE })])[0].runAt).toBeUndefined()
  })

  it('takes the profile of the last request that has one', () => {
    expect(mergeRequests([token(T1, { profile: IMX }), token(T1, { profile: OTHER })])[0].profile).toEqual(OTHER)
  })

  it('keeps an earlier profile when a later request has none', () => {
    expect(mergeRequests([token(T1, { profile: IMX }), token(T1), token(T1)])[0].profile).toEqual(IMX)
  })

  it('leaves the profile undefined when no merged request has one', () => {
    expect(mergeRequests([token(T1), token(T1)])[0].profile).toBeUndefined()
  })

  it('sorts the merged jobs by id in code-unit order', () => {
    const refs = [`${C}:9`, `${C}:10`, T2, T1]
    expect(mergeRequests(refs.map((r) => token(r))).map((m) => m.id)).toEqual([`token:${C}:1`, `token:${C}:10`, `token:${C}:2`, `token:${C}:9`])
  })

  it('does not change the requests it was given', () => {
    const first = token(T1, { priority: 1, runAt: LATE })
    mergeRequests([first, token(T1, { priority: 9, runAt: EARLY, profile: IMX })])
    expect(first).toEqual(token(T1, { priority: 1, runAt: LATE }))
  })
})
