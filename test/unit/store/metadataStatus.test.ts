// The one rule that turns a job row and the last fetch into the status every surface shows.
import { describe, expect, it } from 'vitest'
import { deriveMetadataStatus, servesMetadata } from '../../../src/store/read/metadataStatus'

describe('deriveMetadataStatus', () => {
  it('a queued or running fetch is STALE when a document is stored, PENDING when none is', () => {
    for (const job of ['QUEUED', 'RUNNING']) {
      expect(deriveMetadataStatus(job, 'AVAILABLE', true)).toBe('STALE')
      expect(deriveMetadataStatus(job, 'FAILED', true)).toBe('STALE')
      expect(deriveMetadataStatus(job, 'INVALID', false)).toBe('PENDING')
      expect(deriveMetadataStatus(job, null, false)).toBe('PENDING')
    }
  })

  it('a job that ended DONE is AVAILABLE', () => {
    expect(deriveMetadataStatus('DONE', 'AVAILABLE', true)).toBe('AVAILABLE')
  })

  it('a failed or invalid refresh after a good document keeps it served as STALE', () => {
    expect(deriveMetadataStatus('FAILED', 'FAILED', true)).toBe('STALE')
    expect(deriveMetadataStatus('INVALID', 'INVALID', true)).toBe('STALE')
  })

  it('a token that never had a good document is FAILED or INVALID', () => {
    expect(deriveMetadataStatus('FAILED', 'FAILED', false)).toBe('FAILED')
    expect(deriveMetadataStatus('INVALID', 'INVALID', false)).toBe('INVALID')
  })

  it('with no job row the last fetch decides, under the same rule', () => {
    expect(deriveMetadataStatus(null, 'AVAILABLE', true)).toBe('AVAILABLE')
    expect(deriveMetadataStatus(undefined, 'INVALID', true)).toBe('STALE')
    expect(deriveMetadataStatus(null, 'FAILED', false)).toBe('FAILED')
    expect(deriveMetadataStatus(null, null, false)).toBe('PENDING')
  })

  it('only AVAILABLE and STALE serve a document', () => {
    expect(['PENDING', 'AVAILABLE', 'STALE', 'FAILED', 'INVALID'].filter((s) => servesMetadata(s as never))).toEqual(['AVAILABLE', 'STALE'])
  })
})
