import { uintCV, type ClarityValue } from '@stacks/transactions'
import type { ChainReader, ContractReads } from '../../core/chainReader'
import { PermanentError } from '../../core/errors'
import type { TokenStandardName } from '../../core/standards'
import { detectStandard } from './detectStandard'
import type { ContractInterface } from './apiTypes'
import { callReadOnly, clarityBigInt, clarityString, getContractInterface, unwrapOkSome, type ReadOnlyOptions } from './readOnly'

export interface StacksReaderOptions {
  baseUrl: string
  /** headers (the API key) and the process's request budget for the read-only calls */
  request?: Pick<ReadOnlyOptions, 'headers' | 'budget' | 'log'>
  /** where interfaces come from (the shared Postgres cache in production); default: the API each time */
  interfaces?: (contractId: string) => Promise<ContractInterface | undefined>
}

/**
 * Clarity read-only calls for the workers. `ok` / `some` are unwrapped explicitly; u0 decimals
 * stay 0 (never null); a Clarity `err` or a missing function is permanent, a node that is down
 * is retryable (readOnly.ts classifies both).
 */
export class StacksReader implements ChainReader {
  private readonly interfaceOf: (contractId: string) => Promise<ContractInterface | undefined>

  constructor(private readonly opts: StacksReaderOptions) {
    this.interfaceOf = opts.interfaces ?? ((id) => getContractInterface(opts.baseUrl, id, opts.request))
  }

  async tokenUri(contractId: string, tokenId: bigint, standard: TokenStandardName): Promise<string | null> {
    if (standard === 'SIP010') return null
    const v = await this.call(contractId, 'get-token-uri', [uintCV(tokenId)])
    return v === undefined ? null : clarityString(v, `${contractId}::get-token-uri`)
  }

  async contractReads(contractId: string, standard: TokenStandardName): Promise<ContractReads> {
    const iface = await this.interfaceOf(contractId)
    if (!iface) throw new PermanentError('contract_call_reverted', `${contractId} is not deployed`)
    const has = (name: string) => iface.functions.some((f) => f.name === name && f.args.length === 0)
    const text = async (fn: string) => (has(fn) ? stringOrNull(await this.call(contractId, fn), `${contractId}::${fn}`) : null)
    const num = async (fn: string) => (has(fn) ? bigintOrNull(await this.call(contractId, fn), `${contractId}::${fn}`) : null)
    const fungible = standard === 'SIP010'
    const [name, symbol, decimals, uri] = await Promise.all([
      text('get-name'),
      text('get-symbol'),
      fungible ? num('get-decimals') : Promise.resolve(null),
      fungible ? text('get-token-uri') : Promise.resolve(null),
    ])
    // No totalSupply: the SIP-010 supply served is the one the processor tracks from
    // ft_mint / ft_burn events (exact, moves with every block). A get-total-supply read here
    // would be frozen at the time of the job and served over the tracked one; the chain read is
    // the processor's periodic cross-check instead (supplyCrossCheck.ts).
    return {
      confirmedStandard: detectStandard(iface) ?? null,
      name,
      symbol,
      decimals: decimals === null ? null : Number(decimals),
      contractUri: uri,
    }
  }

  /** SIP-013 `get-decimals(token-id)`: decimals are per token id; null when the contract has none. */
  async tokenDecimals(contractId: string, tokenId: bigint, standard: TokenStandardName): Promise<number | null> {
    if (standard !== 'SIP013') return null
    const iface = await this.interfaceOf(contractId)
    if (!iface) throw new PermanentError('contract_call_reverted', `${contractId} is not deployed`)
    if (!iface.functions.some((f) => f.name === 'get-decimals' && f.args.length === 1)) return null
    const v = await this.call(contractId, 'get-decimals', [uintCV(tokenId)])
    return v === undefined ? null : Number(clarityBigInt(v, `${contractId}::get-decimals`))
  }

  /** SIP-010 `get-total-supply` at the node's tip (the processor's cross-check of its tracked supply). */
  async totalSupply(contractId: string): Promise<bigint | null> {
    return bigintOrNull(await this.call(contractId, 'get-total-supply'), `${contractId}::get-total-supply`)
  }

  private async call(contractId: string, fn: string, args: ClarityValue[] = []): Promise<ClarityValue | undefined> {
    return unwrapOkSome(await callReadOnly(this.opts.baseUrl, contractId, fn, args, undefined, this.opts.request), `${contractId}::${fn}`)
  }
}

function stringOrNull(v: ClarityValue | undefined, context: string): string | null {
  return v === undefined ? null : clarityString(v, context)
}

function bigintOrNull(v: ClarityValue | undefined, context: string): bigint | null {
  return v === undefined ? null : clarityBigInt(v, context)
}
