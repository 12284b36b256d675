import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from 'type-graphql'
import { BigIntScalar } from '../scalars'
import { PageInfo } from './common'

export const RefreshStatusEnum = { QUEUED: 'QUEUED', IN_PROGRESS: 'IN_PROGRESS', COMPLETED: 'COMPLETED' } as const
export type RefreshStatusName = keyof typeof RefreshStatusEnum

registerEnumType(RefreshStatusEnum, {
  name: 'RefreshStatus',
  description: 'QUEUED: no token processed yet. IN_PROGRESS: at least one token claimed. COMPLETED: every token succeeded or failed.',
})

@ObjectType('RefreshError', { description: 'A token of a refresh whose metadata could not be updated' })
export class RefreshErrorType {
  @Field(() => BigIntScalar)
  tokenId!: string

  @Field(() => String, { nullable: true, description: 'Our error code (shared by every surface), e.g. token_not_found, timeout, unable_to_decode_response' })
  code!: string | null

  @Field(() => String, { description: "Immutable's code: unable_to_retrieve_metadata, invalid_response_status_code, unable_to_decode_response or token_not_found" })
  immutableCode!: string

  @Field(() => String, { nullable: true, description: 'The URL that was fetched' })
  url!: string | null

  @Field(() => Int, { nullable: true, description: 'HTTP status the metadata host answered, when it answered' })
  httpStatus!: number | null

  @Field(() => String, { nullable: true, description: 'Start of the body the host answered (at most 1 KiB)' })
  body!: string | null

  @Field(() => GraphQLISODateTime)
  createdAt!: Date
}

@ObjectType('RefreshErrorConnection')
export class RefreshErrorConnection {
  @Field(() => [RefreshErrorType])
  nodes!: RefreshErrorType[]

  @Field(() => PageInfo)
  pageInfo!: PageInfo

  @Field(() => Int, { description: 'Errors after this page' })
  remaining!: number
}

@ObjectType('Refresh', { description: 'A user-requested metadata refresh of a batch of tokens, processed at the highest priority' })
export class RefreshType {
  @Field(() => ID)
  id!: string

  @Field(() => String, { description: 'API surface it was requested on: graphql, imx, mavis, sequence' })
  surface!: string

  @Field(() => String)
  chain!: string

  @Field(() => String)
  contractAddress!: string

  @Field(() => RefreshStatusEnum)
  status!: RefreshStatusName

  @Field(() => Int)
  tokenCount!: number

  @Field(() => Int)
  succeeded!: number

  @Field(() => Int)
  failed!: number

  @Field(() => Int)
  pending!: number

  @Field(() => GraphQLISODateTime)
  createdAt!: Date

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: Date | null

  @Field(() => GraphQLISODateTime, { nullable: true })
  completedAt!: Date | null
}
