import { Field, Float, InputType } from 'type-graphql'
import { BigIntScalar } from '../scalars'

@InputType('TokenKeyInput')
export class TokenKeyInput {
  @Field(() => String, { description: 'CAIP-2 chain id, e.g. eip155:1 or stacks:1' })
  chain!: string

  @Field(() => String, { description: 'Contract address (EVM 0x…, Stacks ADDRESS.name)' })
  contract!: string

  @Field(() => BigIntScalar)
  tokenId!: string
}

@InputType('AttributeFilter', { description: 'Tokens having an attribute of this trait type whose value is one of `values` and/or within [min, max]' })
export class AttributeFilterInput {
  @Field(() => String)
  traitType!: string

  @Field(() => String, { nullable: true, description: 'Exact value (text form: 7, true, Blue)' })
  value?: string

  @Field(() => [String], { nullable: true, description: 'Any of these values' })
  values?: string[]

  @Field(() => Float, { nullable: true, description: 'Numeric values at least this' })
  min?: number

  @Field(() => Float, { nullable: true, description: 'Numeric values at most this' })
  max?: number
}
