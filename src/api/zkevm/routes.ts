import { indexedContractStandard } from '../../store/read/contracts'
import { randomBytes } from 'node:crypto'
import type { FastifyError, FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { isMetadataError } from '../../core/errors'
import { zkevmLimitHeaders, zkevmLimitResult } from '../auth/refreshLimits'
import type { ApiContext } from '../context'
import { authenticateFirst } from '../refresh/authFirst'
import { asFailure, requireKey, requireRights, RefreshFailure, sendFailure, type FailureKind } from '../refresh/failures'
import { shapeValidatorCompiler } from '../shapes/validation'
import { MAX_BODY_BYTES, zkevmSchema } from './schemas'
import { preparePush } from '../../metadata/pushedDocuments'
import { pushWithinLimits } from './pushService'

/**
 * Immutable zkEVM push-model refresh (seeds/002), registered under /v1/chains:
 *
 *   POST /:chain_name/collections/:contract_address/nfts/refresh-metadata  {nft_metadata: [...]}
 *     -> 202 MetadataRefreshRateLimitResult (+ unknown_token_ids) with imx-* and retry-after headers
 *
 * chain_name maps to a chain through CHAIN_NAMES (unknown or not indexed: 404). Limits as
 * documented (schemas.ts): 1 to 250 items, each at most 16 KiB (its JSON), the whole body at most
 * 228 KiB. Errors are Immutable's `{message, link, trace_id, code, details}`; every client
 * mistake, including an oversized or malformed body, is a 400 VALIDATION_ERROR whose details
 * name the field.
 */

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

export function zkevmRefreshRoutes(ctx: ApiContext) {
  const schema = zkevmSchema(ctx.config.CHAIN_NAMES, ctx.knownChains)
  const auth = authenticateFirst((request) => requireKey(ctx, request.headers, 'immutable'))

  return async function register(scope: FastifyInstance): Promise<void> {
    const app = scope.withTypeProvider<ZodTypeProvider>()
    app.setValidatorCompiler(shapeValidatorCompiler)
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
      { schema, bodyLimit: MAX_BODY_BYTES, preValidation: auth.preValidation },
      async (request, reply) => {
        const now = new Date()
        const key = auth.callerOf(request)
        const { chainName, address, contractId } = request.params
        const items = request.body.nft_metadata
        requireRights(key, contractId, address)
        const standard = await ctx.store.read(indexedContractStandard, contractId)
        if (!standard) throw new RefreshFailure('not_found', `collection ${address} is not indexed on ${chainName}`, { field: 'contract_address' })
        let prepared
        try {
          prepared = preparePush(contractId, standard, items)
        } catch (e) {
          if (isMetadataError(e)) throw new RefreshFailure('invalid', `nft_metadata: ${e.message}`, { field: 'nft_metadata' })
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
