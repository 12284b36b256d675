import { countIndexedTokens } from '../../store/read/tokenLists'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { tokenKey } from '../../core/ids'
import { retryAfterHeaders } from '../auth/refreshLimits'
import type { ApiContext } from '../context'
import { asFailure, requireKey, requireRights, sendFailure, type FailureKind } from '../refresh/failures'
import { bodyObject, contractOf, InputProblem, tokenIdList } from '../refresh/input'
import { mavisSchema } from '../imx/schemas'
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

export const MAVIS_MAX_TOKENS = 100

const MESSAGES: Partial<Record<FailureKind, string>> = {
  unauthorized: 'Invalid authentication credentials',
  forbidden: 'You cannot consume this service',
  limited: 'API rate limit exceeded',
}

export function mavisRefreshRoutes(ctx: ApiContext) {
  const chain = ctx.config.MAVIS_CHAIN

  return async function register(app: FastifyInstance): Promise<void> {
    app.setValidatorCompiler(() => () => true)
    app.setErrorHandler((err, request, reply) => {
      const f = asFailure(err, request)
      if (!f) return reply.code(500).send({ message: 'Internal server error' })
      return sendFailure(reply, f, { message: MESSAGES[f.kind] ?? f.message })
    })
    app.setNotFoundHandler((request, reply) => reply.code(404).send({ message: `no route for ${request.method} ${request.url.split('?')[0].slice(0, 200)}` }))

    app.post('/collections/:token_address/refresh_metadata', { schema: mavisSchema }, async (request: FastifyRequest<{ Params: { token_address: string } }>, reply) => {
      const key = await requireKey(ctx, request.headers, 'mavis')
      const address = request.params.token_address
      const contractId = contractOf(chain, address, 'token_address')
      const b = bodyObject(request.body)
      if (Array.isArray(b.token_ids) && b.token_ids.length > MAVIS_MAX_TOKENS) {
        throw new InputProblem(`Too many token ids, max number of token ids allowed is ${MAVIS_MAX_TOKENS}`, 'token_ids')
      }
      const tokenIds = tokenIdList(chain, b.token_ids, 'token_ids', MAVIS_MAX_TOKENS)
      requireRights(key, contractId, address)
      const refs = tokenIds.map((id) => tokenKey(contractId, id))
      if ((await ctx.store.read(countIndexedTokens, refs)) !== refs.length) throw new InputProblem('Token not found', 'token_ids')
      const out = await ctx.store.run(requestRefresh, ctx.config, { surface: 'mavis', key, chain, contractId, tokenIds })
      if (out.kind === 'limited') return reply.code(429).headers(retryAfterHeaders(out.limits)).send({ message: MESSAGES.limited })
      return reply.code(200).header('x-refresh-id', out.refreshId).send({ message: 'Metadata refresh initiated' })
    })
  }
}
