import { registerEnumType } from 'type-graphql'
import { TOKEN_STANDARDS, type TokenStandardName } from '../../../core/standards'
import { JOB_STATUSES, METADATA_STATUSES, type JobStatusName, type MetadataStatusName } from '../../../store/read/metadataStatus'

function enumObject<T extends string>(names: readonly T[]): { [K in T]: K } {
  return Object.fromEntries(names.map((n) => [n, n])) as { [K in T]: K }
}

export const TokenStandardEnum = enumObject<TokenStandardName>(TOKEN_STANDARDS)
export const MetadataStatusEnum = enumObject<MetadataStatusName>(METADATA_STATUSES)
export const JobStatusEnum = enumObject<JobStatusName>(JOB_STATUSES)

registerEnumType(TokenStandardEnum, { name: 'TokenStandard', description: 'ERC-721, ERC-1155, ERC-20 on EVM chains; SIP-009, SIP-010, SIP-013 on Stacks' })
registerEnumType(MetadataStatusEnum, {
  name: 'MetadataStatus',
  description:
    'PENDING: never fetched, a fetch is queued. AVAILABLE. STALE: a refresh is queued or running, the previous metadata is served. FAILED: retries exhausted. INVALID: permanent error.',
})
registerEnumType(JobStatusEnum, { name: 'JobStatus' })
