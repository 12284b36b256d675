// Pure mappings of the refresh surfaces: our closed error codes onto Immutable's four, API key
// candidates per surface, refresh ids.
import { describe, expect, it } from 'vitest'
import { candidateKeys } from '../../../src/api/auth/apiKeyAuth'
import { IMMUTABLE_ERROR_CODES, immutableErrorCode, isRefreshId } from '../../../src/api/refresh/refreshService'
import { ERROR_CODES } from '../../../src/core/errors'

describe('Immutable error codes', () => {
  it("maps every code of ours onto one of Immutable's four", () => {
    const mapped = Object.fromEntries(ERROR_CODES.map((c) => [c, immutableErrorCode(c)]))
    for (const v of Object.values(mapped)) expect(IMMUTABLE_ERROR_CODES).toContain(v)
    expect(mapped).toMatchObject({
      token_not_found: 'token_not_found',
      contract_call_reverted: 'token_not_found',
      timeout: 'unable_to_retrieve_metadata',
      unable_to_retrieve_metadata: 'unable_to_retrieve_metadata',
      contract_call_unavailable: 'unable_to_retrieve_metadata',
      uri_disallowed: 'unable_to_retrieve_metadata',
      invalid_response_status_code: 'invalid_response_status_code',
      rate_limited: 'invalid_response_status_code',
      unable_to_decode_response: 'unable_to_decode_response',
      response_too_large: 'unable_to_decode_response',
      metadata_invalid: 'unable_to_decode_response',
      unsupported_content_type: 'unable_to_decode_response',
    })
    expect(immutableErrorCode(null)).toBe('unable_to_retrieve_metadata')
  })
})

describe('API key headers', () => {
  it("reads the surface's own header and a Bearer token, nothing else", () => {
    const h = { 'x-immutable-api-key': ' a ', 'x-api-key': 'b', 'x-access-key': 'c', authorization: 'BEARER d' }
    expect(candidateKeys(h, 'immutable')).toEqual(['a', 'd'])
    expect(candidateKeys(h, 'mavis')).toEqual(['b', 'd'])
    expect(candidateKeys(h, 'sequence')).toEqual(['c', 'd'])
    expect(candidateKeys(h, 'graphql')).toEqual(['d'])
    expect(candidateKeys({ authorization: 'Basic d' }, 'graphql')).toEqual([])
    expect(candidateKeys({ authorization: 'Bearer a b' }, 'graphql')).toEqual([])
    expect(candidateKeys({ 'x-api-key': ['a', 'a', 'b'] } as never, 'mavis')).toEqual(['a', 'b'])
  })
})

describe('refresh ids', () => {
  it('are UUIDs', () => {
    expect(isRefreshId('00000000-0001-4000-8000-000000000000')).toBe(true)
    expect(isRefreshId('00000000-0001-4000-8000-00000000000')).toBe(false)
  })
})
