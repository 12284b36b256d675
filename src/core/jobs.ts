/**
 * Job priorities (docs/architecture.md §4): webhook delivery > user refresh > update notice > new mint > backfill.
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
  /**
   * Webhook deliveries: first in line. A receiver waits for them, and there is at most one job
   * per webhook and chain, so they hold at most that many worker slots: ahead of a 10,000-token
   * refresh (the refresh's own metadata.updated events wait behind it otherwise: bench:webhooks).
   */
  DELIVERY: 110,
} as const

/** MEDIA: one distinct media URL; DELIVERY: a webhook subscription's pending events on one chain (contractId is the subscription id). */
export type JobKindName = 'TOKEN' | 'CONTRACT' | 'MEDIA' | 'DELIVERY'

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

export function jobId(req: Pick<JobRequest, 'kind' | 'chain' | 'contractId' | 'tokenRef'>): string {
  if (req.kind === 'DELIVERY') return deliveryJobId(req.contractId, req.chain)
  return req.kind === 'TOKEN' ? `token:${req.tokenRef}` : `contract:${req.contractId}`
}

/**
 * `webhook:<subscription>:<chain>`: sorts after every `contract:` and `token:` id, so a
 * transaction that queues deliveries after its metadata jobs keeps the id lock order.
 */
export function deliveryJobId(subscriptionId: string, chain: string): string {
  return `webhook:${subscriptionId}:${chain}`
}

export function deliveryJob(subscriptionId: string, chain: string): JobRequest {
  return { kind: 'DELIVERY', chain, contractId: subscriptionId, priority: PRIORITY.DELIVERY }
}

export function tokenJobId(tokenRef: string): string {
  return `token:${tokenRef}`
}
