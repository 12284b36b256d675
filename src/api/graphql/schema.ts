import 'reflect-metadata'
import type { GraphQLSchema } from 'graphql'
import { buildSchema } from 'type-graphql'
import { AccountResolvers } from './resolvers/accountResolvers'
import { ContractResolvers } from './resolvers/contractResolvers'
import { RefreshResolvers } from './resolvers/refreshResolvers'
import { SearchResolvers } from './resolvers/searchResolvers'
import { StatusResolvers } from './resolvers/statusResolvers'
import { TokenFields } from './resolvers/tokenFields'
import { TokenQueries } from './resolvers/tokenQueries'
import { ContractMediaFields, TokenMediaFields } from './resolvers/mediaFields'

/**
 * The GraphQL schema (type-graphql). Mutations: the refresh mutations (user-requested metadata
 * refreshes) belong here as a `RefreshMutations` resolver class added to this list; every
 * resolver reads its dependencies from the request context, so a mutation resolver needs no
 * other wiring.
 */
export const RESOLVERS = [TokenQueries, TokenFields, ContractResolvers, AccountResolvers, StatusResolvers, RefreshResolvers, SearchResolvers, TokenMediaFields, ContractMediaFields] as const

export function buildGraphqlSchema(): Promise<GraphQLSchema> {
  // class-validator stays off: arguments are checked by the resolvers (inputErrors.ts).
  return buildSchema({ resolvers: [...RESOLVERS], validate: false })
}
