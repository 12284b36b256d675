import { ApolloServer, type ApolloServerPlugin } from '@apollo/server'
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled'
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default'
import { fastifyApolloHandler } from '@as-integrations/fastify'
import type { FastifyError, FastifyInstance } from 'fastify'
import type { GraphQLFormattedError } from 'graphql'
import type { ApiContext } from '../context'
import { classifyError, isDatabaseUnavailable, logServerError, serverFailureStatus, UNAVAILABLE_GRAPHQL_ERROR } from '../errors'
import { createGraphQLContext, type GraphQLContext } from './context'
import { queryLimitsRule } from './limits'
import { buildGraphqlSchema } from './schema'

/** Fields one operation may select, and paginated lists it may ask for. */
const MAX_FIELDS = 500
const MAX_LIST_FIELDS = 25

/**
 * `/graphql` (GET, POST): Apollo Server 5 over Fastify. Errors keep their codes (BAD_USER_INPUT,
 * GRAPHQL_VALIDATION_FAILED, QUERY_TOO_DEEP, …); anything unexpected is logged and answered as
 * INTERNAL_SERVER_ERROR without message details or stack traces.
 */
export async function graphqlRoutes(ctx: ApiContext): Promise<(instance: FastifyInstance) => Promise<void>> {
  const schema = await buildGraphqlSchema()
  const log = ctx.log.child({ component: 'graphql' })
  // No Apollo drain plugin: Fastify drains connections when it closes, and stops Apollo from its
  // onClose hook (the drain plugin would call fastify.close() again from inside that close).
  const plugins: ApolloServerPlugin<GraphQLContext>[] = [
    ctx.config.GRAPHQL_SANDBOX ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
  ]
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // The process's Shutdown closes Fastify, whose onClose hook stops Apollo. Apollo's own
    // SIGTERM handler would stop it first and then re-raise the signal mid-shutdown.
    stopOnTerminationSignals: false,
    validationRules: [queryLimitsRule({ maxDepth: ctx.config.GRAPHQL_MAX_DEPTH, maxFields: MAX_FIELDS, maxListFields: MAX_LIST_FIELDS })],
    plugins,
    logger: log,
    formatError: (formatted, error) => maskInternal(formatted, error, log),
  })
  await apollo.start()
  const handler = fastifyApolloHandler(apollo, { context: async () => createGraphQLContext(ctx) })
  return async (instance: FastifyInstance) => {
    instance.addHook('onClose', async () => apollo.stop())
    instance.setErrorHandler((err: FastifyError, request, reply) => {
      const problem = classifyError(err)
      if (problem) return reply.code(problem.statusCode).send({ errors: [{ message: problem.message, extensions: { code: 'BAD_REQUEST' } }] })
      logServerError(request, err)
      const status = serverFailureStatus(reply, err)
      return reply.code(status).send({ errors: [status === 503 ? UNAVAILABLE_GRAPHQL_ERROR : { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] })
    })
    instance.route({ method: ['GET', 'POST', 'OPTIONS'], url: '/graphql', schema: { hide: true }, handler })
  }
}

function maskInternal(formatted: GraphQLFormattedError, error: unknown, log: ApiContext['log']): GraphQLFormattedError {
  const code = formatted.extensions?.code
  if (code !== 'INTERNAL_SERVER_ERROR' && code !== undefined) return formatted
  const original = (error as { originalError?: unknown }).originalError ?? error
  log.error({ err: original }, 'graphql resolver failed')
  if (isDatabaseUnavailable(original)) return { ...UNAVAILABLE_GRAPHQL_ERROR, ...(formatted.path ? { path: formatted.path } : {}) }
  return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' }, ...(formatted.path ? { path: formatted.path } : {}) }
}
