import { z } from 'zod'
import type { PushedItem } from '../../metadata/pushedDocuments'
import { imxKeyHeaders } from '../imx/schemas'
import { tokenId } from '../shapes/formats'
import { fieldName, shapeIssue, typeOf } from '../shapes/validation'
import { clip, contractAddressProblem, contractIdOf } from '../validation'

/**
 * The Immutable zkEVM push route (seeds/002): its request shapes (zod: they validate and coerce
 * the request and are its OpenAPI description) and the OpenAPI description of the answers.
 * Limits as documented: 1 to 250 items, each at most 16 KiB (its JSON), the whole body at most
 * 228 KiB (the route's body limit).
 */

const MAX_ITEMS = 250
const MAX_ITEM_BYTES = 16 * 1024
export const MAX_BODY_BYTES = 228 * 1024

const DISPLAY_TYPES = ['number', 'boost_percentage', 'boost_number', 'date'] as const

/** The chain of the path's chain_name (CHAIN_NAMES, indexed here: else 404) and the collection on it. */
function pushParams(chainNames: Readonly<Record<string, string>>, knownChains: ReadonlySet<string>) {
  return z.object({ chain_name: z.string(), contract_address: z.string() }).transform((p, ctx) => {
    const chain = Object.hasOwn(chainNames, p.chain_name) ? chainNames[p.chain_name] : undefined
    if (chain === undefined || !knownChains.has(chain)) {
      ctx.addIssue({ ...shapeIssue('unknown_chain', () => `chain ${clip(p.chain_name)} not found`, ['chain_name']), input: p.chain_name })
      return z.NEVER
    }
    const problem = contractAddressProblem(chain, p.contract_address)
    if (problem) {
      ctx.addIssue({ ...shapeIssue('invalid', (field) => `${field}: ${problem}`, ['contract_address']), input: p.contract_address })
      return z.NEVER
    }
    return { chainName: p.chain_name, chain, address: p.contract_address, contractId: contractIdOf(chain, p.contract_address) }
  })
}

const zkevmError = {
  type: 'object',
  required: ['message', 'link', 'trace_id', 'code', 'details'],
  properties: {
    message: { type: 'string' },
    link: { type: 'string' },
    trace_id: { type: 'string' },
    code: { type: 'string' },
    details: { type: 'object', nullable: true, additionalProperties: true },
  },
}

const zkevmLimit = {
  'imx-refreshes-limit': { type: 'string', description: 'pushed tokens per one-hour window' },
  'imx-refresh-limit-reset': { type: 'string', description: 'end of the current window (ISO-8601)' },
  'imx-remaining-refreshes': { type: 'string', description: 'remaining in the current window' },
  'retry-after': { type: 'string', description: 'seconds until the next request can be made' },
}

/** The documented token id: a uint256 as a decimal string, whatever chain chain_name names. */
const ZKEVM_TOKEN_IDS = 'eip155'

const say = (iss: z.core.$ZodRawIssue) => fieldName(iss.path ?? [])

/** The message of a documented field that may be null but not left out. */
const nullOrPresent = (what: string) => (iss: z.core.$ZodRawIssue) =>
  iss.input === undefined ? `${say(iss)} is required (null when absent)` : `${say(iss)} must be ${what} or null, got ${typeOf(iss.input)}`

const nullableText = () => z.string({ error: nullOrPresent('a string') }).nullable()

const attribute = z
  .object({
    trait_type: z.string(),
    value: z.union([z.string(), z.number(), z.boolean()], { error: (iss) => `${say(iss)} must be a string, number or boolean, got ${typeOf(iss.input)}` }),
    display_type: z.enum(DISPLAY_TYPES, { error: (iss) => `${say(iss)} must be one of ${DISPLAY_TYPES.join(', ')} or null` }).nullish(),
  })
  .transform(({ trait_type, value, display_type }) => ({ trait_type, value, ...(display_type ? { display_type } : {}) }))

/** One pushed document: every documented field present (null when absent), at most 16 KiB of JSON as sent. */
const pushedItem = z.preprocess(
  (raw, ctx) => {
    const size = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? Buffer.byteLength(JSON.stringify(raw), 'utf8') : 0
    if (size > MAX_ITEM_BYTES) {
      ctx.addIssue({ ...shapeIssue('invalid', (field) => `${field} is ${size} bytes; each item may be at most ${MAX_ITEM_BYTES} bytes (16 KiB)`), input: raw })
    }
    return raw
  },
  z
    .object({
      token_id: tokenId(ZKEVM_TOKEN_IDS),
      name: nullableText(),
      description: nullableText(),
      image: nullableText(),
      external_url: nullableText(),
      animation_url: nullableText(),
      youtube_url: nullableText(),
      attributes: z.array(attribute, { error: nullOrPresent('an array') }).nullable(),
    })
    .transform(({ token_id, attributes, ...texts }): PushedItem => {
      // The document as pushed: documented fields only, nulls left out.
      const doc: Record<string, unknown> = Object.fromEntries(Object.entries(texts).filter(([, v]) => v !== null))
      if (attributes) doc.attributes = attributes
      return { tokenId: BigInt(token_id), doc }
    }),
)

const itemCount = (iss: z.core.$ZodRawIssue) => `${say(iss)} must hold 1 to ${MAX_ITEMS} items, got ${Array.isArray(iss.input) ? iss.input.length : 0}`

const pushBody = z.object({
  nft_metadata: z
    .array(pushedItem)
    .min(1, { error: itemCount })
    .max(MAX_ITEMS, { error: itemCount })
    .superRefine((items, ctx) => {
      const seen = new Set<bigint>()
      for (const [at, { tokenId: id }] of items.entries()) {
        if (seen.has(id)) {
          ctx.addIssue({ ...shapeIssue('invalid', (field) => `${field} ${id} appears more than once`, [at, 'token_id']), input: items })
          return
        }
        seen.add(id)
      }
    }),
})

/** The route's schema; chain_name is read through `chainNames` and must name a chain indexed here. */
export function zkevmSchema(chainNames: Readonly<Record<string, string>>, knownChains: ReadonlySet<string>) {
  return {
    tags: ['Immutable zkEVM metadata refresh'],
    summary: 'Push NFT metadata (Immutable zkEVM RefreshNFTMetadataByTokenID)',
    description:
      'Stores the pushed metadata of indexed tokens directly (normalised like fetched metadata); tokens the indexer does not know are listed in unknown_token_ids and not stored. 1 to 250 items, each at most 16 KiB, the body at most 228 KiB.',
    headers: z.looseObject(imxKeyHeaders),
    params: pushParams(chainNames, knownChains),
    body: pushBody,
    response: {
      202: {
        description: 'Accepted',
        headers: zkevmLimit,
        type: 'object',
        properties: {
          imx_refreshes_limit: { type: 'string' },
          imx_refresh_limit_reset: { type: 'string' },
          imx_remaining_refreshes: { type: 'string' },
          retry_after: { type: 'string' },
          unknown_token_ids: { type: 'array', items: { type: 'string' } },
        },
      },
      400: zkevmError,
      401: zkevmError,
      403: zkevmError,
      404: zkevmError,
      429: { headers: zkevmLimit, ...zkevmError },
    },
  }
}
