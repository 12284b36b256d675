import { Field, ObjectType } from 'type-graphql'
import { BigIntScalar } from '../scalars'
import { PageInfo } from './common'
import { TokenType } from './token'

@ObjectType('Account')
export class AccountType {
  @Field(() => String, { nullable: true, description: 'The chain asked for; null when the account spans every chain of its kind' })
  chain!: string | null

  @Field(() => [String], { description: 'Chains the holdings come from' })
  chains!: string[]

  @Field(() => String)
  address!: string
}

@ObjectType('Holding', { description: 'A token an account holds: an owned NFT (amount 1) or an ERC-1155 / SIP-013 balance' })
export class HoldingType {
  @Field(() => TokenType)
  token!: TokenType

  @Field(() => BigIntScalar)
  amount!: string
}

@ObjectType('HoldingConnection')
export class HoldingConnection {
  @Field(() => [HoldingType])
  nodes!: HoldingType[]

  @Field(() => PageInfo)
  pageInfo!: PageInfo
}
