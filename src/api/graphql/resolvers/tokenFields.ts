import { GraphQLJSON } from 'graphql-scalars'
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql'
import type { GraphQLContext } from '../context'
import { decodeCursor, encodeCursor } from '../cursor'
import { pageSize } from '../inputErrors'
import { attributeRow, contractNode, metadataDoc } from '../mappers'
import { ContractType } from '../types/contract'
import { RarityType } from '../types/explorer'
import { AttributeType, BalanceConnection, LocaleVariantType, MetadataDocType, TokenType } from '../types/token'

@Resolver(() => TokenType)
export class TokenFields {
  @FieldResolver(() => MetadataDocType, {
    nullable: true,
    description:
      'The last successfully fetched document (kept while a refresh runs or after a later fetch failed: see status). With locale: that localized variant, null when the token has none.',
  })
  async metadata(@Root() token: TokenType, @Arg('locale', () => String, { nullable: true }) locale: string | null, @Ctx() ctx: GraphQLContext): Promise<MetadataDocType | null> {
    const base = token.view.metadata?.normalized ?? null
    if (!base) return null
    if (locale == null || locale === baseLocaleOf(base)) return metadataDoc(base)
    const variants = (await ctx.loaders.locales.load(token.id)).filter((v) => v.normalized !== null)
    const hit = variants.find((v) => v.locale === locale) ?? variants.find((v) => v.locale.toLowerCase() === locale.toLowerCase())
    return hit ? metadataDoc({ ...hit.normalized, locale: hit.locale }) : null
  }

  @FieldResolver(() => [String], { description: 'Locales with a localized variant (besides the base document); see localeVariants for those that failed' })
  async locales(@Root() token: TokenType, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    return (await ctx.loaders.locales.load(token.id)).filter((l) => l.status === 'AVAILABLE').map((l) => l.locale)
  }

  @FieldResolver(() => [LocaleVariantType], { description: 'Every localized variant the stored document announces, with its status and, when it failed, its error' })
  async localeVariants(@Root() token: TokenType, @Ctx() ctx: GraphQLContext): Promise<LocaleVariantType[]> {
    return (await ctx.loaders.locales.load(token.id)).map((l) => ({ locale: l.locale, status: l.status, error: l.error }))
  }

  @FieldResolver(() => RarityType, { nullable: true, description: 'Statistical rarity within the collection; null until the collection is scored or without attributes' })
  async rarity(@Root() token: TokenType, @Ctx() ctx: GraphQLContext): Promise<RarityType | null> {
    return ctx.loaders.rarity.load(token.id)
  }

  @FieldResolver(() => [AttributeType], { description: 'Indexed attribute rows of the base document (what attribute filters match)' })
  async attributes(@Root() token: TokenType, @Ctx() ctx: GraphQLContext): Promise<AttributeType[]> {
    return (await ctx.loaders.attributes.load(token.id)).map(attributeRow)
  }

  @FieldResolver(() => GraphQLJSON, { nullable: true, description: 'The document as fetched' })
  async rawMetadata(@Root() token: TokenType, @Ctx() ctx: GraphQLContext): Promise<unknown> {
    return ctx.loaders.raw.load(token.id)
  }

  @FieldResolver(() => ContractType)
  async contract(@Root() token: TokenType, @Ctx() ctx: GraphQLContext): Promise<ContractType> {
    const view = await ctx.loaders.contracts.load(token.contractId)
    // A token row always has its contract (foreign key).
    return contractNode(view!)
  }

  @FieldResolver(() => BalanceConnection, { description: 'Holders (ERC-1155 / SIP-013), ordered by account' })
  async balances(
    @Root() token: TokenType,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BalanceConnection> {
    const limit = pageSize(ctx, first)
    const from = decodeCursor('balances', after)?.a ?? null
    const rows = await ctx.loaders.balances(from, limit).load(token.id)
    const nodes = rows.slice(0, limit).map((r) => ({ account: r.account, amount: r.amount }))
    const last = nodes.at(-1)
    return { nodes, pageInfo: { hasNextPage: rows.length > limit, endCursor: last ? encodeCursor('balances', { a: last.account }) : null } }
  }
}

function baseLocaleOf(doc: Record<string, unknown>): string | undefined {
  const loc = doc.localization as { default?: unknown } | undefined
  if (loc && typeof loc.default === 'string') return loc.default
  return typeof doc.locale === 'string' ? doc.locale : undefined
}
