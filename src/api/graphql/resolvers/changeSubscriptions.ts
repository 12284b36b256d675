import { GraphQLError } from 'graphql'
import { Arg, Ctx, Root, Subscription, Resolver } from 'type-graphql'
import { parseContractId } from '../../../core/ids'
import { tokenIdOf } from '../../../core/notifications'
import type { ChangeNotice } from '../../../store/notificationEvents'
import type { ChangeFilter } from '../../subscriptions/changeFeed'
import type { GraphQLContext } from '../context'
import { contractArg, tokenIdArg } from '../inputErrors'
import { Loaders } from '../loaders'
import { tokenNode } from '../mappers'
import { BigIntScalar } from '../scalars'
import { ChangeType } from '../types/change'

/**
 * tokenChanged / contractChanged: changes as they are committed, over Server-Sent Events
 * (/graphql/stream, graphql-sse). Arguments are checked before the subscription starts, in
 * GraphQL's error shape. Each message reads the token afresh (no per-request cache: a
 * subscription lives for hours).
 */
@Resolver()
export class ChangeSubscriptions {
  @Subscription(() => ChangeType, {
    description: 'Changes of one token (tokenId given) or of every token of a contract: mints, transfers, burns, new or failed metadata',
    subscribe: ({ args, context }) => feed(context as GraphQLContext, tokenFilter(context as GraphQLContext, args as TokenArgs)),
  })
  async tokenChanged(
    @Root() notice: ChangeNotice,
    @Arg('chain', () => String) _chain: string,
    @Arg('contract', () => String) _contract: string,
    @Arg('tokenId', () => BigIntScalar, { nullable: true }) _tokenId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChangeType> {
    return changeMessage(notice, ctx)
  }

  @Subscription(() => ChangeType, {
    description: "Every change of a contract's tokens, and its refreshes completing",
    subscribe: ({ args, context }) =>
      feed(context as GraphQLContext, { contractId: contractArg(context as GraphQLContext, (args as TokenArgs).chain, (args as TokenArgs).contract) }),
  })
  async contractChanged(
    @Root() notice: ChangeNotice,
    @Arg('chain', () => String) _chain: string,
    @Arg('contract', () => String) _contract: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChangeType> {
    return changeMessage(notice, ctx)
  }
}

interface TokenArgs {
  chain: string
  contract: string
  tokenId?: string | null
}

function tokenFilter(ctx: GraphQLContext, args: TokenArgs): ChangeFilter {
  const contractId = contractArg(ctx, args.chain, args.contract)
  return args.tokenId == null ? { contractId } : { contractId, tokenRef: `${contractId}:${tokenIdArg(args.chain, args.tokenId)}` }
}

function feed(ctx: GraphQLContext, filter: ChangeFilter): AsyncIterable<ChangeNotice> {
  if (!ctx.api.changes)
    throw new GraphQLError('subscriptions are served over Server-Sent Events at /graphql/stream', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } })
  return ctx.api.changes.subscribe(filter)
}

async function changeMessage(n: ChangeNotice, ctx: GraphQLContext): Promise<ChangeType> {
  const token = n.r === null ? null : tokenNode(await new Loaders(ctx.api.store).tokenCores.load(n.r))
  return { type: n.t, chain: n.c, contract: parseContractId(n.k).address, tokenId: n.r === null ? null : tokenIdOf(n.r), token }
}
