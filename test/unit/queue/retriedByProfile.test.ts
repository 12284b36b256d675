import { describe, expect, it } from 'vitest'
import { retriedByProfile } from '../../../src/queue/retryProfile'

const IMX = { retryStatuses: [429, 503] }

describe('retriedByProfile', () => {
  it('retries a listed status', () => {
    expect(retriedByProfile({ code: 'rate_limited', status: 429 }, IMX)).toBe(true)
    expect(retriedByProfile({ code: 'invalid_response_status_code', status: 503 }, IMX)).toBe(true)
  })

  it('does not retry a retryable status the profile does not list', () => {
    expect(retriedByProfile({ code: 'invalid_response_status_code', status: 502 }, IMX)).toBe(false)
  })

  it('does not retry a host failure without a status (timeout, connection refused)', () => {
    expect(retriedByProfile({ code: 'timeout' }, IMX)).toBe(false)
    expect(retriedByProfile({ code: 'unable_to_retrieve_metadata' }, IMX)).toBe(false)
  })

  it('retries a chain node failure whatever the profile lists', () => {
    expect(retriedByProfile({ code: 'contract_call_unavailable' }, { retryStatuses: [] })).toBe(true)
  })

  it('retries an internal handler fault whatever the profile lists', () => {
    expect(retriedByProfile({ code: 'internal_error' }, { retryStatuses: [] })).toBe(true)
  })

  it('retries nothing from the host under a profile with no statuses', () => {
    expect(retriedByProfile({ code: 'rate_limited', status: 429 }, { retryStatuses: [] })).toBe(false)
  })
})
