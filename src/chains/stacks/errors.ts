/**
 * Errors of the Stacks API client side, grouped by what the caller should do (`retryable`), never
 * to be matched by message text. Read-only contract calls use the metadata error classes of
 * `core` instead (see readOnly.ts), because workers classify those.
 */
export interface StacksApiErrorDetails {
  url?: string
  status?: number
  /** requests made before giving up */
  attempts?: number
  /** the API asked to wait this long (Retry-After), in ms */
  retryAfterMs?: number
  cause?: unknown
}

export abstract class StacksApiError extends Error {
  abstract readonly retryable: boolean
  readonly url?: string
  readonly status?: number
  readonly attempts?: number
  readonly retryAfterMs?: number

  constructor(message: string, details: StacksApiErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = new.target.name
    this.url = details.url
    this.status = details.status
    this.attempts = details.attempts
    this.retryAfterMs = details.retryAfterMs
  }
}

/** 429, 5xx (except 501), timeouts or connection errors, still failing after the bounded retries. */
export class StacksApiUnavailableError extends StacksApiError {
  readonly retryable = true
}

/** The API answered something we cannot use (4xx other than 429, or a body of the wrong shape). */
export class StacksApiResponseError extends StacksApiError {
  readonly retryable = false
}

/** The block asked for does not exist (yet, or any more after a reorg). */
export class StacksBlockNotFoundError extends StacksApiError {
  readonly retryable = true
  constructor(
    readonly block: number | string,
    details: StacksApiErrorDetails = {},
  ) {
    super(`Stacks block ${block} not found`, details)
  }
}

/**
 * The pieces of a block did not add up (transaction count, pages from another block, events
 * missing), usually because the API was ingesting or reorganising while we read. Retry later.
 */
export class StacksBlockInconsistentError extends StacksApiError {
  readonly retryable = true
}
