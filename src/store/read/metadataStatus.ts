/**
 * The metadata status a reader sees (docs/architecture.md §3), derived from two facts:
 * - the job row (`metadata_job`, id `token:<tokenRef>` or `contract:<contractId>`): what is
 *   happening now;
 * - the metadata row (`token_metadata` / `contract_metadata`): the outcome of the last fetch.
 *
 * This is the only place the rule lives; every surface (GraphQL, Hiro, Sequence, status) calls it.
 */
export const METADATA_STATUSES = ['PENDING', 'AVAILABLE', 'STALE', 'FAILED', 'INVALID'] as const
export type MetadataStatusName = (typeof METADATA_STATUSES)[number]

export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'DONE', 'FAILED', 'INVALID'] as const
export type JobStatusName = (typeof JOB_STATUSES)[number]

/**
 * - job QUEUED / RUNNING: STALE when an earlier document is stored (it is still served), else PENDING;
 * - job DONE: AVAILABLE;
 * - job FAILED / INVALID: STALE when an earlier good document is stored (the last good document is
 *   never hidden: it is served with the error), else FAILED / INVALID;
 * - no job: the same rules applied to the last fetch's outcome (metadata pushed without a job),
 *   or PENDING when never fetched.
 *
 * `hasDocument`: the metadata row holds a normalised document from an earlier success.
 */
export function deriveMetadataStatus(jobStatus: string | null | undefined, lastFetchStatus: string | null | undefined, hasDocument: boolean): MetadataStatusName {
  switch (jobStatus) {
    case 'QUEUED':
    case 'RUNNING':
      return hasDocument ? 'STALE' : 'PENDING'
    case 'DONE':
      return 'AVAILABLE'
    case 'FAILED':
    case 'INVALID':
      return hasDocument ? 'STALE' : jobStatus
    default:
      if (lastFetchStatus === 'AVAILABLE') return 'AVAILABLE'
      if (lastFetchStatus === 'FAILED' || lastFetchStatus === 'INVALID') return hasDocument ? 'STALE' : lastFetchStatus
      return 'PENDING'
  }
}

/** A stored document is served: AVAILABLE, or STALE (a refresh queued, running or failed). */
export function servesMetadata(status: MetadataStatusName): boolean {
  return status === 'AVAILABLE' || status === 'STALE'
}
