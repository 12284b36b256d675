import { indexedContractStandard } from '../../store/read/contracts'
import { randomBytes } from 'node:crypto'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isMetadataError } from '../../core/errors'
import { zkevmLimitHeaders, zkevmLimitResult } from '../auth/refreshLimits'
import type { ApiContext } from '../context'
import { checkTokenId, clip } from '../validation'
import { asFailure, requireKey, requireRights, RefreshFailure, sendFailure, type FailureKind } from '../refresh/failures'
import { bodyObject, contractOf, InputProblem, typeOf, type Json } from '../refresh/input'
import { zkevmSchema } from '../imx/schemas'
import { preparePush, type PushedItem } from '../../metadata/pushedDocuments'
import { pushWithinLimits } from './pushService'

/**
 * Immutable zkEVM push-model refresh (seeds/002), registered under /v1/chains:
 *
 *   POST /:chain_name/collections/:contract_address/nfts/refresh-metadata  {nft_metadata: [...]}
 *     -> 202 MetadataRefreshRateLimitResult (+ unknown_token_ids) with imx-* and retry-after headers
 *
 * chain_name maps to a chain through CHAIN_NAMES (unknown or not indexed: 404). Limits as
 * documented: 1 to 250 items, each at most 16 KiB (its JSON), the whole body at most 228 KiB.
 * Errors are Immutable's `{message, link, trace_id, code, details}`; every client mistake,
 * including an oversized or malformed body, is a 400 VALIDATION_ERROR.
 */

export const MAX_ITEMS = 250
export const MAX_ITEM_BYTES = 16 * 1024
export const MAX_BODY_BYTES = 228 * 1024

const TEXT_FIELDS = ['name', 'description', 'image', 'external_url', 'animation_url', 'youtube_url'] as const
const DISPLAY_TYPES = new Set(['number', 'boost_percentage', 'boost_number', 'date'])

const CODES: Record<FailureKind, string> = {
  invalid: 'VALIDATION_ERROR',
  unauthorized: 'UNAUTHORISED_REQUEST',
  forbidden: 'AUTHENTICATION_ERROR',
  not_found: 'RESOURCE_NOT_FOUND',
  limited: 'TOO_MANY_REQUESTS_ERROR',
  unavailable: 'SERVICE_UNAVAILABLE',
}

/** Where an error body's `link` points: this server's interactive API documentation. */
const DOCS_LINK = '/docs'

export interface ImmutableErrorBody {
  message: string
  link: string
  trace_id: string
  code: string
  details: Record<string, unknown> | null
}

function errorBody(code: string, message: string, details: Record<string, unknown> | null = null): ImmutableErrorBody {
  return { message, link: DOCS_LINK, trace_id: randomBytes(16).toString('hex'), code, details }
}

type Params = { chain_name: string; contract_address: string }

export function zkevmRefreshRoutes(ctx: ApiContext) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.setValidatorCompiler(() => () => true)
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply.code(400).send(errorBody('VALIDATION_ERROR', `request body is larger than ${MAX_BODY_BYTES / 1024} KiB`, { limit_bytes: MAX_BODY_BYTES }))
      }
      const f = asFailure(err, request)
      if (!f) {
        const body = errorBody('INTERNAL_SERVER_ERROR', 'Internal server error')
        request.log.error({ trace_id: body.trace_id }, 'zkevm refresh failed')
        return reply.code(500).send(body)
      }
      return sendFailure(reply, f, errorBody(CODES[f.kind], f.message, f.options.field ? { field: f.options.field } : null))
    })
    app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('RESOURCE_NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0].slice(0, 200)}`)))

    app.post(
      '/:chain_name/collections/:contract_address/nfts/refresh-metadata',
      { schema: zkevmSchema, bodyLimit: MAX_BODY_BYTES },
      async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
        const now = new Date()
        const key = await requireKey(ctx, request.headers, 'immutable')
        const { chain_name: chainName, contract_address: address } = request.params
        const chain = Object.hasOwn(ctx.config.CHAIN_NAMES, chainName) ? ctx.config.CHAIN_NAMES[chainName] : undefined
        if (chain === undefined || !ctx.knownChains.has(chain)) {
          throw new RefreshFailure('not_found', `chain ${clip(chainName)} not found`, { field: 'chain_name' })
        }
        const contractId = contractOf(chain, address, 'contract_address')
        const items = parseItems(chain, request.body)
        requireRights(key, contractId, address)
        const standard = await ctx.store.read(indexedContractStandard, contractId)
        if (!standard) throw new RefreshFailure('not_found', `collection ${address} is not indexed on ${chainName}`, { field: 'contract_address' })
        let prepared
        try {
          prepared = preparePush(contractId, standard, items)
        } catch (e) {
          if (isMetadataError(e)) throw new InputProblem(`nft_metadata: ${e.message}`, 'nft_metadata')
          throw e
        }

        const out = await ctx.store.run(pushWithinLimits, ctx.config, key.id, contractId, prepared, now)
        if (!out.pushed) {
          const f = new RefreshFailure('limited', 'Too many metadata refreshes', { headers: zkevmLimitHeaders(out.limits) })
          return sendFailure(reply, f, errorBody(CODES.limited, f.message, { ...zkevmLimitResult(out.limits) }))
        }
        return reply
          .code(202)
          .headers(zkevmLimitHeaders(out.limits))
          .send({ ...zkevmLimitResult(out.limits), unknown_token_ids: out.pushed.unknown })
      },
    )
  }
}

/** The pushed items, checked against the documented schema and limits. */
export function parseItems(chain: string, body: unknown): PushedItem[] {
  const b = bodyObject(body)
  const list = b.nft_metadata
  if (list === undefined || list === null) throw new InputProblem('nft_metadata is required', 'nft_metadata', true)
  if (!Array.isArray(list)) throw new InputProblem(`nft_metadata must be an array, got ${typeOf(list)}`, 'nft_metadata')
  if (list.length < 1 || list.length > MAX_ITEMS) throw new InputProblem(`nft_metadata must hold 1 to ${MAX_ITEMS} items, got ${list.length}`, 'nft_metadata')
  const seen = new Set<string>()
  return list.map((raw, i) => {
    const field = `nft_metadata[${i}]`
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputProblem(`${field} must be an object, got ${typeOf(raw)}`, field)
    const item = raw as Json
    const size = Buffer.byteLength(JSON.stringify(item), 'utf8')
    if (size > MAX_ITEM_BYTES) throw new InputProblem(`${field} is ${size} bytes; each item may be at most ${MAX_ITEM_BYTES} bytes (16 KiB)`, field)
    if (item.token_id === undefined || item.token_id === null) throw new InputProblem(`${field}.token_id is required`, `${field}.token_id`, true)
    const checked = checkTokenId(chain, item.token_id)
    if (!checked.ok)
      throw new InputProblem(`${field}.token_id: ${typeof item.token_id === 'string' ? checked.problem : `must be a string, got ${typeOf(item.token_id)}`}`, `${field}.token_id`)
    if (seen.has(checked.tokenId)) throw new InputProblem(`${field}.token_id ${checked.tokenId} appears more than once`, `${field}.token_id`)
    seen.add(checked.tokenId)
    const doc: Json = {}
    for (const name of TEXT_FIELDS) {
      if (!(name in item)) throw new InputProblem(`${field}.${name} is required (null when absent)`, `${field}.${name}`, true)
      const v = item[name]
      if (v !== null && typeof v !== 'string') throw new InputProblem(`${field}.${name} must be a string or null, got ${typeOf(v)}`, `${field}.${name}`)
      if (v !== null) doc[name] = v
    }
    if (!('attributes' in item)) throw new InputProblem(`${field}.attributes is required (null when absent)`, `${field}.attributes`, true)
    const attributes = parseAttributes(item.attributes, `${field}.attributes`)
    if (attributes) doc.attributes = attributes
    return { tokenId: BigInt(checked.tokenId), doc }
  })
}

function parseAttributes(v: unknown, field: string): Json[] | null {
  if (v === null) return null
  if (!Array.isArray(v)) throw new InputProblem(`${field} must be an array or null, got ${typeOf(v)}`, field)
  return v.map((a, i) => {
    const f = `${field}[${i}]`
    if (a === null || typeof a !== 'object' || Array.isArray(a)) throw new InputProblem(`${f} must be an object, got ${typeOf(a)}`, f)
    const attr = a as Json
    if (typeof attr.trait_type !== 'string')
      throw new InputProblem(`${f}.trait_type must be a string, got ${typeOf(attr.trait_type)}`, `${f}.trait_type`, attr.trait_type === undefined)
    const value = attr.value
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new InputProblem(`${f}.value must be a string, number or boolean, got ${typeOf(value)}`, `${f}.value`, value === undefined)
    }
    const out: Json = { trait_type: attr.trait_type, value }
    const dt = attr.display_type
    if (dt !== undefined && dt !== null) {
      if (typeof dt !== 'string' || !DISPLAY_TYPES.has(dt)) throw new InputProblem(`${f}.display_type must be one of ${[...DISPLAY_TYPES].join(', ')} or null`, `${f}.display_type`)
      out.display_type = dt
    }
    return out
  })
}
