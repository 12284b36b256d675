import type { ErrorCode } from '../../core/errors'

/**
 * Hiro's error bodies (Token Metadata API v1), verbatim: clients match on the `error` text.
 */
export const HIRO_ERROR = {
  tokenNotFound: { status: 404, body: { error: 'Token not found' } },
  contractNotFound: { status: 404, body: { error: 'Contract not found' } },
  inProgress: { status: 422, body: { error: 'Token metadata fetch in progress' } },
  localeNotFound: { status: 422, body: { error: 'Locale not found' } },
} as const

export interface HiroErrorReply {
  status: number
  body: { error: string; message?: string }
}

/** The `message` of a 422 "Token error", one per error code of the shared closed set. */
const MESSAGES: Record<ErrorCode, string> = {
  unable_to_retrieve_metadata: 'Metadata could not be retrieved from its URI',
  invalid_response_status_code: 'Metadata could not be processed because the server responded with an error',
  unable_to_decode_response: 'Metadata could not be parsed or it does not conform to SIP-016',
  token_not_found: 'The metadata server reports that this token does not exist',
  timeout: 'Metadata could not be processed because it took too long to respond',
  response_too_large: 'Metadata size is too large to process',
  too_many_redirects: 'Metadata could not be retrieved because its URI redirects too many times',
  uri_disallowed: 'The token URI points to an address that may not be fetched',
  uri_invalid: 'The token URI is not a valid URI',
  uri_missing: 'The token contract returned no token URI',
  unsupported_content_type: 'Metadata has a content type that is not JSON, an image or a video',
  metadata_invalid: 'Metadata could not be parsed or it does not conform to SIP-016',
  rate_limited: 'Metadata could not be retrieved because its server kept rate limiting requests',
  contract_call_reverted: 'The token contract produced a Clarity error when trying to fetch metadata',
  contract_call_unavailable: 'The token contract could not be called to fetch metadata',
  internal_error: 'Metadata could not be processed because of an internal error',
  // media errors belong to a token's cached image, never to its metadata (listed for completeness)
  media_too_many_pixels: 'The image has more pixels than this service decodes',
  media_undecodable: 'The image could not be decoded',
}

export function tokenErrorReply(code: string | null | undefined): HiroErrorReply {
  const message = (code && (MESSAGES as Record<string, string>)[code]) || 'Unknown error'
  return { status: 422, body: { error: 'Token error', message } }
}
