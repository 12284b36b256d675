import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql'
import type { GraphQLContext } from '../context'
import { accountArg } from '../inputErrors'
import { AccountType, HoldingConnection } from '../types/account'
import { holdingConnection } from './tokenPages'

@Resolver(() => AccountType)
export class AccountResolvers {
  @Query(() => AccountType, { description: "An account's holdings on one chain" })
  account(@Arg('chain', () => String) chain: string, @Arg('address', () => String) address: string, @Ctx() ctx: GraphQLContext): AccountType {
    return { chain, address: accountArg(ctx, chain, address) }
  }

  @FieldResolver(() => HoldingConnection, { description: 'Owned NFTs (amount 1) and ERC-1155 / SIP-013 balances, by contract then token id' })
  async holdings(
    @Root() account: AccountType,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<HoldingConnection> {
    return holdingConnection(ctx, account.chain, account.address, first, after)
  }
}
