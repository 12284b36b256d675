import { AsyncLocalStorage } from 'node:async_hooks'
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance } from 'fastify'

/**
 * The headers of the HTTP request a GraphQL operation arrived with, for resolvers that need the
 * caller's API key (the refresh mutation and query). The GraphQL context is built without the
 * request, so an onRequest hook on /graphql runs the rest of the request inside an
 * AsyncLocalStorage scope holding its headers.
 *
 * The plugin is registered on the root instance (skip-override) so its hook also covers the
 * /graphql route registered by another plugin; for every other route it does nothing.
 */
const store = new AsyncLocalStorage<{ headers: IncomingHttpHeaders }>()

export function currentRequestHeaders(): IncomingHttpHeaders | undefined {
  return store.getStore()?.headers
}

export function graphqlRequestHeaders() {
  const plugin = async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', (request, _reply, done) => {
      const path = request.url.split('?', 1)[0]
      if (path !== '/graphql' && path !== '/graphql/') return done()
      store.run({ headers: request.headers }, done)
    })
  }
  ;(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true
  return plugin
}
