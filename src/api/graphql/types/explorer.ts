import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql'
import { ContractType } from './contract'
import { PageInfo } from './common'
import { TokenType } from './token'

export enum TokenOrder {
  TOKEN_ID = 'TOKEN_ID',
  RARITY = 'RARITY',
}
export enum ContractOrderBy {
  ID = 'ID',
  HOLDERS = 'HOLDERS',
  TOKENS = 'TOKENS',
  NAME = 'NAME',
}
export enum SearchKindEnum {
  TOKEN = 'TOKEN',
  CONTRACT = 'CONTRACT',
}
export enum MatchedFieldEnum {
  NAME = 'NAME',
  SYMBOL = 'SYMBOL',
}

registerEnumType(TokenOrder, { name: 'TokenOrder', description: 'TOKEN_ID ascending, or RARITY: rarest first (rank 1), then token id' })
registerEnumType(ContractOrderBy, { name: 'ContractOrder', description: 'ID; HOLDERS and TOKENS largest first; NAME A-Z, nameless last; each then by id' })
registerEnumType(SearchKindEnum, { name: 'SearchKind' })
registerEnumType(MatchedFieldEnum, { name: 'MatchedField' })

@ObjectType('TraitValueCount')
export class TraitValueCountType {
  @Field(() => String)
  value!: string

  @Field(() => Int, { description: 'Tokens with this value (given the active filters, when filters are given)' })
  count!: number
}

@ObjectType('TraitFacet', { description: 'A trait type of a collection with the count of each of its values' })
export class TraitFacetType {
  @Field(() => String)
  traitType!: string

  @Field(() => [TraitValueCountType], { description: 'Most frequent first' })
  values!: TraitValueCountType[]
}

@InputType('TraitFilter', { description: 'An active sidebar filter: tokens with this trait type and one of these values' })
export class TraitFilterInput {
  @Field(() => String)
  traitType!: string

  @Field(() => [String])
  values!: string[]
}

@ObjectType('MetadataCounts', { description: 'Tokens of a collection by the metadata status readers see' })
export class MetadataCountsType {
  @Field(() => Int)
  available!: number

  @Field(() => Int)
  pending!: number

  @Field(() => Int)
  stale!: number

  @Field(() => Int)
  failed!: number

  @Field(() => Int)
  invalid!: number
}

@ObjectType('Rarity', {
  description:
    "Statistical rarity: score = sum over the token's attributes of -log2(tokens with that trait value / tokens in the collection); rank 1 is the rarest, equal scores share a rank",
})
export class RarityType {
  @Field(() => Float)
  score!: number

  @Field(() => Int)
  rank!: number
}

@ObjectType('SearchResult')
export class SearchResultType {
  @Field(() => SearchKindEnum)
  kind!: SearchKindEnum

  @Field(() => MatchedFieldEnum, { description: 'The field that matched: a token or contract NAME, or a contract SYMBOL' })
  matchedField!: MatchedFieldEnum

  @Field(() => String, { description: "The matched field's text" })
  matchedText!: string

  @Field(() => TokenType, { nullable: true, description: 'For TOKEN results' })
  token!: TokenType | null

  @Field(() => ContractType, { description: 'The contract (of the token, for TOKEN results)' })
  contract!: ContractType
}

@ObjectType('SearchConnection')
export class SearchConnection {
  @Field(() => [SearchResultType])
  nodes!: SearchResultType[]

  @Field(() => PageInfo)
  pageInfo!: PageInfo
}
