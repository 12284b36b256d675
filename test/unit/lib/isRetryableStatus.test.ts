import { describe, expect, it } from 'vitest'
import { isRetryableStatus } from '../../../src/lib/http'

describe('isRetryableStatus', () => {
  it('retries 408 Request Timeout', () => {
    expect(isRetryableStatus(408)).toBe(true)
  })

  it('retries 429 Too Many Requests', () => {
    expect(isRetryableStatus(429)).toBe(true)
  })

  it('retries every 5xx from 500 to 599 except 501', () => {
    const retried = Array.from({ length: 100 }, (_, i) => 500 + i).filter(isRetryableStatus)
    expect(retried).toHaveLength(99)
    expect(retried).not.toContain(501)
  })

  it('does not retry 501 Not Implemented', () => {
    expect(isRetryableStatus(501)).toBe(false)
  })

  it('does not retry any other 4xx', () => {
    const retried = Array.from({ length: 100 }, (_, i) => 400 + i).filter(isRetryableStatus)
    expect(retried).toEqual([408, 429])
  })

  it('does not retry 2xx, 3xx or statuses past 599', () => {
    expect([200, 204, 301, 304, 600, 999].filter(isRetryableStatus)).toEqual([])
  })
})
