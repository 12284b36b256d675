import { GraphQLJSON } from 'graphql-scalars'
import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql'
import type { TokenStandardName } from '../../../core/standards'
import type { ContractView } from '../../../store/read/contracts'
import type { MetadataStatusName } from '../../../store/read/metadataStatus'
import { BigIntScalar } from '../scalars'
import { MetadataErrorType, PageInfo } from './common'
import { MetadataStatusEnum, TokenStandardEnum } from './enums'

@ObjectType('ContractMetadata', { description: 'Contract-level metadata (ERC-7572 contractURI, SIP-010 token URI)' })
export class ContractMetadataType {
  @Field(() => String, { nullable: true })
  uri!: string | null

  @Field(() => String, { nullable: true })
  resolvedUrl!: string | null

  @Field(() => GraphQLJSON, { nullable: true, description: 'The normalised document' })
  document!: unknown

  @Field(() => String, { nullable: true, description: 'Standard confirmed by ERC-165 or the Clarity interface' })
  confirmedStandard!: string | null

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastFetchedAt!: Date | null

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date
}

@ObjectType('Contract')
export class ContractType {
  @Field(() => ID, { description: '<chain>:<address>' })
  id!: string

  @Field(() => String)
  chain!: string

  @Field(() => String)
  address!: string

  @Field(() => TokenStandardEnum)
  standard!: TokenStandardName

  @Field(() => String, { nullable: true })
  name!: string | null

  @Field(() => String, { nullable: true })
  symbol!: string | null

  @Field(() => Int, { nullable: true })
  decimals!: number | null

  @Field(() => BigIntScalar, { nullable: true, description: 'Fungible supply (ERC-20, SIP-010), tracked from mint and burn events; the chain read only where nothing was tracked' })
  totalSupply!: string | null

  @Field(() => String, { nullable: true })
  deployer!: string | null

  @Field(() => String, { nullable: true })
  deployTx!: string | null

  @Field(() => Int, { nullable: true })
  deployBlock!: number | null

  @Field(() => Int)
  firstSeenBlock!: number

  @Field(() => String, { description: 'SIP-019 update mode: STANDARD, FROZEN or DYNAMIC' })
  updateMode!: string

  @Field(() => GraphQLISODateTime)
  createdAt!: Date

  @Field(() => MetadataStatusEnum, { description: 'Status of the contract reads and contract-level metadata' })
  metadataStatus!: MetadataStatusName

  @Field(() => MetadataErrorType, { nullable: true })
  metadataError!: MetadataErrorType | null

  @Field(() => ContractMetadataType, { nullable: true })
  metadata!: ContractMetadataType | null

  view!: ContractView
}

@ObjectType('ContractConnection')
export class ContractConnection {
  @Field(() => [ContractType])
  nodes!: ContractType[]

  @Field(() => PageInfo)
  pageInfo!: PageInfo
}
