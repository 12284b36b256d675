import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql'
import { createHandler } from 'graphql-sse/lib/use/fastify'
import type { ApiContext } from '../context'
import { logServerError } from '../errors'
import { createGraphQLContext } from './context'
import type { GraphqlLimits } from './limits'

const TOKEN_HEADER = 'x-graphql-event-stream-token'

/**
 * `/graphql/stream`: GraphQL over Server-Sent Events (graphql-sse) for tokenChanged /
 * contractChanged (queries work too). Documents pass the same limits as /graphql (token cap,
 * graphql-armor rules). Limits per process and per connection:
 * - at most SUBSCRIPTION_MAX_CONNECTIONS open event streams (429 past it);
 * - "single connection" mode (a reserved stream, operations PUT/POSTed with its token): at most
 *   SUBSCRIPTION_MAX_PER_CONNECTION operations per stream; "distinct connections" mode (the
 *   browser default) is one operation per stream;
 * - a subscriber SUBSCRIPTION_BUFFER messages behind is ended (ChangeFeed).
 */
export function graphqlStreamRoute(ctx: ApiContext, schema: GraphQLSchema, limits: GraphqlLimits): (instance: FastifyInstance) => Promise<void> {
  const maxStreams = ctx.config.SUBSCRIPTION_MAX_CONNECTIONS
  const maxPerStream = ctx.config.SUBSCRIPTION_MAX_PER_CONNECTION
  const rules = [...specifiedRules, ...limits.validationRules]
  const perStream = new Map<string, number>()
  const operations = new WeakMap<object, string>()
  let streams = 0

  const handler = createHandler({
    schema,
    // graphql-sse's fastify adapter reads a missing header as the text "undefined": without this,
    // every request without a token would share the stream token "undefined".
    authenticate: (req) => streamToken(req) ?? randomUUID(),
    onSubscribe: (req, params) => {
      let document: DocumentNode
      try {
        document = typeof params.query === 'string' ? parse(params.query, limits.parseOptions) : params.query
      } catch (e) {
        return refusal(400, e instanceof GraphQLError ? e.message : 'the document could not be parsed', 'GRAPHQL_PARSE_FAILED')
      }
      const errors = validate(schema, document, rules)
      if (errors.length > 0)
        return [JSON.stringify({ errors: errors.map((e) => e.toJSON()) }), { status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/json' } }]
      const token = streamToken(req)
      if (token) {
        const n = perStream.get(token) ?? 0
        if (n >= maxPerStream) return refusal(429, `this stream already carries ${n} operations (SUBSCRIPTION_MAX_PER_CONNECTION is ${maxPerStream})`, 'TOO_MANY_SUBSCRIPTIONS')
        perStream.set(token, n + 1)
      }
      // graphql-sse types a context as a record; ours is a plain object of that shape
      const contextValue = createGraphQLContext(ctx) as unknown as Record<string, unknown>
      if (token) operations.set(contextValue, token)
      return { schema, document, variableValues: params.variables, operationName: params.operationName, contextValue }
    },
    onComplete: (contextValue) => {
      const token = contextValue ? operations.get(contextValue as object) : undefined
      if (!token) return
      const n = (perStream.get(token) ?? 1) - 1
      if (n <= 0) perStream.delete(token)
      else perStream.set(token, n)
    },
  })

  const open = new Set<ServerResponse>()
  return async (instance) => {
    // An event stream never ends by itself: a closing server ends them (clients reconnect to another process).
    instance.addHook('preClose', async () => {
      for (const res of open) res.destroy()
    })
    instance.route({
      method: ['GET', 'POST', 'PUT', 'DELETE'],
      url: '/graphql/stream',
      schema: { hide: true },
      bodyLimit: ctx.config.GRAPHQL_MAX_BODY_BYTES,
      handler: async (request, reply) => {
        if (String(request.headers.accept ?? '').includes('text/event-stream')) {
          if (streams >= maxStreams) {
            return reply
              .code(429)
              .header('retry-after', '5')
              .send({ errors: [{ message: `this server holds ${streams} event streams (SUBSCRIPTION_MAX_CONNECTIONS)`, extensions: { code: 'RATE_LIMITED' } }] })
          }
          streams++
          open.add(reply.raw)
          reply.raw.on('error', () => undefined)
          reply.raw.once('close', () => {
            streams--
            open.delete(reply.raw)
          })
        }
        try {
          await handler(request, reply)
        } catch (err) {
          logServerError(request, err as Error)
          if (!reply.sent) return reply.code(500).send({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] })
        }
      },
    })
  }
}

/** The reserved stream an operation belongs to ("single connection" mode), if any. */
function streamToken(req: { headers: { get(key: string): string | null | undefined }; url: string }): string | undefined {
  const header = req.headers.get(TOKEN_HEADER)
  if (header && header !== 'undefined') return header
  return new URL(req.url, 'http://localhost/').searchParams.get('token') || undefined
}

function refusal(status: 400 | 429, message: string, code: string): [string, { status: number; statusText: string; headers: Record<string, string> }] {
  return [
    JSON.stringify({ errors: [{ message, extensions: { code } }] }),
    { status, statusText: status === 400 ? 'Bad Request' : 'Too Many Requests', headers: { 'content-type': 'application/json' } },
  ]
}
