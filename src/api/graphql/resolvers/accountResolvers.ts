import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql'
import { chainNamespace, parseContractId } from '../../../core/ids'
import type { GraphQLContext } from '../context'
import { accountArg, badInput, contractArg, knownChain } from '../inputErrors'
import { AccountType, HoldingConnection } from '../types/account'
import { holdingConnection, holdingsAcrossChains } from './tokenPages'

@Resolver(() => AccountType)
export class AccountResolvers {
  @Query(() => AccountType, {
    description: "An account's holdings. With chain: on that chain. Without: a 0x address on every indexed EVM chain at once, a Stacks principal on the indexed Stacks chain.",
  })
  account(@Arg('chain', () => String, { nullable: true }) chain: string | null, @Arg('address', () => String) address: string, @Ctx() ctx: GraphQLContext): AccountType {
    if (chain != null) return { chain, chains: [chain], address: accountArg(ctx, chain, address) }
    const evm = /^0x/i.test(address)
    const chains = [...ctx.api.knownChains].sort().filter((c) => (chainNamespace(c) === 'eip155') === evm)
    if (chains.length === 0) throw badInput(`no indexed ${evm ? 'EVM' : 'Stacks'} chain for ${address}`, 'address')
    return { chain: null, chains, address: accountArg(ctx, chains[0]!, address) }
  }

  @FieldResolver(() => HoldingConnection, {
    description: 'Owned NFTs (amount 1) and ERC-1155 / SIP-013 balances, by contract then token id (stable across chains); optionally of some chains or one contract',
  })
  async holdings(
    @Root() account: AccountType,
    @Arg('chains', () => [String], { nullable: true }) chains: string[] | null,
    @Arg('contract', () => String, { nullable: true, description: 'Contract id <chain>:<address>' }) contract: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<HoldingConnection> {
    if (account.chain !== null && !chains && !contract) return holdingConnection(ctx, account.chain, account.address, first, after)
    for (const c of chains ?? []) knownChain(ctx, c)
    const scope = chains && chains.length > 0 ? account.chains.filter((c) => chains.includes(c)) : account.chains
    const contractId = contract == null ? null : contractIdArg(ctx, contract)
    return holdingsAcrossChains(ctx, scope, account.address, contractId, first, after)
  }
}

/** A contract id argument `<chain>:<address>`, checked like a contract argument. */
function contractIdArg(ctx: GraphQLContext, id: string): string {
  let parts: { chain: string; address: string }
  try {
    parts = parseContractId(id)
  } catch {
    throw badInput('contract must be a contract id <chain>:<address>', 'contract')
  }
  return contractArg(ctx, parts.chain, parts.address, 'contract')
}
