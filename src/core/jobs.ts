/**
 * Job priorities (docs/architecture.md §4): user refresh > update notice > new mint > backfill.
 * Claims take the highest priority first, then the earliest run-at.
 */
export const PRIORITY = {
  USER_REFRESH: 100,
  UPDATE_NOTICE: 50,
  NEW_MINT: 20,
  BACKFILL: 10,
  /** SIP-019 dynamic tokens re-queued when their ttl passes. */
  SCHEDULED: 5,
  /** Media jobs run in their own lane (a worker's media runner), so this orders them only among themselves. */
  MEDIA: 20,
} as const

export type JobKindName = 'TOKEN' | 'CONTRACT' | 'MEDIA'

/** What the processors and APIs ask the queue for. */
export interface JobRequest {
  kind: JobKindName
  chain: string
  contractId: string
  /** Token id (`<contractId>:<tokenId>`) for TOKEN jobs. */
  tokenRef?: string
  priority: number
  /** Earliest time to run; now when absent. */
  runAt?: Date
  /** A user refresh's own fetch and retry rules; absent = the general JOB_* policy. */
  profile?: RetryProfile
}

/**
 * How a user refresh is fetched and retried (each surface's documented rules, e.g. Immutable X:
 * 3 s per request, only 429 and 503 retried, 2 times, exponential backoff). Carried on the job
 * row, so every worker applies it to every attempt of that request.
 */
export interface RetryProfile {
  /** Total deadline of one metadata fetch. */
  fetchTimeoutMs: number
  /** Attempts in all (1 + retries) before the job is FAILED. */
  maxAttempts: number
  /** HTTP statuses that are retried; any other retryable failure (5xx, timeout, connection) fails at once. */
  retryStatuses: number[]
  /** First retry delay; doubles each attempt. */
  backoffBaseMs: number
}

export function jobId(req: Pick<JobRequest, 'kind' | 'contractId' | 'tokenRef'>): string {
  return req.kind === 'TOKEN' ? `token:${req.tokenRef}` : `contract:${req.contractId}`
}

export function tokenJobId(tokenRef: string): string {
  return `token:${tokenRef}`
}
