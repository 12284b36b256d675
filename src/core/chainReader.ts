import type { TokenStandardName } from './standards'

/** What a contract job reads from the chain. Absent fields: the contract has no such function. */
export interface ContractReads {
  /** The standard the contract proves (ERC-165, Clarity interface), when it can. */
  confirmedStandard?: TokenStandardName | null
  name?: string | null
  symbol?: string | null
  decimals?: number | null
  totalSupply?: bigint | null
  /** ERC-7572 contractURI, SIP-010 get-token-uri. */
  contractUri?: string | null
}

/**
 * Chain reads for the workers, one implementation per chain family (EVM JSON-RPC, Stacks
 * read-only calls). Errors: PermanentError('contract_call_reverted') when the call reverts or the
 * function does not exist; RetryableError('contract_call_unavailable') when the node is down.
 */
export interface ChainReader {
  /** The token's metadata URI (ERC-721 tokenURI, ERC-1155 uri, SIP get-token-uri); null if none. */
  tokenUri(address: string, tokenId: bigint, standard: TokenStandardName): Promise<string | null>
  contractReads(address: string, standard: TokenStandardName): Promise<ContractReads>
  /** Decimals of one token id where the standard has them per id (SIP-013 get-decimals); null if none. */
  tokenDecimals?(address: string, tokenId: bigint, standard: TokenStandardName): Promise<number | null>
  /** The contract's `owner()` (Ownable), null when it has none or it reverts. */
  contractOwner?(address: string): Promise<string | null>
}

/** Chain id -> reader. */
export type ChainReaders = ReadonlyMap<string, ChainReader>
