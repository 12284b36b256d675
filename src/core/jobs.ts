/**
 * Job priorities (DESIGN.md section 4): user refresh > update notice > new mint > backfill.
 * Claims take the highest priority first, then the earliest run-at.
 */
export const PRIORITY = {
  USER_REFRESH: 100,
  UPDATE_NOTICE: 50,
  NEW_MINT: 20,
  BACKFILL: 10,
  /** SIP-019 dynamic tokens re-queued when their ttl passes. */
  SCHEDULED: 5,
} as const

export type JobKindName = 'TOKEN' | 'CONTRACT'

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
}

export function jobId(req: Pick<JobRequest, 'kind' | 'contractId' | 'tokenRef'>): string {
  return req.kind === 'TOKEN' ? `token:${req.tokenRef}` : `contract:${req.contractId}`
}

export function tokenJobId(tokenRef: string): string {
  return `token:${tokenRef}`
}

export function contractJobId(contractId: string): string {
  return `contract:${contractId}`
}
