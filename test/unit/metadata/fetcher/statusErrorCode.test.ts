import { describe, expect, it } from 'vitest'
import { isRetryableStatus } from '../../../../src/lib/http'
import { statusErrorCode } from '../../../../src/metadata/fetcher/safeFetch'

// A metadata host's non-2xx answer becomes an error whose code is statusErrorCode(status) and
// whose class is RetryableError when isRetryableStatus(status), else PermanentError.
const mapped = (status: number): [string, 'retryable' | 'permanent'] => [statusErrorCode(status), isRetryableStatus(status) ? 'retryable' : 'permanent']

describe("statusErrorCode (with the fetcher's retryable rule)", () => {
  it('makes 404 a permanent token_not_found', () => {
    expect(mapped(404)).toEqual(['token_not_found', 'permanent'])
  })

  it('makes 410 Gone a permanent token_not_found', () => {
    expect(mapped(410)).toEqual(['token_not_found', 'permanent'])
  })

  it('makes 429 a retryable rate_limited', () => {
    expect(mapped(429)).toEqual(['rate_limited', 'retryable'])
  })

  it('makes 408 a retryable invalid_response_status_code', () => {
    expect(mapped(408)).toEqual(['invalid_response_status_code', 'retryable'])
  })

  it.each([500, 502, 503, 504, 599])('makes %i a retryable invalid_response_status_code', (status) => {
    expect(mapped(status)).toEqual(['invalid_response_status_code', 'retryable'])
  })

  it('makes 501 Not Implemented a permanent invalid_response_status_code', () => {
    expect(mapped(501)).toEqual(['invalid_response_status_code', 'permanent'])
  })

  it.each([400, 401, 403, 405, 418, 451])('makes %i a permanent invalid_response_status_code', (status) => {
    expect(mapped(status)).toEqual(['invalid_response_status_code', 'permanent'])
  })

  it('makes an unfollowed 3xx (304, or a redirect without Location) a permanent invalid_response_status_code', () => {
    expect(mapped(304)).toEqual(['invalid_response_status_code', 'permanent'])
    expect(mapped(302)).toEqual(['invalid_response_status_code', 'permanent'])
  })
})
