import type { IncomingHttpHeaders } from 'node:http'
import type { ApiContext } from '../context'
import { Loaders } from './loaders'

/**
 * What every resolver gets: the server's context, this request's loaders, the page limit and the
 * HTTP request's headers (for resolvers that need the caller's API key; absent on the stream route).
 * The headers travel in the context rather than in an AsyncLocalStorage scope: a scope turns on
 * promise hooks for the whole process, a cost on every one of the thousands of promises a page of
 * tokens resolves.
 */
export interface GraphQLContext {
  api: ApiContext
  loaders: Loaders
  maxPage: number
  headers?: IncomingHttpHeaders
}

export function createGraphQLContext(api: ApiContext, headers?: IncomingHttpHeaders): GraphQLContext {
  return { api, loaders: new Loaders(api.store), maxPage: api.config.GRAPHQL_MAX_PAGE, ...(headers ? { headers } : {}) }
}
