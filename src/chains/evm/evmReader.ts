import {
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  createPublicClient,
  encodeFunctionData,
  ExecutionRevertedError,
  http,
  parseAbi,
  type PublicClient,
} from 'viem'
import type { ChainReader, ContractReads } from '../../core/chainReader'
import { PermanentError, RetryableError } from '../../core/errors'
import type { TokenStandardName } from '../../core/standards'
import { decodeTextResult } from './decodeText'

const abi = parseAbi([
  'function tokenURI(uint256) view returns (string)',
  'function uri(uint256) view returns (string)',
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
  'function totalSupply() view returns (uint256)',
  'function contractURI() view returns (string)',
  'function supportsInterface(bytes4) view returns (bool)',
  'function owner() view returns (address)',
])

const INTERFACE = { ERC721: '0x80ac58cd', ERC1155: '0xd9b67a26' } as const

export interface EvmReaderOptions {
  rpcUrl: string
  /** Calls issued within this window go out as one JSON-RPC batch. */
  batchWaitMs?: number
  batchSize?: number
  timeoutMs?: number
}

/**
 * Contract reads over JSON-RPC (viem). Concurrent calls from many jobs are coalesced into
 * JSON-RPC batches, so a worker running 100 jobs makes a handful of HTTP requests, not 100.
 */
export class EvmReader implements ChainReader {
  private readonly client: PublicClient

  constructor(opts: EvmReaderOptions) {
    this.client = createPublicClient({
      transport: http(opts.rpcUrl, {
        batch: { batchSize: opts.batchSize ?? 100, wait: opts.batchWaitMs ?? 5 },
        timeout: opts.timeoutMs ?? 10_000,
        retryCount: 0, // the queue retries, with backoff
      }),
    })
  }

  async tokenUri(address: string, tokenId: bigint, standard: TokenStandardName): Promise<string | null> {
    if (standard === 'ERC20') return null
    const functionName = standard === 'ERC1155' ? 'uri' : 'tokenURI'
    return (await this.call(address, functionName, [tokenId])) as string
  }

  /**
   * Each read stands alone: one that reverts, is missing or answers garbage (PermanentError) is
   * null and the others are kept. Only a node failure (RetryableError) fails the whole set, so
   * the job retries with every read again.
   */
  async contractReads(address: string, standard: TokenStandardName): Promise<ContractReads> {
    const orNull = <T>(read: Promise<T>): Promise<T | null> =>
      read.catch((e: unknown) => {
        if (e instanceof PermanentError) return null // the contract lacks the function or answers nonsense
        throw e
      })
    const optional = (fn: Parameters<EvmReader['call']>[1], args: unknown[] = []) => orNull(this.call(address, fn, args))
    const [name, symbol, decimals, totalSupply, contractUri, is721, is1155] = await Promise.all([
      orNull(this.text(address, 'name')),
      orNull(this.text(address, 'symbol')),
      standard === 'ERC20' ? optional('decimals') : Promise.resolve(null),
      optional('totalSupply'),
      optional('contractURI'),
      standard === 'ERC20' ? Promise.resolve(null) : optional('supportsInterface', [INTERFACE.ERC721]),
      standard === 'ERC20' ? Promise.resolve(null) : optional('supportsInterface', [INTERFACE.ERC1155]),
    ])
    return {
      confirmedStandard: is1155 === true ? 'ERC1155' : is721 === true ? 'ERC721' : standard === 'ERC20' && decimals !== null ? 'ERC20' : null,
      name: name as string | null,
      symbol: symbol as string | null,
      decimals: decimals === null ? null : Number(decimals),
      totalSupply: totalSupply as bigint | null,
      contractUri: contractUri as string | null,
    }
  }

  /** name() / symbol(): an ABI string, or bytes32 in early tokens (decodeText.ts). */
  private async text(address: string, functionName: 'name' | 'symbol'): Promise<string | null> {
    let data: `0x${string}` | undefined
    try {
      ;({ data } = await this.client.call({ to: address as `0x${string}`, data: encodeFunctionData({ abi, functionName }) }))
    } catch (e) {
      throw classifyCallError(e, functionName)
    }
    return decodeTextResult(data, functionName)
  }

  async contractOwner(address: string): Promise<string | null> {
    try {
      return (await this.call(address, 'owner')) as string
    } catch (e) {
      if (e instanceof PermanentError) return null // not Ownable
      throw e
    }
  }

  private async call(
    address: string,
    functionName: 'tokenURI' | 'uri' | 'name' | 'symbol' | 'decimals' | 'totalSupply' | 'contractURI' | 'supportsInterface' | 'owner',
    args: unknown[] = [],
  ): Promise<unknown> {
    try {
      return await this.client.readContract({ address: address as `0x${string}`, abi, functionName, args } as never)
    } catch (e) {
      throw classifyCallError(e, functionName)
    }
  }
}

/** A revert or a missing function is the contract's answer (permanent); anything else is the node. */
export function classifyCallError(e: unknown, functionName: string): Error {
  if (e instanceof BaseError) {
    const reverted = e.walk((err) => err instanceof ContractFunctionRevertedError || err instanceof ContractFunctionZeroDataError || err instanceof ExecutionRevertedError)
    if (reverted) return new PermanentError('contract_call_reverted', `${functionName}() reverted or does not exist`, { cause: e })
    // Some nodes answer a revert as a JSON-RPC error whose message says so.
    if (/execution reverted|invalid opcode|revert/i.test(e.details ?? '')) {
      return new PermanentError('contract_call_reverted', `${functionName}() reverted`, { cause: e })
    }
  }
  return new RetryableError('contract_call_unavailable', `${functionName}() could not be called: node unavailable`, { cause: e })
}
