import type { ApiContext } from '../context'
import { Loaders } from './loaders'

/** What every resolver gets: the server's context, this request's loaders and the page limit. */
export interface GraphQLContext {
  api: ApiContext
  loaders: Loaders
  maxPage: number
}

export function createGraphQLContext(api: ApiContext): GraphQLContext {
  return { api, loaders: new Loaders(api.store), maxPage: api.config.GRAPHQL_MAX_PAGE }
}
