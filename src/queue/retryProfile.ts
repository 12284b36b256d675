import type { RetryProfile } from '../core/jobs'

/**
 * Whether a retryable failure is retried under a user refresh's profile. Only the listed HTTP
 * statuses are (Immutable X: "only if the Metadata API returns 429 or 503"); a host failure
 * without an answer (timeout, connection refused) or with another status is final. Our own
 * infrastructure (the chain node, a handler fault) is not the metadata host: those stay retried
 * within the profile's attempts.
 */
export function retriedByProfile(error: { code: string; status?: number }, profile: Pick<RetryProfile, 'retryStatuses'>): boolean {
  if (error.code === 'contract_call_unavailable' || error.code === 'internal_error') return true
  return error.status !== undefined && profile.retryStatuses.includes(error.status)
}
