/**
 * Errors grouped by what the caller must do with them, never matched by message text.
 *
 * - RetryableError: try again later (timeout, connection error, 429, 5xx except 501, node down).
 * - PermanentError: the token's metadata is INVALID until something changes on chain
 *   (404 and other 4xx, malformed JSON, disallowed URI, too large, reverted contract call).
 *
 * The code is a closed set shared by every surface (GraphQL, Hiro, Sequence, Immutable).
 */
export const ERROR_CODES = [
  // Immutable's documented codes
  'unable_to_retrieve_metadata',
  'invalid_response_status_code',
  'unable_to_decode_response',
  'token_not_found',
  // ours
  'timeout',
  'response_too_large',
  'too_many_redirects',
  'uri_disallowed',
  'uri_invalid',
  'uri_missing',
  'unsupported_content_type',
  'metadata_invalid',
  'rate_limited',
  'contract_call_reverted',
  'contract_call_unavailable',
  'internal_error',
  // media (issue 16): an image whose header claims more pixels than MEDIA_MAX_PIXELS; one that does not decode
  'media_too_many_pixels',
  'media_undecodable',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value)
}

export interface MetadataErrorDetails {
  /** The URL that was being fetched when the error happened, if any. */
  url?: string
  /** HTTP status the metadata host answered with, if it answered. */
  status?: number
  /** Start of the body the host answered with (already truncated). */
  body?: string
  /** For retryable errors: the host asked us to wait this long (Retry-After), in ms. */
  retryAfterMs?: number
  cause?: unknown
}

export abstract class MetadataError extends Error {
  abstract readonly retryable: boolean
  readonly url?: string
  readonly status?: number
  readonly body?: string
  readonly retryAfterMs?: number

  constructor(
    readonly code: ErrorCode,
    message: string,
    details: MetadataErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = new.target.name
    this.url = details.url
    this.status = details.status
    this.body = details.body
    this.retryAfterMs = details.retryAfterMs
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      url: this.url,
      status: this.status,
      body: this.body,
      retryAfterMs: this.retryAfterMs,
    }
  }
}

/** Try again later: nothing is wrong with the token itself. */
export class RetryableError extends MetadataError {
  readonly retryable = true
}

/** The token's metadata cannot be had until its URI or host changes. */
export class PermanentError extends MetadataError {
  readonly retryable = false
}

export function isMetadataError(e: unknown): e is MetadataError {
  return e instanceof MetadataError
}
