import type { ErrorCode } from '../core/errors'

/**
 * What an NFT team should check for each error code `inspect` can report, and what the indexer
 * will do about it (retryable codes are retried with backoff; the others mark the token INVALID).
 */
export const ERROR_HINTS: Partial<Record<ErrorCode, string>> = {
  unable_to_retrieve_metadata: 'The host could not be reached (DNS failure, connection refused or reset). The indexer retries this with backoff.',
  invalid_response_status_code: 'The host answered with an HTTP error status. 5xx (except 501) and 408 are retried; other statuses mark the token INVALID.',
  unable_to_decode_response: 'The body is neither JSON (UTF-8) nor an image/video. Check the file content and its Content-Type; see error.body for the start of what was served.',
  token_not_found:
    'The host answered 404/410 for this URL. Check the path and file name, and how {id} was substituted (see resolved.url). Never assume ".json" is appended: it is not.',
  timeout: 'No complete answer within the deadline (--timeout, FETCH_TIMEOUT_MS). The indexer retries this with backoff.',
  response_too_large: 'The document is larger than FETCH_MAX_BYTES. Keep metadata small; put media behind URLs instead of inlining it.',
  too_many_redirects: 'More redirects than FETCH_MAX_REDIRECTS, or a redirect loop. Point the token URI at the final location.',
  uri_disallowed:
    'The scheme is not fetched (http, https, ipfs, ipns, ar and data: are), or the host resolves to a private or loopback address. To test against a local server, pass --allow HOST:PORT.',
  uri_invalid: 'The URI could not be parsed (bad CID, base64 or percent-encoding, or an unknown shape).',
  uri_missing: 'The token URI is empty.',
  metadata_invalid: 'The document is JSON but not a metadata object (it must be a JSON object, nested at most 64 levels).',
  rate_limited: 'The host answered 429 Too Many Requests. The indexer waits (honouring Retry-After) and retries.',
}
