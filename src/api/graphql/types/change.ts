import { Field, ObjectType } from 'type-graphql'
import { BigIntScalar } from '../scalars'
import { TokenType } from './token'

@ObjectType('Change', { description: 'A change pushed to a subscription (tokenChanged, contractChanged)' })
export class ChangeType {
  @Field(() => String, { description: 'token.minted, token.transferred, token.burned, metadata.updated, metadata.failed or refresh.completed' })
  type!: string

  @Field(() => String)
  chain!: string

  @Field(() => String, { description: 'Contract address' })
  contract!: string

  @Field(() => BigIntScalar, {
    nullable: true,
    description: 'The token changed; null for contract-level changes (refresh.completed) and for a backfill batch announced once per contract',
  })
  tokenId!: string | null

  @Field(() => TokenType, { nullable: true, description: 'The token as stored when this message was sent (a metadata.updated carries the new document)' })
  token!: TokenType | null
}
