import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql'
import { search, type SearchKind } from '../../../store/read/search'
import type { GraphQLContext } from '../context'
import { decodeCursor, encodeCursor } from '../cursor'
import { badInput, knownChain, pageSize } from '../inputErrors'
import { contractNode, tokenNode } from '../mappers'
import { MatchedFieldEnum, SearchConnection, SearchKindEnum, type SearchResultType } from '../types/explorer'

const MAX_QUERY = 100

@Resolver()
export class SearchResolvers {
  @Query(() => SearchConnection, {
    description:
      "Tokens by name and contracts by name or symbol: case-insensitive substring match, ranked exact > prefix > substring, then by the collection's holder count. Token names match from 3 characters on.",
  })
  async search(
    @Arg('query', () => String) query: string,
    @Arg('kinds', () => [SearchKindEnum], { nullable: true, description: 'Default: both' }) kinds: SearchKindEnum[] | null,
    @Arg('chains', () => [String], { nullable: true, description: 'Default: every chain' }) chains: string[] | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SearchConnection> {
    const text = query.trim()
    if (text.length === 0 || text.length > MAX_QUERY || text.includes('\u0000')) throw badInput(`query must be 1 to ${MAX_QUERY} characters`, 'query')
    for (const c of chains ?? []) knownChain(ctx, c)
    const limit = pageSize(ctx, first)
    const cur = decodeCursor('search', after)
    const cursor =
      cur && cur.a !== undefined && cur.c !== undefined && cur.n !== undefined && cur.t !== undefined
        ? { rank: cur.n, holders: Number(cur.t), kind: cur.c as SearchKind, id: cur.a }
        : null
    const wanted: SearchKind[] = kinds && kinds.length > 0 ? kinds : ['TOKEN', 'CONTRACT']
    const { hits, hasNext } = await ctx.api.store.read(search, text, { kinds: wanted, chains: chains && chains.length > 0 ? chains : null, after: cursor, limit })
    // both loads in one round: neither needs the other
    const [tokenViews, contracts] = await Promise.all([
      ctx.loaders.tokenCores.loadMany(hits.filter((h) => h.kind === 'TOKEN').map((h) => h.id)),
      ctx.loaders.contracts.loadMany(hits.map((h) => h.contractId)),
    ])
    const tokens = new Map(tokenViews.flatMap((v) => (v instanceof Error ? [] : [[v.ref, tokenNode(v)] as const])))
    const nodes: SearchResultType[] = []
    hits.forEach((h, i) => {
      const contract = contracts[i]
      if (!contract || contract instanceof Error) return
      nodes.push({
        kind: h.kind as SearchKindEnum,
        matchedField: h.field as MatchedFieldEnum,
        matchedText: h.text,
        token: h.kind === 'TOKEN' ? (tokens.get(h.id) ?? null) : null,
        contract: contractNode(contract),
      })
    })
    const last = hits.at(-1)
    // holders travel as a decimal string (t): a count is not a token id, but the same check fits it
    const endCursor = last ? encodeCursor('search', { n: last.rank, t: String(last.holders), c: last.kind, a: last.id }) : null
    return { nodes, pageInfo: { hasNextPage: hasNext, endCursor } }
  }
}
