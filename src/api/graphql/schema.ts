import 'reflect-metadata'
import type { GraphQLSchema } from 'graphql'
import { buildSchema } from 'type-graphql'
import { AccountResolvers } from './resolvers/accountResolvers'
import { ChangeSubscriptions } from './resolvers/changeSubscriptions'
import { ContractResolvers } from './resolvers/contractResolvers'
import { RefreshResolvers } from './resolvers/refreshResolvers'
import { SearchResolvers } from './resolvers/searchResolvers'
import { StatusResolvers } from './resolvers/statusResolvers'
import { TokenFields } from './resolvers/tokenFields'
import { TokenQueries } from './resolvers/tokenQueries'
import { ContractMediaFields, TokenMediaFields } from './resolvers/mediaFields'
import { WebhookResolvers } from './resolvers/webhookResolvers'

/**
 * The GraphQL schema (type-graphql). Mutations: the refresh mutations (user-requested metadata
 * refreshes) belong here as a `RefreshMutations` resolver class added to this list; every
 * resolver reads its dependencies from the request context, so a mutation resolver needs no
 * other wiring.
 */
export const RESOLVERS = [
  TokenQueries,
  TokenFields,
  ContractResolvers,
  AccountResolvers,
  StatusResolvers,
  RefreshResolvers,
  SearchResolvers,
  TokenMediaFields,
  ContractMediaFields,
  WebhookResolvers,
  ChangeSubscriptions,
] as const

export function buildGraphqlSchema(): Promise<GraphQLSchema> {
  // class-validator stays off: arguments are checked by the resolvers (inputErrors.ts).
  // Subscriptions bring their own iterators (the ChangeFeed): type-graphql's PubSub is never used.
  return buildSchema({ resolvers: [...RESOLVERS], validate: false, pubSub: UNUSED_PUBSUB })
}

const UNUSED_PUBSUB = {
  publish(): void {
    throw new Error('subscriptions are fed by the ChangeFeed, not a PubSub')
  },
  subscribe(): AsyncIterable<unknown> {
    throw new Error('subscriptions are fed by the ChangeFeed, not a PubSub')
  },
}
