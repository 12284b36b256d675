import { countIndexedTokens } from '../../store/read/tokenLists'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { tokenKey } from '../../core/ids'
import { retryAfterHeaders } from '../auth/refreshLimits'
import type { ApiContext } from '../context'
import { authenticateFirst } from '../refresh/authFirst'
import { asFailure, RefreshFailure, requireKey, requireRights, sendFailure, type FailureKind } from '../refresh/failures'
import { shapeValidatorCompiler } from '../shapes/validation'
import { mavisSchema } from './schemas'
import { requestRefresh } from '../refresh/refreshService'

/**
 * Mavis Market partner API (seeds/004), registered under /mavis-market-partner:
 *
 *   POST /collections/:token_address/refresh_metadata  {token_ids: [...]} (at most 100)
 *     -> 200 {"message": "Metadata refresh initiated"}
 *
 * Bodies are `{message}` with the documented texts (401 "Invalid authentication credentials",
 * 403 "You cannot consume this service", 429 "API rate limit exceeded", 400 "Token not found" or
 * "Too many token ids, …"); other client mistakes are 400 with a message naming the problem.
 * The key comes in `X-API-Key` (or `Authorization: Bearer`); the chain is MAVIS_CHAIN (Ronin
 * mainnet by default), set apart from Immutable X's REFRESH_DEFAULT_CHAIN so one deployment serves both.
 * The refresh id is not part of Mavis' body; it is sent in the `x-refresh-id` header, so the
 * refresh can be followed on /v1/metadata-refreshes/:id.
 */

const MESSAGES: Partial<Record<FailureKind, string>> = {
  unauthorized: 'Invalid authentication credentials',
  forbidden: 'You cannot consume this service',
  limited: 'API rate limit exceeded',
}

export function mavisRefreshRoutes(ctx: ApiContext) {
  const chain = ctx.config.MAVIS_CHAIN
  const schema = mavisSchema(chain)
  const auth = authenticateFirst((request) => requireKey(ctx, request.headers, 'mavis'))

  return async function register(scope: FastifyInstance): Promise<void> {
    const app = scope.withTypeProvider<ZodTypeProvider>()
    app.setValidatorCompiler(shapeValidatorCompiler)
    app.setErrorHandler((err, request, reply) => {
      const f = asFailure(err, request)
      if (!f) return reply.code(500).send({ message: 'Internal server error' })
      return sendFailure(reply, f, { message: MESSAGES[f.kind] ?? f.message })
    })
    app.setNotFoundHandler((request, reply) => reply.code(404).send({ message: `no route for ${request.method} ${request.url.split('?')[0].slice(0, 200)}` }))

    app.post('/collections/:token_address/refresh_metadata', { schema, preValidation: auth.preValidation }, async (request, reply) => {
      const key = auth.callerOf(request)
      const { address, contractId } = request.params.token_address
      const tokenIds = request.body.token_ids
      requireRights(key, contractId, address)
      const refs = tokenIds.map((id) => tokenKey(contractId, id))
      if ((await ctx.store.read(countIndexedTokens, refs)) !== refs.length) throw new RefreshFailure('invalid', 'Token not found', { field: 'token_ids' })
      const out = await ctx.store.run(requestRefresh, ctx.config, { surface: 'mavis', key, chain, contractId, tokenIds })
      if (out.kind === 'limited') return reply.code(429).headers(retryAfterHeaders(out.limits)).send({ message: MESSAGES.limited })
      return reply.code(200).header('x-refresh-id', out.refreshId).send({ message: 'Metadata refresh initiated' })
    })
  }
}
