import { GraphQLError } from 'graphql'
import { chainNamespace } from '../../core/ids'
import { accountAddressProblem, checkTokenId, clip, contractAddressProblem, contractIdOf, textProblem } from '../validation'
import type { GraphQLContext } from './context'

/**
 * Bad arguments: a GraphQL error with code BAD_USER_INPUT naming the argument, answered with
 * HTTP 400 (Apollo takes the status from extensions.http) so that no client mistake looks like
 * success or like a server failure.
 */
export function badInput(message: string, argumentName?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argumentName ? { argumentName } : {}), http: { status: 400 } } })
}

export function knownChain(ctx: GraphQLContext, chain: string, argumentName = 'chain'): string {
  if (!ctx.api.knownChains.has(chain)) {
    throw badInput(`unknown chain "${clip(chain)}": this service indexes ${[...ctx.api.knownChains].join(', ')}`, argumentName)
  }
  return chain
}

/** Contract id of a valid contract address on a known chain. */
export function contractArg(ctx: GraphQLContext, chain: string, address: string, argumentName = 'contract'): string {
  knownChain(ctx, chain)
  const problem = contractAddressProblem(chain, address)
  if (problem) throw badInput(problem, argumentName)
  return contractIdOf(chain, address)
}

export function accountArg(ctx: GraphQLContext, chain: string, address: string, argumentName = 'address'): string {
  knownChain(ctx, chain)
  const problem = accountAddressProblem(chain, address)
  if (problem) throw badInput(problem, argumentName)
  return chainNamespace(chain) === 'eip155' ? address.toLowerCase() : address
}

/** BigInt inputs are below 2^256 already; Stacks ids must also fit Clarity's uint128. */
export function tokenIdArg(chain: string, tokenId: string, argumentName = 'tokenId'): string {
  const checked = checkTokenId(chain, tokenId)
  if (!checked.ok) throw badInput(checked.problem, argumentName)
  return checked.tokenId
}

export function pageSize(ctx: GraphQLContext, first: number, argumentName = 'first'): number {
  if (!Number.isInteger(first) || first < 1 || first > ctx.maxPage) throw badInput(`${argumentName} must be between 1 and ${ctx.maxPage}, got ${first}`, argumentName)
  return first
}

export function textArg(value: string, argumentName: string, maxLength = 256): string {
  const problem = textProblem(argumentName, value, maxLength)
  if (problem) throw badInput(problem, argumentName)
  return value
}
