import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { ApiContext } from '../context'
import { classifyError, isDatabaseUnavailable, logServerError, UNAVAILABLE_RETRY_AFTER_S } from '../errors'
import { RequestShapeError, shapeValidatorCompiler } from '../shapes/validation'
import { getTokenMetadataBatchSchema, getTokenMetadataSchema } from './schemas'
import { tokenMetadataFor } from './tokenMetadataService'
import { WebrpcFailure, webrpcErrorBody, webrpcShapeError, webrpcUnavailableBody, type WebrpcErrorBody } from './webrpcErrors'

const METHODS = new Set(['GetTokenMetadata', 'GetTokenMetadataBatch'])

/**
 * Sequence Metadata over webrpc: `POST /rpc/Metadata/<Method>` (registered under the /rpc prefix). Every failure, including body
 * parsing, routing and server errors, answers a webrpc error object.
 *
 * Request bodies are checked by their schemas (schemas.ts); a mismatch is answered as webrpc
 * does: RequiredArgument, InvalidArgument, ChainNotFound, or WebrpcBadRequest for a wrong JSON
 * type, each with a cause naming the field.
 */
export function sequenceRoutes(ctx: ApiContext) {
  const getTokenMetadata = getTokenMetadataSchema(ctx.knownChains)
  const getTokenMetadataBatch = getTokenMetadataBatchSchema(ctx.knownChains)
  return async function register(scope: FastifyInstance): Promise<void> {
    const app = scope.withTypeProvider<ZodTypeProvider>()
    app.setValidatorCompiler(shapeValidatorCompiler)
    app.setErrorHandler((err: FastifyError, request, reply) =>
      sendError(reply, toWebrpc(err, request), isDatabaseUnavailable(err) ? { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_S) } : {}),
    )
    app.setNotFoundHandler((request, reply) => sendError(reply, webrpcErrorBody('WebrpcBadRoute', `no route for ${request.method} ${request.url.split('?')[0].slice(0, 200)}`)))

    app.post('/Metadata/GetTokenMetadata', { schema: getTokenMetadata }, async (request) => {
      const byContract = await tokenMetadataFor(ctx, request.body)
      return { tokenMetadata: byContract.get(request.body.contracts[0].key) ?? [] }
    })
    app.post('/Metadata/GetTokenMetadataBatch', { schema: getTokenMetadataBatch }, async (request) => {
      const byContract = await tokenMetadataFor(ctx, request.body)
      return { contractTokenMetadata: Object.fromEntries(byContract) }
    })
    app.all('/Metadata/:method', { schema: { hide: true } }, async (request: FastifyRequest<{ Params: { method: string } }>, reply) => {
      const { method } = request.params
      if (METHODS.has(method)) return sendError(reply, webrpcErrorBody('WebrpcBadMethod', `${method} accepts POST only`))
      return sendError(reply, webrpcErrorBody('WebrpcBadRoute', `unknown method Metadata/${method.slice(0, 100)}`))
    })
  }
}

function sendError(reply: FastifyReply, body: WebrpcErrorBody, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(body.status).headers(headers).send(body)
}

function toWebrpc(err: unknown, request: FastifyRequest): WebrpcErrorBody {
  if (err instanceof WebrpcFailure) return err.body
  if (err instanceof RequestShapeError) return webrpcShapeError(err.problem, 'WebrpcBadRequest')
  const problem = classifyError(err)
  if (problem) return webrpcErrorBody('WebrpcBadRequest', problem.message)
  logServerError(request, err)
  if (isDatabaseUnavailable(err)) return webrpcUnavailableBody()
  return webrpcErrorBody('WebrpcInternalError')
}
