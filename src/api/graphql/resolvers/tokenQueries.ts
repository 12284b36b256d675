import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql'
import type { GraphQLContext } from '../context'
import { accountArg, badInput, contractArg, knownChain, tokenIdArg } from '../inputErrors'
import { tokenNode } from '../mappers'
import { BigIntScalar } from '../scalars'
import { TokenOrder } from '../types/explorer'
import { AttributeFilterInput, TokenKeyInput } from '../types/inputs'
import { TokenConnection, TokenType } from '../types/token'
import { contractTokens, ownerTokenConnection } from './tokenPages'

@Resolver()
export class TokenQueries {
  @Query(() => TokenType, { nullable: true, description: 'One token by chain, contract address and token id; null when unknown' })
  async token(
    @Arg('chain', () => String) chain: string,
    @Arg('contract', () => String) contract: string,
    @Arg('tokenId', () => BigIntScalar) tokenId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TokenType | null> {
    const contractId = contractArg(ctx, chain, contract)
    const view = await ctx.loaders.tokenCores.load(`${contractId}:${tokenIdArg(chain, tokenId)}`)
    return tokenNode(view)
  }

  @Query(() => [TokenType], { nullable: 'items', description: 'Many tokens in one request, in the order asked (null for unknown ones); at most GRAPHQL_MAX_PAGE ids' })
  async tokensByIds(@Arg('ids', () => [TokenKeyInput]) ids: TokenKeyInput[], @Ctx() ctx: GraphQLContext): Promise<(TokenType | null)[]> {
    if (ids.length > ctx.maxPage) throw badInput(`at most ${ctx.maxPage} ids per request, got ${ids.length}`, 'ids')
    const refs = ids.map((k, i) => `${contractArg(ctx, k.chain, k.contract, `ids[${i}].contract`)}:${tokenIdArg(k.chain, k.tokenId, `ids[${i}].tokenId`)}`)
    const views = await ctx.loaders.tokenCores.loadMany(refs)
    return views.map((v) => {
      if (v instanceof Error) throw v
      return tokenNode(v)
    })
  }

  @Query(() => TokenConnection, {
    description:
      'Tokens of a contract (ordered by token id, optionally filtered by attributes) or of an owner (owned NFTs and ERC-1155 / SIP-013 balances, ordered by contract then token id). Give exactly one of contract and owner.',
  })
  async tokens(
    @Arg('chain', () => String) chain: string,
    @Arg('contract', () => String, { nullable: true }) contract: string | null,
    @Arg('owner', () => String, { nullable: true }) owner: string | null,
    @Arg('attributes', () => [AttributeFilterInput], { nullable: true, description: 'Only with contract; every filter must match' }) attributes: AttributeFilterInput[] | null,
    @Arg('orderBy', () => TokenOrder, { defaultValue: TokenOrder.TOKEN_ID, description: 'RARITY only with contract' }) orderBy: TokenOrder,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TokenConnection> {
    knownChain(ctx, chain)
    if ((contract == null) === (owner == null)) throw badInput('give exactly one of contract and owner', contract == null ? 'contract' : 'owner')
    if (contract != null) return contractTokens(ctx, contractArg(ctx, chain, contract), attributes, first, after, orderBy)
    if (attributes && attributes.length > 0) throw badInput('attribute filters apply within one contract: give contract', 'attributes')
    if (orderBy === TokenOrder.RARITY) throw badInput('rarity orders the tokens of one contract: give contract', 'orderBy')
    return ownerTokenConnection(ctx, chain, accountArg(ctx, chain, owner!, 'owner'), first, after)
  }
}
