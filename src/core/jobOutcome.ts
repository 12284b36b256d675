import type { MetadataError } from './errors'
import type { JobKindName, RetryProfile } from './jobs'
import type { TokenStandardName } from './standards'
import type { MediaResultRow } from './mediaFile'
import type { DeliveryAttempt } from './notifications'

/** A job as a worker holds it after a claim. */
export interface ClaimedJob {
  id: string
  kind: JobKindName
  chain: string
  contractId: string
  tokenRef: string | null
  priority: number
  /** Attempts including this one. */
  attempts: number
  claimedVersion: number
  /** Host of the previous attempt, if any. */
  host: string | null
  /** The contract's standard as the processor recorded it (null if the contract row is gone). */
  standard: TokenStandardName | null
  /** A user refresh's retry profile, or null for the general policy (QueueSettings). */
  profile: RetryProfile | null
}

export interface QueueSettings {
  workerId: string
  leaseMs: number
  maxAttempts: number
  backoffBaseMs: number
  backoffMaxMs: number
  /** DELIVERY jobs: failed attempts in a row before the subscription pauses, and their first retry delay. */
  delivery?: { maxAttempts: number; backoffBaseMs: number }
}

/** Normalised metadata as stored (the normaliser's output mapped to columns). */
export interface StoredMetadata {
  name?: string | null
  description?: string | null
  image?: string | null
  imageData?: string | null
  externalUrl?: string | null
  animationUrl?: string | null
  backgroundColor?: string | null
  youtubeUrl?: string | null
  decimals?: number | null
  properties?: unknown
  localization?: unknown
}

export interface StoredAttribute {
  traitType: string | null
  value: string | null
  valueNumber: number | null
  valueJson: unknown
  displayType: string | null
  maxValue: number | null
}

export interface TokenFetchResult {
  /** Token URI as read from the chain (null when the metadata was pushed, not fetched). */
  uri: string | null
  /** Final URL fetched, or `data:` / `inline` for URIs that carry the document. */
  resolvedUrl: string
  contentHash: string
  metadata: StoredMetadata
  /** The whole normalised document. */
  normalized: unknown
  raw: unknown
  attributes: StoredAttribute[]
  locales: { locale: string; normalized: unknown; raw: unknown }[]
  /** Localized variants that failed for good: recorded with their error, never dropped. */
  failedLocales: { locale: string; status: 'INVALID' | 'FAILED'; error: StoredError }[]
  /** What a lenient parse recovered from (JSON5 syntax). */
  warnings: string[]
}

/** A part's error as stored: `url` is where the failure happened, never the token URI. */
export interface StoredError {
  code: string
  message: string
  httpStatus: number | null
  url: string | null
}

export interface ContractReadResult {
  confirmedStandard?: string | null
  name?: string | null
  symbol?: string | null
  decimals?: number | null
  totalSupply?: bigint | null
  uri?: string | null
  resolvedUrl?: string | null
  normalized?: unknown
  raw?: unknown
  /**
   * The contract document failed for good (permanent, or retries exhausted on the job's last
   * attempt) while the chain reads succeeded: the reads are stored with this error.
   */
  metadataError?: (StoredError & { retryable: boolean }) | null
  warnings?: string[]
}

/** What one attempt produced. `ok` and `kind` discriminate it: a success carries the part it stored. */
export type JobOutcome = TokenSucceeded | ContractSucceeded | MediaSucceeded | DeliverySucceeded | JobFailed

interface OutcomeBase {
  job: ClaimedJob
  /** Host the attempt fetched from, if any (per-host statistics and politeness). */
  host?: string | null
}

export interface TokenSucceeded extends OutcomeBase {
  ok: true
  kind: 'TOKEN'
  token: TokenFetchResult
}

export interface ContractSucceeded extends OutcomeBase {
  ok: true
  kind: 'CONTRACT'
  contract: ContractReadResult
}

/** A media job stored its file (or found it stored under the same content hash). */
export interface MediaSucceeded extends OutcomeBase {
  ok: true
  kind: 'MEDIA'
  media: MediaResultRow
}

/** What a DELIVERY attempt sent: one entry per delivery tried, in the order they were tried. */
export interface DeliveryReport {
  attempts: DeliveryAttempt[]
}

/** A delivery job sent every pending delivery it took. */
export interface DeliverySucceeded extends OutcomeBase {
  ok: true
  kind: 'DELIVERY'
  delivery: DeliveryReport
}

export interface JobFailed extends OutcomeBase {
  ok: false
  error: MetadataError
  /** The token URI read from the chain before the failure, if it got that far. */
  uri?: string | null
  /** A delivery job's attempts up to the failure. */
  delivery?: DeliveryReport
}
