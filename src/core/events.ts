import type { TokenStandardName } from './standards'

/**
 * Chain facts as the ingest stage consumes them, one vocabulary for EVM and Stacks. Decoders turn
 * logs / Stacks events into these; `ingest` applies them to the store and enqueues jobs.
 * Addresses are chain-normalised (EVM lowercase); `null` from/to means mint/burn.
 */
/** Where a Stacks event stands: its contract, block and transaction (what decoding it later needs). */
export interface StacksEventContext {
  contractId: string
  indexBlockHash: string
  height: number
  blockTime: number
  txId: string
  txIndex: number
  sender: string
}

export interface EventPosition {
  blockNumber: number
  blockHash: string
  timestamp: Date
  txHash: string
  /** Log index (EVM) or event index within the transaction (Stacks). */
  logIndex: number
  /** Transaction sender, where the chain has one (SIP-019 deployer check). */
  sender?: string
}

interface Base {
  /** Contract address as the chain writes it (EVM lowercase, Stacks `ADDR.name`). */
  contract: string
  pos: EventPosition
}

/** ERC-721 / SIP-009 ownership change of one token. */
export interface NftTransfer extends Base {
  kind: 'nft_transfer'
  standard: 'ERC721' | 'SIP009'
  tokenId: bigint
  from: string | null
  to: string | null
}

/** ERC-2309: a range of ERC-721 tokens moved (minted, when from is null) at once. */
export interface NftRangeTransfer extends Base {
  kind: 'nft_range_transfer'
  standard: 'ERC721'
  fromTokenId: bigint
  toTokenId: bigint
  from: string | null
  to: string | null
}

/** ERC-20 / SIP-010 movement (supply follows mints and burns). */
export interface FtTransfer extends Base {
  kind: 'ft_transfer'
  standard: 'ERC20' | 'SIP010'
  amount: bigint
  from: string | null
  to: string | null
}

/** ERC-1155 / SIP-013 movement of several ids (TransferSingle is a batch of one). */
export interface MultiTransfer extends Base {
  kind: 'multi_transfer'
  standard: 'ERC1155' | 'SIP013'
  ids: bigint[]
  amounts: bigint[]
  from: string | null
  to: string | null
}

/** ERC-1155 URI(value, id): a token's URI changed. */
export interface UriChanged extends Base {
  kind: 'uri_changed'
  tokenId: bigint
  uri: string
}

/** ERC-4906 MetadataUpdate / BatchMetadataUpdate (single when from = to). */
export interface MetadataUpdated extends Base {
  kind: 'metadata_updated'
  fromTokenId: bigint
  toTokenId: bigint
  batch: boolean
}

/** ERC-7572 ContractURIUpdated(). */
export interface ContractMetadataUpdated extends Base {
  kind: 'contract_metadata_updated'
}

/** SIP-019 token-metadata-update notification. */
export interface UpdateNotification extends Base {
  kind: 'update_notification'
  tokenClass: 'nft' | 'ft' | 'sft'
  /** Absent: every token of the contract. */
  tokenIds?: bigint[]
  mode: 'standard' | 'frozen' | 'dynamic'
  ttlSeconds?: number
  /** Contract that emitted the print event (the token contract itself, or a notifier). */
  emitter: string
}

/** A contract deployment whose interface matched a token standard (Stacks). */
export interface ContractDeployed extends Base {
  kind: 'contract_deployed'
  standard: TokenStandardName
  deployer: string
}

export type ChainEvent =
  NftTransfer | NftRangeTransfer | FtTransfer | MultiTransfer | UriChanged | MetadataUpdated | ContractMetadataUpdated | UpdateNotification | ContractDeployed

/** Why a log or event was not turned into a ChainEvent (counted and logged, never fatal). */
export interface SkippedEvent {
  reason: string
  contract: string
  pos: EventPosition
}
