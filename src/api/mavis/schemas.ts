import { z } from 'zod'
import { contractAddress, tokenIdValues } from '../shapes/formats'

/**
 * The Mavis Market refresh route (seeds/004): its request shape (zod: it validates and coerces
 * the request and is its OpenAPI description) and the OpenAPI description of the answers.
 */

export const MAVIS_MAX_TOKENS = 100

const mavisMessage = { type: 'object', properties: { message: { type: 'string' } } }

/** The route's schema for refreshes on `chain`. */
export function mavisSchema(chain: string) {
  return {
    tags: ['Mavis Market metadata refresh'],
    summary: 'Refresh NFT metadata (up to 100 token ids)',
    description: 'Queues a refresh on MAVIS_CHAIN; the refresh id is in the x-refresh-id response header.',
    headers: z.looseObject({ 'x-api-key': z.string().optional(), authorization: z.string().optional().describe('Bearer <API key>') }),
    params: z.object({ token_address: contractAddress(chain) }),
    body: z.object({
      // Mavis' documented 400 text for a list over 100.
      token_ids: tokenIdValues(chain, { max: MAVIS_MAX_TOKENS, nonEmpty: true, tooMany: () => `Too many token ids, max number of token ids allowed is ${MAVIS_MAX_TOKENS}` }),
    }),
    response: { 200: mavisMessage, 400: mavisMessage, 401: mavisMessage, 403: mavisMessage, 429: mavisMessage },
  }
}
