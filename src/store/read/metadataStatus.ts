/**
 * The metadata status a reader sees (DESIGN.md section 3), derived from two facts:
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
 * - job QUEUED / RUNNING: STALE when earlier metadata is available (it is still served), else PENDING;
 * - job DONE / FAILED / INVALID: AVAILABLE / FAILED / INVALID;
 * - no job: the last fetch's outcome (metadata pushed without a job), or PENDING when never fetched.
 */
export function deriveMetadataStatus(jobStatus: string | null | undefined, lastFetchStatus: string | null | undefined): MetadataStatusName {
  switch (jobStatus) {
    case 'QUEUED':
    case 'RUNNING':
      return lastFetchStatus === 'AVAILABLE' ? 'STALE' : 'PENDING'
    case 'DONE':
      return 'AVAILABLE'
    case 'FAILED':
      return 'FAILED'
    case 'INVALID':
      return 'INVALID'
    default:
      if (lastFetchStatus === 'AVAILABLE' || lastFetchStatus === 'FAILED' || lastFetchStatus === 'INVALID') return lastFetchStatus
      return 'PENDING'
  }
}

/** Metadata that was fetched once is still worth showing (AVAILABLE, or STALE while a refresh runs). */
export function servesMetadata(status: MetadataStatusName): boolean {
  return status === 'AVAILABLE' || status === 'STALE'
}
