import { tokensByRarity } from '../../../store/read/rarity'
import { tokensByAttributes, tokensOfOwner, tokensOfOwnerOnChains, type AttributeCondition, type TokenPage, type TokenViewPage } from '../../../store/read/tokenLists'
import type { GraphQLContext } from '../context'
import { decodeCursor, encodeCursor } from '../cursor'
import { badInput, pageSize, textArg } from '../inputErrors'
import { tokenNode } from '../mappers'
import type { HoldingConnection } from '../types/account'
import { TokenOrder } from '../types/explorer'
import type { AttributeFilterInput } from '../types/inputs'
import type { TokenConnection, TokenType } from '../types/token'

const MAX_ATTRIBUTE_FILTERS = 10
const MAX_VALUES_PER_FILTER = 100

/** Tokens of a contract by token id, optionally only those matching every attribute filter. */
export async function contractTokens(
  ctx: GraphQLContext,
  contractId: string,
  attributes: AttributeFilterInput[] | null | undefined,
  first: number,
  after: string | null | undefined,
  orderBy: TokenOrder = TokenOrder.TOKEN_ID,
): Promise<TokenConnection> {
  const limit = pageSize(ctx, first)
  const conditions = attributeConditions(attributes)
  if (orderBy === TokenOrder.RARITY) return rarityTokens(ctx, contractId, conditions, limit, after)
  const from = decodeCursor('contract-tokens', after)?.t ?? null
  // Without filters, every parent asking for the same page shape shares one statement (nested
  // Contract.tokens under a list of tokens is one query, not one per contract).
  const page =
    conditions.length > 0 ? await ctx.api.store.read(tokensByAttributes, contractId, conditions, from, limit) : await ctx.loaders.contractTokenPages(from, limit).load(contractId)
  const last = page.items.at(-1)
  return { nodes: nodesOf(page), pageInfo: { hasNextPage: page.hasNext, endCursor: last ? encodeCursor('contract-tokens', { t: last.tokenId }) : null } }
}

/** Rarest first, among the tokens the compactor has scored (optionally matching attribute filters). */
async function rarityTokens(ctx: GraphQLContext, contractId: string, conditions: AttributeCondition[], limit: number, after: string | null | undefined): Promise<TokenConnection> {
  const cur = decodeCursor('rarity', after)
  const page = await ctx.api.store.read(tokensByRarity, contractId, conditions, cur && cur.n !== undefined && cur.a !== undefined ? { rank: cur.n, ref: cur.a } : null, limit)
  // the page already read each token's rarity: the Token.rarity fields need no statement of their own
  page.items.forEach((item, i) => ctx.loaders.rarity.prime(item.ref, page.rarities[i]!))
  const last = page.items.at(-1)
  const endCursor = last ? encodeCursor('rarity', { n: page.rarities.at(-1)?.rank, a: last.ref }) : null
  return { nodes: nodesOf(page), pageInfo: { hasNextPage: page.hasNext, endCursor } }
}

/** Holdings of an address on several chains at once, optionally of one contract, by (contract, token id). */
export async function holdingsAcrossChains(
  ctx: GraphQLContext,
  chains: readonly string[],
  owner: string,
  contractId: string | null,
  first: number,
  after: string | null | undefined,
): Promise<HoldingConnection> {
  const limit = pageSize(ctx, first)
  const cursor = decodeCursor('owner-tokens', after)
  const page = await ctx.api.store.read(
    tokensOfOwnerOnChains,
    chains,
    owner,
    contractId,
    cursor && cursor.c !== undefined && cursor.t !== undefined ? { contractId: cursor.c, tokenId: cursor.t } : null,
    limit,
  )
  const last = page.items.at(-1)
  return holdingsOf(page, nodesOf(page), last ? encodeCursor('owner-tokens', { c: last.contractId, t: last.tokenId }) : null)
}

function holdingsOf(page: TokenPage, nodes: TokenType[], endCursor: string | null): HoldingConnection {
  const byRef = new Map(nodes.map((n) => [n.id, n]))
  const holdings = page.items.flatMap((i) => {
    const token = byRef.get(i.ref)
    return token ? [{ token, amount: i.amount ?? '1' }] : []
  })
  return { nodes: holdings, pageInfo: { hasNextPage: page.hasNext, endCursor } }
}

/** Tokens an account holds (owned NFTs and semi-fungible balances) by (contract, token id). */
export async function ownerTokens(
  ctx: GraphQLContext,
  chain: string,
  owner: string,
  first: number,
  after: string | null | undefined,
): Promise<{ page: TokenPage; nodes: TokenType[]; endCursor: string | null }> {
  const limit = pageSize(ctx, first)
  const cursor = decodeCursor('owner-tokens', after)
  const page = await ctx.api.store.read(
    tokensOfOwner,
    chain,
    owner,
    cursor && cursor.c !== undefined && cursor.t !== undefined ? { contractId: cursor.c, tokenId: cursor.t } : null,
    limit,
  )
  const last = page.items.at(-1)
  return { page, nodes: nodesOf(page), endCursor: last ? encodeCursor('owner-tokens', { c: last.contractId, t: last.tokenId }) : null }
}

export async function ownerTokenConnection(ctx: GraphQLContext, chain: string, owner: string, first: number, after: string | null | undefined): Promise<TokenConnection> {
  const { page, nodes, endCursor } = await ownerTokens(ctx, chain, owner, first, after)
  return { nodes, pageInfo: { hasNextPage: page.hasNext, endCursor } }
}

export async function holdingConnection(ctx: GraphQLContext, chain: string, owner: string, first: number, after: string | null | undefined): Promise<HoldingConnection> {
  const { page, nodes, endCursor } = await ownerTokens(ctx, chain, owner, first, after)
  return holdingsOf(page, nodes, endCursor)
}

/** The page's token nodes, from the views its statement read with the list. */
function nodesOf(page: TokenViewPage): TokenType[] {
  return page.views.flatMap((v) => {
    const node = tokenNode(v)
    return node ? [node] : []
  })
}

function attributeConditions(filters: AttributeFilterInput[] | null | undefined): AttributeCondition[] {
  if (!filters || filters.length === 0) return []
  if (filters.length > MAX_ATTRIBUTE_FILTERS) throw badInput(`at most ${MAX_ATTRIBUTE_FILTERS} attribute filters, got ${filters.length}`, 'attributes')
  return filters.map((f, i) => {
    const arg = `attributes[${i}]`
    const values = [...(f.value !== undefined && f.value !== null ? [f.value] : []), ...(f.values ?? [])]
    if (values.length > MAX_VALUES_PER_FILTER) throw badInput(`${arg} lists ${values.length} values; at most ${MAX_VALUES_PER_FILTER}`, arg)
    const hasRange = (f.min !== undefined && f.min !== null) || (f.max !== undefined && f.max !== null)
    if (values.length === 0 && !hasRange && !(f.values && f.values.length === 0)) {
      throw badInput(`${arg} needs value, values, min or max`, arg)
    }
    for (const n of [f.min, f.max]) if (n !== undefined && n !== null && !Number.isFinite(n)) throw badInput(`${arg}: min and max must be finite numbers`, arg)
    return {
      traitType: textArg(f.traitType, `${arg}.traitType`),
      ...(values.length > 0 || f.values ? { values: values.map((v) => textArg(v, `${arg}.values`, 1000)) } : {}),
      ...(f.min !== undefined && f.min !== null ? { min: f.min } : {}),
      ...(f.max !== undefined && f.max !== null ? { max: f.max } : {}),
    }
  })
}
