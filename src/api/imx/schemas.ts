import { z } from 'zod'
import { contractAddress, pageSize, queryValue, tokenIdValues } from '../shapes/formats'

/**
 * The Immutable X refresh routes (seeds/003): request shapes (zod: they validate and coerce the
 * request and are its OpenAPI description) and the OpenAPI descriptions of the answers.
 */

const imxTags = ['Immutable X metadata refreshes']

const DEFAULT_PAGE = 100
const MAX_PAGE = 200

const imxError = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
}

/** The API-key headers of Immutable's APIs (also the zkEVM push's). */
export const imxKeyHeaders = {
  'x-immutable-api-key': z.string().optional().describe('API key (created with `token-metadata keys create`)'),
  authorization: z.string().optional().describe('Bearer <API key> (instead of x-immutable-api-key)'),
}

/** Immutable X metadata-refresh routes also take project-owner authentication instead of a key. */
const imxOwnerHeaders = z.looseObject({
  ...imxKeyHeaders,
  'x-imx-eth-address': z.string().optional().describe('project owner: its address (owner() of the collection, or bound to an API key with keys create --eth-address)'),
  'x-imx-eth-timestamp': z.string().optional().describe('Unix seconds as a decimal string, within IMX_SIGNATURE_WINDOW_SECONDS of the server clock'),
  'x-imx-eth-signature': z.string().optional().describe("the owner's EIP-191 personal_sign of the timestamp: r + s + recovery id (00/01 or 1b/1c), 0x optional"),
})

const imxLimitHeaders = {
  'x-imx-refreshes-limit': { type: 'string', description: 'tokens that can be refreshed per hour' },
  'x-imx-remaining-refreshes': { type: 'string', description: 'tokens remaining in the current hour window' },
  'x-imx-refresh-limit-reset': { type: 'string', description: 'UNIX timestamp (seconds) when the window rolls over' },
}

const refreshListItem = {
  type: 'object',
  properties: {
    refresh_id: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'in_progress', 'completed'] },
    collection_address: { type: 'string' },
    started_at: { type: 'string', nullable: true },
    completed_at: { type: 'string', nullable: true },
  },
}

const paging = {
  cursor: queryValue().optional().describe('cursor of the previous page'),
  page_size: pageSize(DEFAULT_PAGE, MAX_PAGE),
}

const refreshIdParams = z.object({ refresh_id: z.string() })

/** The routes' schemas for refreshes on `chain` of at most `maxTokens` tokens. */
export function imxSchemas(chain: string, maxTokens: number) {
  return {
    create: {
      tags: imxTags,
      summary: 'Request a metadata refresh',
      description: 'Queues a refresh of up to REFRESH_MAX_TOKENS_PER_REQUEST (1,000) tokens of a collection on REFRESH_DEFAULT_CHAIN at the highest priority.',
      headers: imxOwnerHeaders,
      body: z.object({ collection_address: contractAddress(chain), token_ids: tokenIdValues(chain, { max: maxTokens, nonEmpty: true }) }),
      response: {
        202: { description: 'Accepted', headers: imxLimitHeaders, type: 'object', properties: { refresh_id: { type: 'string' } } },
        400: imxError,
        401: imxError,
        403: imxError,
        429: { description: 'Refresh limit exceeded', headers: imxLimitHeaders, ...imxError },
      },
    },
    list: {
      tags: imxTags,
      summary: 'List metadata refreshes, newest first',
      headers: imxOwnerHeaders,
      querystring: z.object({ collection_address: contractAddress(chain, queryValue()).optional(), ...paging }),
      response: {
        200: { type: 'object', properties: { result: { type: 'array', items: refreshListItem }, cursor: { type: 'string' }, remaining: { type: 'integer' } } },
        400: imxError,
        401: imxError,
        403: imxError,
      },
    },
    get: {
      tags: imxTags,
      summary: 'Status of a metadata refresh',
      headers: imxOwnerHeaders,
      params: refreshIdParams,
      response: {
        200: {
          type: 'object',
          properties: {
            ...refreshListItem.properties,
            summary: { type: 'object', properties: { succeeded: { type: 'integer' }, failed: { type: 'integer' }, pending: { type: 'integer' } } },
          },
        },
        401: imxError,
        404: imxError,
      },
    },
    errors: {
      tags: imxTags,
      summary: 'Per-token errors of a metadata refresh',
      headers: imxOwnerHeaders,
      params: refreshIdParams,
      querystring: z.object(paging),
      response: {
        200: {
          type: 'object',
          properties: {
            result: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  token_id: { type: 'string' },
                  collection_address: { type: 'string' },
                  client_token_metadata_url: { type: 'string', nullable: true },
                  client_response_status_code: { type: 'integer', nullable: true },
                  client_response_body: { type: 'string', nullable: true, description: 'at most 1 KiB' },
                  error_code: { type: 'string', enum: ['unable_to_retrieve_metadata', 'invalid_response_status_code', 'unable_to_decode_response', 'token_not_found'] },
                  created_at: { type: 'string' },
                },
              },
            },
            cursor: { type: 'string' },
            remaining: { type: 'integer' },
          },
        },
        400: imxError,
        401: imxError,
        404: imxError,
      },
    },
  }
}
