import { ApolloServer, type ApolloServerPlugin } from '@apollo/server'
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled'
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default'
import { fastifyApolloHandler } from '@as-integrations/fastify'
import type { FastifyError, FastifyInstance } from 'fastify'
import type { GraphQLFormattedError } from 'graphql'
import type { ApiContext } from '../context'
import { classifyError, isDatabaseUnavailable, logServerError, serverFailureStatus, UNAVAILABLE_GRAPHQL_ERROR } from '../errors'
import { createGraphQLContext, type GraphQLContext } from './context'
import { DocumentLimitError, graphqlLimits } from './limits'
import { buildGraphqlSchema } from './schema'
import { graphqlStreamRoute } from './streamRoute'

/**
 * `/graphql` (GET, POST): Apollo Server 5 over Fastify. Errors keep their codes (BAD_USER_INPUT,
 * GRAPHQL_VALIDATION_FAILED, QUERY_TOO_DEEP, …: limits.ts); anything unexpected is logged and
 * answered as INTERNAL_SERVER_ERROR without message details or stack traces. Introspection is
 * answered only when GRAPHQL_INTROSPECTION is on (off by default, on in `npm run dev`).
 */
export async function graphqlRoutes(ctx: ApiContext): Promise<(instance: FastifyInstance) => Promise<void>> {
  const schema = await buildGraphqlSchema()
  const log = ctx.log.child({ component: 'graphql' })
  // No Apollo drain plugin: Fastify drains connections when it closes, and stops Apollo from its
  // onClose hook (the drain plugin would call fastify.close() again from inside that close).
  const limits = graphqlLimits(ctx.config)
  const plugins: ApolloServerPlugin<GraphQLContext>[] = [
    ...(limits.plugins as ApolloServerPlugin<GraphQLContext>[]),
    ctx.config.GRAPHQL_SANDBOX ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
    // The schema sets no cache hints (every answer has max-age 0, so no Cache-Control header), and
    // the default cache-control plugin would wrap every field resolver to compute that.
    ApolloServerPluginCacheControlDisabled(),
  ]
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: ctx.config.GRAPHQL_INTROSPECTION,
    includeStacktraceInErrorResponses: false,
    // The process's Shutdown closes Fastify, whose onClose hook stops Apollo. Apollo's own
    // SIGTERM handler would stop it first and then re-raise the signal mid-shutdown.
    stopOnTerminationSignals: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // One operation per HTTP request: a batch would multiply every per-document limit.
    allowBatchedHttpRequests: false,
    plugins,
    logger: log,
    formatError: (formatted, error) => maskInternal(formatted, error, log),
  })
  await apollo.start()
  const handler = fastifyApolloHandler(apollo, { context: async (request) => createGraphQLContext(ctx, request.headers) })
  const stream = ctx.changes ? graphqlStreamRoute(ctx, schema, limits) : undefined
  return async (instance: FastifyInstance) => {
    if (stream) await stream(instance)
    instance.addHook('onClose', async () => apollo.stop())
    instance.setErrorHandler((err: FastifyError, request, reply) => {
      const problem = classifyError(err)
      if (problem) return reply.code(problem.statusCode).send({ errors: [{ message: problem.message, extensions: { code: 'BAD_REQUEST' } }] })
      logServerError(request, err)
      const status = serverFailureStatus(reply, err)
      return reply.code(status).send({ errors: [status === 503 ? UNAVAILABLE_GRAPHQL_ERROR : { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] })
    })
    // A document within the token limit fits easily: refusing larger bodies by Content-Length
    // costs no JSON parse (a 10,000-alias document is ~230 KB).
    instance.route({ method: ['GET', 'POST', 'OPTIONS'], url: '/graphql', schema: { hide: true }, bodyLimit: ctx.config.GRAPHQL_MAX_BODY_BYTES, handler })
  }
}

function maskInternal(formatted: GraphQLFormattedError, error: unknown, log: ApiContext['log']): GraphQLFormattedError {
  const original = (error as { originalError?: unknown }).originalError ?? error
  if (original instanceof DocumentLimitError) return { ...formatted, extensions: { ...formatted.extensions, code: original.code } }
  const code = formatted.extensions?.code
  if (code !== 'INTERNAL_SERVER_ERROR' && code !== undefined) return formatted
  log.error({ err: original }, 'graphql resolver failed')
  if (isDatabaseUnavailable(original)) return { ...UNAVAILABLE_GRAPHQL_ERROR, ...(formatted.path ? { path: formatted.path } : {}) }
  return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' }, ...(formatted.path ? { path: formatted.path } : {}) }
}
