import { GraphQLJSON } from 'graphql-scalars'
import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql'
import type { TokenStandardName } from '../../../core/standards'
import type { MetadataStatusName } from '../../../store/read/metadataStatus'
import type { TokenCore } from '../../../store/read/tokenViews'
import { BigIntScalar } from '../scalars'
import { MetadataErrorType, PageInfo } from './common'
import { MetadataStatusEnum, TokenStandardEnum } from './enums'

@ObjectType('Attribute')
export class AttributeType {
  @Field(() => String, { nullable: true })
  traitType!: string | null

  @Field(() => GraphQLJSON, { nullable: true, description: 'The value with its JSON type (string, number, boolean)' })
  value!: unknown

  @Field(() => String, { nullable: true })
  displayType!: string | null

  @Field(() => Float, { nullable: true })
  maxValue!: number | null
}

@ObjectType('Localization', { description: 'SIP-016 / ERC-1155 localization block of the document' })
export class LocalizationType {
  @Field(() => String)
  uri!: string

  @Field(() => String, { nullable: true })
  default!: string | null

  @Field(() => [String])
  locales!: string[]
}

@ObjectType('Metadata', { description: 'Normalised metadata document: one shape for ERC-721, ERC-1155, OpenSea and SIP-016 documents' })
export class MetadataDocType {
  @Field(() => String, { nullable: true, description: 'Locale of this variant, when known' })
  locale!: string | null

  @Field(() => String, { nullable: true })
  name!: string | null

  @Field(() => String, { nullable: true })
  description!: string | null

  @Field(() => String, { nullable: true })
  image!: string | null

  @Field(() => String, { nullable: true })
  imageData!: string | null

  @Field(() => String, { nullable: true })
  externalUrl!: string | null

  @Field(() => String, { nullable: true })
  animationUrl!: string | null

  @Field(() => String, { nullable: true })
  backgroundColor!: string | null

  @Field(() => String, { nullable: true })
  youtubeUrl!: string | null

  @Field(() => Int, { nullable: true })
  decimals!: number | null

  @Field(() => GraphQLJSON, { nullable: true })
  properties!: unknown

  @Field(() => [AttributeType], { description: 'Attributes of this document (object form converted to the array form)' })
  attributes!: AttributeType[]

  @Field(() => LocalizationType, { nullable: true })
  localization!: LocalizationType | null
}

@ObjectType('LocaleVariant', { description: 'One localized variant the document announces, with its outcome' })
export class LocaleVariantType {
  @Field(() => String)
  locale!: string

  @Field(() => String, { description: 'AVAILABLE, or INVALID / FAILED when this variant could not be had (see error); the token keeps its other parts' })
  status!: string

  @Field(() => MetadataErrorType, { nullable: true })
  error!: MetadataErrorType | null
}

@ObjectType('Token', { description: 'A token; fungible tokens are one token with id 0 under their contract' })
export class TokenType {
  @Field(() => ID, { description: '<chain>:<contract address>:<token id>' })
  id!: string

  @Field(() => String, { description: 'CAIP-2 chain id' })
  chain!: string

  @Field(() => String, { description: '<chain>:<contract address>' })
  contractId!: string

  @Field(() => String)
  contractAddress!: string

  @Field(() => BigIntScalar)
  tokenId!: string

  @Field(() => TokenStandardEnum)
  standard!: TokenStandardName

  @Field(() => String, { nullable: true, description: 'ERC-721 / SIP-009 owner; null when burned or semi-fungible (see balances)' })
  owner!: string | null

  @Field(() => BigIntScalar, { description: 'ERC-1155 / SIP-013 supply; 1 or 0 for NFTs' })
  supply!: string

  @Field(() => Boolean)
  burned!: boolean

  @Field(() => Int, { nullable: true })
  mintBlock!: number | null

  @Field(() => String, { nullable: true })
  mintTx!: string | null

  @Field(() => GraphQLISODateTime, { nullable: true })
  mintedAt!: Date | null

  @Field(() => String, { nullable: true, description: 'Token URI as last read from the chain' })
  uri!: string | null

  @Field(() => MetadataStatusEnum)
  status!: MetadataStatusName

  @Field(() => MetadataErrorType, { nullable: true, description: 'The latest fetch error (also while retrying)' })
  error!: MetadataErrorType | null

  @Field(() => MetadataErrorType, {
    nullable: true,
    description: 'The error of the latest fetch when it failed or is being retried; with status STALE the document served is the last good one, older than this error',
  })
  lastError!: MetadataErrorType | null

  @Field(() => [String], { description: 'What a lenient parse of the stored document recovered from (e.g. JSON5 syntax: comments, trailing commas)' })
  warnings!: string[]

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the fetch now queued or running was requested' })
  queuedAt!: Date | null

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastFetchedAt!: Date | null

  @Field(() => GraphQLISODateTime, { nullable: true })
  updatedAt!: Date | null

  /** The view it was built from (for field resolvers; not a GraphQL field). */
  view!: TokenCore
}

@ObjectType('TokenConnection')
export class TokenConnection {
  @Field(() => [TokenType])
  nodes!: TokenType[]

  @Field(() => PageInfo)
  pageInfo!: PageInfo
}

@ObjectType('Balance', { description: 'ERC-1155 / SIP-013 holding of one account' })
export class BalanceType {
  @Field(() => String)
  account!: string

  @Field(() => BigIntScalar)
  amount!: string
}

@ObjectType('BalanceConnection')
export class BalanceConnection {
  @Field(() => [BalanceType])
  nodes!: BalanceType[]

  @Field(() => PageInfo)
  pageInfo!: PageInfo
}
