import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql'
import type { TokenStandardName } from '../../../core/standards'
import { listContracts } from '../../../store/read/contracts'
import type { GraphQLContext } from '../context'
import { decodeCursor, encodeCursor } from '../cursor'
import { contractArg, knownChain, pageSize } from '../inputErrors'
import { contractNode } from '../mappers'
import { ContractConnection, ContractType } from '../types/contract'
import { TokenStandardEnum } from '../types/enums'
import { AttributeFilterInput } from '../types/inputs'
import { TokenConnection } from '../types/token'
import { contractTokens } from './tokenPages'

@Resolver(() => ContractType)
export class ContractResolvers {
  @Query(() => ContractType, { nullable: true, description: 'A contract with its standard and contract-level metadata; null when unknown' })
  async contract(@Arg('chain', () => String) chain: string, @Arg('address', () => String) address: string, @Ctx() ctx: GraphQLContext): Promise<ContractType | null> {
    const view = await ctx.loaders.contracts.load(contractArg(ctx, chain, address, 'address'))
    return view ? contractNode(view) : null
  }

  @Query(() => ContractConnection, { description: 'Contracts ordered by id, optionally of one chain and standard' })
  async contracts(
    @Arg('chain', () => String, { nullable: true }) chain: string | null,
    @Arg('standard', () => TokenStandardEnum, { nullable: true }) standard: TokenStandardName | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ContractConnection> {
    if (chain != null) knownChain(ctx, chain)
    const limit = pageSize(ctx, first)
    const from = decodeCursor('contracts', after)?.c ?? null
    const page = await listContracts(ctx.api.db, { chain: chain ?? undefined, standard: standard ?? undefined }, from, limit)
    for (const v of page.items) ctx.loaders.contracts.prime(v.id, v)
    const last = page.items.at(-1)
    return { nodes: page.items.map(contractNode), pageInfo: { hasNextPage: page.hasNext, endCursor: last ? encodeCursor('contracts', { c: last.id }) : null } }
  }

  @FieldResolver(() => TokenConnection, { description: 'Tokens of this contract by token id, optionally filtered by attributes' })
  async tokens(
    @Root() contract: ContractType,
    @Arg('attributes', () => [AttributeFilterInput], { nullable: true }) attributes: AttributeFilterInput[] | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TokenConnection> {
    return contractTokens(ctx, contract.id, attributes, first, after)
  }
}
