import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql'
import type { TokenStandardName } from '../../../core/standards'
import { filteredTraitCounts } from '../../../store/read/collectionStats'
import { listContracts, listContractsOrdered, type ContractPage } from '../../../store/read/contracts'
import type { GraphQLContext } from '../context'
import { decodeCursor, encodeCursor } from '../cursor'
import { badInput, contractArg, knownChain, pageSize, textArg } from '../inputErrors'
import { contractNode } from '../mappers'
import { ContractConnection, ContractType } from '../types/contract'
import { TokenStandardEnum } from '../types/enums'
import { ContractOrderBy, MetadataCountsType, TokenOrder, TraitFacetType, TraitFilterInput } from '../types/explorer'
import { AttributeFilterInput } from '../types/inputs'
import { TokenConnection } from '../types/token'
import { contractTokens } from './tokenPages'

const MAX_TRAIT_FILTERS = 10

@Resolver(() => ContractType)
export class ContractResolvers {
  @Query(() => ContractType, { nullable: true, description: 'A contract with its standard and contract-level metadata; null when unknown' })
  async contract(@Arg('chain', () => String) chain: string, @Arg('address', () => String) address: string, @Ctx() ctx: GraphQLContext): Promise<ContractType | null> {
    const view = await ctx.loaders.contracts.load(contractArg(ctx, chain, address, 'address'))
    return view ? contractNode(view) : null
  }

  @Query(() => ContractConnection, { description: 'Contracts, optionally of one chain and standard, by id or by holders, tokens or name' })
  async contracts(
    @Arg('chain', () => String, { nullable: true }) chain: string | null,
    @Arg('standard', () => TokenStandardEnum, { nullable: true }) standard: TokenStandardName | null,
    @Arg('orderBy', () => ContractOrderBy, { defaultValue: ContractOrderBy.ID }) orderBy: ContractOrderBy,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ContractConnection> {
    if (chain != null) knownChain(ctx, chain)
    const limit = pageSize(ctx, first)
    const filter = { chain: chain ?? undefined, standard: standard ?? undefined }
    let page: ContractPage
    let endCursor: string | null
    if (orderBy === ContractOrderBy.ID) {
      const from = decodeCursor('contracts', after)?.c ?? null
      page = await ctx.api.store.read(listContracts, filter, from, limit)
      const last = page.items.at(-1)
      endCursor = last ? encodeCursor('contracts', { c: last.id }) : null
    } else {
      const kind = `contracts-${orderBy}` as const
      const cur = decodeCursor(kind, after)
      const from = cur && cur.c !== undefined ? { key: orderBy === ContractOrderBy.NAME ? (cur.a ?? '') : (cur.n ?? 0), id: cur.c } : null
      const ordered = await ctx.api.store.read(listContractsOrdered, filter, orderBy, from, limit)
      page = ordered
      const last = ordered.items.at(-1)
      const key = ordered.keys.at(-1)
      endCursor = last ? encodeCursor(kind, { c: last.id, ...(typeof key === 'number' ? { n: key } : { a: key }) }) : null
    }
    for (const v of page.items) ctx.loaders.contracts.prime(v.id, v)
    return { nodes: page.items.map(contractNode), pageInfo: { hasNextPage: page.hasNext, endCursor } }
  }

  @FieldResolver(() => [TraitFacetType], {
    description:
      'Counts per trait value (kept by triggers: no scan at read time). With filters: the counts a marketplace sidebar shows, each trait type counted over the tokens matching the filters on the other trait types.',
  })
  async traits(
    @Root() contract: ContractType,
    @Arg('filters', () => [TraitFilterInput], { nullable: true }) filters: TraitFilterInput[] | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TraitFacetType[]> {
    if ((filters?.length ?? 0) > MAX_TRAIT_FILTERS) throw badInput(`at most ${MAX_TRAIT_FILTERS} trait filters`, 'filters')
    const checked = (filters ?? []).map((f, i) => ({
      traitType: textArg(f.traitType, `filters[${i}].traitType`),
      values: f.values.slice(0, 100).map((v) => textArg(v, `filters[${i}].values`, 1000)),
    }))
    return ctx.api.store.read(filteredTraitCounts, contract.id, checked)
  }

  @FieldResolver(() => Int, { description: 'Tokens of the collection (burned ones included)' })
  async tokenCount(@Root() contract: ContractType, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await ctx.loaders.stats.load(contract.id)).tokenCount
  }

  @FieldResolver(() => Int, { description: 'Accounts holding at least one token of the collection' })
  async holderCount(@Root() contract: ContractType, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await ctx.loaders.stats.load(contract.id)).holderCount
  }

  @FieldResolver(() => MetadataCountsType, { description: 'Tokens by the metadata status readers see' })
  async metadataCounts(@Root() contract: ContractType, @Ctx() ctx: GraphQLContext): Promise<MetadataCountsType> {
    return (await ctx.loaders.stats.load(contract.id)).metadataCounts
  }

  @FieldResolver(() => TokenConnection, { description: 'Tokens of this contract by token id or rarity, optionally filtered by attributes' })
  async tokens(
    @Root() contract: ContractType,
    @Arg('attributes', () => [AttributeFilterInput], { nullable: true }) attributes: AttributeFilterInput[] | null,
    @Arg('orderBy', () => TokenOrder, { defaultValue: TokenOrder.TOKEN_ID }) orderBy: TokenOrder,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TokenConnection> {
    return contractTokens(ctx, contract.id, attributes, first, after, orderBy)
  }
}
