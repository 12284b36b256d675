/**
 * The Stacks processor's view of the chain, read from a Stacks Blockchain API through its typed
 * client (`@stacks/blockchain-api-client`).
 *
 * A block with events takes: the header (`/extended/v2/blocks/:height`, or a page of 30 from the
 * block list through `getHeaders`), its transactions page by page addressed by index block hash
 * (so a reorg during the fetch cannot mix two blocks), and the events of the successful
 * transactions that have any through `/extended/v1/tx/multiple` (the block's transaction lists
 * carry no events), in lookups shared by the blocks fetched at once (TxLookupBatcher), topped up
 * through `/extended/v1/tx/events` when a transaction has more events than one page. So a block
 * costs about one request of its own plus shares of a header page and of a lookup. Every count is
 * checked against the header and the transaction's `event_count`; a block that does not add up is
 * fetched again, then reported as StacksBlockInconsistentError. The caller gets a whole block or
 * an error, never half a block.
 *
 * Every request takes a token from the process's RequestBudget (when given) at the priority of
 * its block's height, so under a limit blocks complete in height order; 429s are waited out
 * without limit (BLOCK_SOURCE_RETRY), other failures are retried a few times and then thrown.
 */
import { createClient } from '@stacks/blockchain-api-client'
import type { ApiBlock, ApiTransaction, ApiTxEvent, ApiBlockList, ApiTxMultiple, ClarityHexRepr, ContractInterface } from './apiTypes'
import { API_LIMITS } from './apiTypes'
import { uintFromHex } from './clarity'
import { StacksApiResponseError, StacksBlockInconsistentError, StacksBlockNotFoundError } from './errors'
import type { RequestBudget } from '../../lib/requestBudget'
import { TxLookupBatcher } from './txLookupBatcher'
import { DEFAULT_RETRY_POLICY, rateLimitHints, withRetry, type AttemptOutcome, type RetryPolicy, type StacksLog } from './http'

export type { StacksLog, StacksLogLevel, RetryPolicy } from './http'

// ---------------------------------------------------------------------------------------------
// What the processor consumes

export interface StacksBlockHeader {
  height: number
  /** block hash */
  hash: string
  /** unique per fork: what `parentIndexBlockHash` of the next block points at */
  indexBlockHash: string
  parentIndexBlockHash: string
  parentBlockHash: string
  /** block time, unix seconds */
  timestamp: number
  burnBlockHeight: number
  /** all transactions, failed ones included */
  txCount: number
}

export interface StacksBlock extends StacksBlockHeader {
  /** successful transactions in block order */
  txs: StacksTx[]
  /** transactions that were mined but failed (skipped: their effects and events did not happen) */
  failedTxIds: string[]
}

export type StacksTxKind = ApiTransaction['tx_type']

export interface StacksTx {
  txId: string
  /** position in the block */
  index: number
  sender: string
  status: 'success'
  kind: StacksTxKind
  contractCall?: { contractId: string; functionName: string }
  /** set on a (successful) contract deployment */
  deployedContractId?: string
  /** the deployed contract's interface, when the source carries it (the node's `contract_abi`) */
  contractInterface?: ContractInterface
  /** by `eventIndex` */
  events: StacksEvent[]
}

interface StacksEventBase {
  txId: string
  /** position among the transaction's events */
  eventIndex: number
}

interface StacksAssetBase extends StacksEventBase {
  /** `ADDR.contract::asset-name` */
  assetIdentifier: string
  /** `ADDR.contract` that declared the asset */
  contractId: string
  assetName: string
}

interface StacksNftBase extends StacksAssetBase {
  /** the NFT's Clarity value (a uint for SIP-009, anything for other NFTs) */
  tokenValue: ClarityHexRepr
  /** decimal token id when `tokenValue` is a uint */
  tokenId?: string
}

export type StacksNftEvent =
  | (StacksNftBase & { type: 'nft_mint'; recipient: string })
  | (StacksNftBase & { type: 'nft_transfer'; sender: string; recipient: string })
  | (StacksNftBase & { type: 'nft_burn'; sender: string })

interface StacksFtBase extends StacksAssetBase {
  /** decimal string (u128) */
  amount: string
}

export type StacksFtEvent =
  | (StacksFtBase & { type: 'ft_mint'; recipient: string })
  | (StacksFtBase & { type: 'ft_transfer'; sender: string; recipient: string })
  | (StacksFtBase & { type: 'ft_burn'; sender: string })

/** `print` from a contract: SIP-013 events and SIP-019 notifications arrive this way. */
export interface StacksPrintEvent extends StacksEventBase {
  type: 'print'
  /** the contract that printed */
  contractId: string
  topic: string
  value: ClarityHexRepr
}

export type StacksStxEvent =
  | (StacksEventBase & { type: 'stx_mint'; amount: string; recipient: string })
  | (StacksEventBase & { type: 'stx_transfer'; amount: string; sender: string; recipient: string; memo?: string })
  | (StacksEventBase & { type: 'stx_burn'; amount: string; sender: string })

export interface StacksStxLockEvent extends StacksEventBase {
  type: 'stx_lock'
  amount: string
  unlockHeight: number
  lockedAddress: string
}

export type StacksEvent = StacksNftEvent | StacksFtEvent | StacksPrintEvent | StacksStxEvent | StacksStxLockEvent

export interface StacksTip {
  height: number
  hash: string
  indexBlockHash: string
}

export interface StacksBlockSource {
  getTip(): Promise<StacksTip>
  /** undefined when there is no canonical block at that height */
  getBlock(height: number): Promise<StacksBlockHeader | undefined>
  /**
   * throws StacksBlockNotFoundError when there is no canonical block at that height. `header`,
   * when given, is that block's header as read earlier (from `getHeaders`): a source may then
   * skip reading it again; the block returned is the one that header names.
   */
  getBlockWithEvents(height: number, header?: StacksBlockHeader): Promise<StacksBlock>
  /**
   * Optional: the canonical headers of heights `from..to` in few requests (some may be missing
   * when the chain moved meanwhile), given the tip height last seen. Sources without a cheaper
   * way than one header per block leave it out.
   */
  getHeaders?(from: number, to: number, tipHeight: number): Promise<StacksBlockHeader[]>
}

export interface StacksBlockSourceOptions {
  /** Stacks API base URL, e.g. `https://api.mainnet.hiro.so` or the simulator's url */
  baseUrl: string
  retry?: Partial<RetryPolicy>
  log?: StacksLog
  /** transactions per page, at most 50 (the API's cap); default 50 */
  txPageSize?: number
  /** transaction ids per `/tx/multiple` request (shared by the blocks fetched at once); default 25 */
  txBatchSize?: number
  /** how often an inconsistent block is fetched again before giving up; default 2 */
  consistencyRetries?: number
  /** extra headers (e.g. an API key) */
  headers?: Record<string, string>
  /** the process's request budget for this API; every request takes from it */
  budget?: RequestBudget
}

/**
 * A block's transaction lookup waits in the budget behind the transaction pages of the next 8
 * blocks (its priority is its height + 8), so under a limit one lookup carries the ids of about 8
 * blocks instead of one; without a limit nothing waits and the priority changes nothing.
 */
const LOOKUP_DEFER_BLOCKS = 8

/** The processor's policy: a 429 is waited out however long it takes (other failures stay bounded). */
const BLOCK_SOURCE_RETRY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, patientOnRateLimit: true }

// ---------------------------------------------------------------------------------------------

type Client = ReturnType<typeof createClient>
type ClientResult<T> = { data?: T; error?: unknown; response: Response }

export function createStacksBlockSource(opts: StacksBlockSourceOptions): StacksBlockSource {
  return new ApiBlockSource(opts)
}

class ApiBlockSource implements StacksBlockSource {
  private readonly client: Client
  private readonly baseUrl: string
  private readonly policy: RetryPolicy
  private readonly log?: StacksLog
  private readonly txPageSize: number
  private readonly txBatchSize: number
  private readonly consistencyRetries: number
  private readonly budget?: RequestBudget
  private readonly lookups: TxLookupBatcher

  constructor(opts: StacksBlockSourceOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '')
    this.client = createClient({ baseUrl: this.baseUrl, headers: opts.headers })
    this.policy = { ...BLOCK_SOURCE_RETRY, ...opts.retry }
    this.budget = opts.budget
    this.log = opts.log
    this.txPageSize = Math.min(API_LIMITS.blockTransactions.max, Math.max(1, opts.txPageSize ?? API_LIMITS.blockTransactions.max))
    this.txBatchSize = Math.max(1, opts.txBatchSize ?? 25)
    this.consistencyRetries = Math.max(0, opts.consistencyRetries ?? 2)
    this.lookups = new TxLookupBatcher((ids, priority, tokenTaken) => this.fetchTransactions(ids, priority, tokenTaken), this.txBatchSize, this.budget)
  }

  async getTip(): Promise<StacksTip> {
    const block = await this.fetchBlock('latest')
    if (!block) throw new StacksBlockNotFoundError('latest', { url: `${this.baseUrl}/extended/v2/blocks/latest` })
    return { height: block.height, hash: block.hash, indexBlockHash: block.index_block_hash }
  }

  async getBlock(height: number): Promise<StacksBlockHeader | undefined> {
    const block = await this.fetchBlock(checkHeight(height))
    return block ? toHeader(block) : undefined
  }

  async getBlockWithEvents(height: number, known?: StacksBlockHeader): Promise<StacksBlock> {
    checkHeight(height)
    if (known && known.height !== height) throw new RangeError(`header of block ${known.height} given for block ${height}`)
    for (let round = 0; ; round++) {
      try {
        // a header read earlier is used once: a block that does not add up is read afresh
        return await this.assembleBlock(height, round === 0 ? known : undefined)
      } catch (e) {
        if (!(e instanceof StacksBlockInconsistentError) || round >= this.consistencyRetries) throw e
        this.log?.('warn', 'stacks block changed while fetching, fetching again', {
          op: 'getBlockWithEvents',
          block: height,
          error: e.message,
        })
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Headers from the block list (`/extended/v2/blocks`, newest first, 30 a page, offset from the
   * tip): one request for up to 30 blocks instead of one each. The list is addressed by offset
   * from the API's tip, so when the tip moved since `tipHeight` the page comes shifted: it is asked
   * again once with the offset the page's `total` (the API's tip) gives. Only the heights asked for
   * are kept; one a page still missed (the chain moved again) is read by the caller on its own.
   */
  async getHeaders(from: number, to: number, tipHeight: number): Promise<StacksBlockHeader[]> {
    checkHeight(from)
    checkHeight(to)
    const out: StacksBlockHeader[] = []
    let tip = tipHeight
    for (let top = to; top >= from; top -= API_LIMITS.blocks.max) {
      const bottom = Math.max(from, top - API_LIMITS.blocks.max + 1)
      let page = await this.fetchHeaderPage(bottom, top, tip)
      if (page.total !== tip) {
        tip = page.total
        if (!covers(page.results, bottom, top)) page = await this.fetchHeaderPage(bottom, top, tip)
      }
      for (const b of page.results) if (b.height >= bottom && b.height <= top) out.push(toHeader(b))
    }
    return out.sort((a, b) => a.height - b.height)
  }

  private async fetchHeaderPage(bottom: number, top: number, tip: number): Promise<ApiBlockList> {
    const limit = top - bottom + 1
    const offset = Math.max(0, tip - top)
    const path = `/extended/v2/blocks/?limit=${limit}&offset=${offset}`
    const outcome = await this.request('getBlocks', path, (signal) => this.client.GET('/extended/v2/blocks/', { params: { query: { limit, offset } }, signal }), {
      priority: bottom,
    })
    if (!outcome.ok) throw this.responseError('getBlocks', path, outcome)
    return outcome.value
  }

  // -------------------------------------------------------------------------------------------

  private async assembleBlock(height: number, known?: StacksBlockHeader): Promise<StacksBlock> {
    const header = known ?? (await this.fetchHeader(height))
    const txs = await this.fetchBlockTransactions(header)
    const withEvents = txs.filter((tx) => tx.tx_status === 'success' && tx.event_count > 0)
    const events = await this.fetchEvents(header, withEvents)

    const out: StacksTx[] = []
    const failedTxIds: string[] = []
    for (const tx of txs) {
      if (tx.tx_status !== 'success') {
        failedTxIds.push(tx.tx_id)
        continue
      }
      out.push(toStacksTx(tx, events.get(tx.tx_id) ?? []))
    }
    return { ...header, txs: out, failedTxIds }
  }

  /** `priority` 0 (before any block's own requests) unless it is part of fetching a block. */
  private async fetchBlock(heightOrHash: number | string, priority = 0): Promise<ApiBlock | undefined> {
    const path = `/extended/v2/blocks/${heightOrHash}`
    const outcome = await this.request(
      'getBlock',
      path,
      (signal) =>
        this.client.GET('/extended/v2/blocks/{height_or_hash}', {
          params: { path: { height_or_hash: heightOrHash } },
          signal,
        }),
      { priority },
    )
    if (outcome.ok) return outcome.value
    if (outcome.status === 404) return undefined
    throw this.responseError('getBlock', path, outcome)
  }

  private async fetchHeader(height: number): Promise<StacksBlockHeader> {
    const block = await this.fetchBlock(height, height)
    if (!block) throw new StacksBlockNotFoundError(height, { url: `${this.baseUrl}/extended/v2/blocks/${height}` })
    return toHeader(block)
  }

  private async fetchBlockTransactions(header: StacksBlockHeader): Promise<ApiTransaction[]> {
    const txs: ApiTransaction[] = []
    const id = header.indexBlockHash
    while (txs.length < header.txCount) {
      const offset = txs.length
      const path = `/extended/v2/blocks/${id}/transactions?limit=${this.txPageSize}&offset=${offset}`
      const outcome = await this.request(
        'getBlockTransactions',
        path,
        (signal) =>
          this.client.GET('/extended/v2/blocks/{height_or_hash}/transactions', {
            params: { path: { height_or_hash: id }, query: { limit: this.txPageSize, offset } },
            signal,
          }),
        { priority: header.height },
      )
      if (!outcome.ok) {
        if (outcome.status === 404) throw new StacksBlockInconsistentError(`block ${id} vanished while reading its transactions`)
        throw this.responseError('getBlockTransactions', path, outcome)
      }
      const page = outcome.value
      if (page.total !== header.txCount) {
        throw new StacksBlockInconsistentError(`block ${header.height}: header says ${header.txCount} transactions, page total ${page.total}`)
      }
      if (page.results.length === 0) break
      for (const tx of page.results) {
        if (tx.block_hash !== header.hash || tx.block_height !== header.height) {
          throw new StacksBlockInconsistentError(`transaction ${tx.tx_id} listed in block ${header.height} belongs to another block`)
        }
        txs.push(tx)
      }
    }
    if (txs.length !== header.txCount) {
      throw new StacksBlockInconsistentError(`block ${header.height}: got ${txs.length} of ${header.txCount} transactions`)
    }
    txs.sort((a, b) => a.tx_index - b.tx_index)
    return txs
  }

  /**
   * Events of the given transactions, complete and ordered, keyed by tx id: looked up through the
   * batcher (shared with the other blocks in flight), topped up page by page past event_limit.
   */
  private async fetchEvents(header: StacksBlockHeader, txs: ApiTransaction[]): Promise<Map<string, ApiTxEvent[]>> {
    const out = new Map<string, ApiTxEvent[]>()
    if (txs.length === 0) return out
    const entries = await this.lookups.lookup(
      txs.map((t) => t.tx_id),
      header.height + LOOKUP_DEFER_BLOCKS,
    )
    for (const tx of txs) {
      const entry = entries.get(tx.tx_id)
      const mined = entry && entry.found ? entry.result : undefined
      if (!mined || !('block_hash' in mined) || mined.block_hash !== header.hash) {
        throw new StacksBlockInconsistentError(`transaction ${tx.tx_id} of block ${header.height} not found as mined there`)
      }
      const events = [...mined.events]
      while (events.length < tx.event_count) {
        events.push(...(await this.fetchEventPage(tx.tx_id, events.length, API_LIMITS.events.max, header.height)))
      }
      if (events.length !== tx.event_count) {
        throw new StacksBlockInconsistentError(`transaction ${tx.tx_id}: ${events.length} events, expected ${tx.event_count}`)
      }
      events.sort((a, b) => a.event_index - b.event_index)
      out.set(tx.tx_id, events)
    }
    return out
  }

  /** One `/tx/multiple` request for the batcher. */
  private async fetchTransactions(ids: string[], priority: number, tokenTaken: boolean): Promise<ApiTxMultiple> {
    const limit = API_LIMITS.events.max
    const path = `/extended/v1/tx/multiple?event_limit=${limit} (${ids.length} tx ids)`
    const outcome = await this.request(
      'getTransactions',
      path,
      (signal) => this.client.GET('/extended/v1/tx/multiple', { params: { query: { tx_id: ids, event_limit: limit } }, signal }),
      { priority, tokenTaken },
    )
    if (!outcome.ok) throw this.responseError('getTransactions', path, outcome)
    return outcome.value
  }

  private async fetchEventPage(txId: string, offset: number, limit: number, priority: number): Promise<ApiTxEvent[]> {
    const path = `/extended/v1/tx/events?tx_id=${txId}&limit=${limit}&offset=${offset}`
    const outcome = await this.request(
      'getTransactionEvents',
      path,
      (signal) => this.client.GET('/extended/v1/tx/events', { params: { query: { tx_id: txId, limit, offset } }, signal }),
      { priority },
    )
    if (!outcome.ok) throw this.responseError('getTransactionEvents', path, outcome)
    if (outcome.value.events.length === 0) {
      throw new StacksBlockInconsistentError(`transaction ${txId}: event page at ${offset} is empty`)
    }
    return outcome.value.events
  }

  private request<T>(
    op: string,
    path: string,
    call: (signal: AbortSignal) => Promise<ClientResult<T>>,
    budgetOpts: { priority?: number; tokenTaken?: boolean } = {},
  ): Promise<AttemptOutcome<T>> {
    return withRetry({ op, url: this.baseUrl + path, budget: this.budget, ...budgetOpts }, this.policy, this.log, async (signal) => {
      const { data, error, response } = await call(signal)
      const hints = rateLimitHints(response.headers)
      if (response.ok && data !== undefined) return { ok: true, value: data, hints }
      return { ok: false, status: response.ok ? 502 : response.status, hints, body: error }
    })
  }

  private responseError(op: string, path: string, outcome: { status: number; body?: unknown }): StacksApiResponseError {
    const detail = typeof outcome.body === 'object' && outcome.body !== null ? JSON.stringify(outcome.body) : String(outcome.body ?? '')
    return new StacksApiResponseError(`${op}: HTTP ${outcome.status} ${detail.slice(0, 200)}`, {
      url: this.baseUrl + path,
      status: outcome.status,
    })
  }
}

/** Whether a page of blocks holds every height from `bottom` to `top`. */
function covers(blocks: readonly { height: number }[], bottom: number, top: number): boolean {
  const heights = new Set(blocks.map((b) => b.height))
  for (let h = bottom; h <= top; h++) if (!heights.has(h)) return false
  return true
}

function checkHeight(height: number): number {
  if (!Number.isSafeInteger(height) || height < 0) throw new RangeError(`not a block height: ${height}`)
  return height
}

function toHeader(b: ApiBlock): StacksBlockHeader {
  return {
    height: b.height,
    hash: b.hash,
    indexBlockHash: b.index_block_hash,
    parentIndexBlockHash: b.parent_index_block_hash,
    parentBlockHash: b.parent_block_hash,
    timestamp: b.block_time,
    burnBlockHeight: b.burn_block_height,
    txCount: b.tx_count,
  }
}

function toStacksTx(tx: ApiTransaction, events: ApiTxEvent[]): StacksTx {
  const out: StacksTx = {
    txId: tx.tx_id,
    index: tx.tx_index,
    sender: tx.sender_address,
    status: 'success',
    kind: tx.tx_type,
    events: events.map(toStacksEvent).filter((e): e is StacksEvent => e !== undefined),
  }
  if (tx.tx_type === 'contract_call') {
    out.contractCall = { contractId: tx.contract_call.contract_id, functionName: tx.contract_call.function_name }
  } else if (tx.tx_type === 'smart_contract') {
    out.deployedContractId = tx.smart_contract.contract_id
  }
  return out
}

function splitAsset(assetId: string): { contractId: string; assetName: string } {
  const at = assetId.indexOf('::')
  return at < 0 ? { contractId: assetId, assetName: '' } : { contractId: assetId.slice(0, at), assetName: assetId.slice(at + 2) }
}

/** API event -> StacksEvent; undefined for an event type this union does not carry. */
export function toStacksEvent(e: ApiTxEvent): StacksEvent | undefined {
  const base = { txId: e.tx_id, eventIndex: e.event_index }
  switch (e.event_type) {
    case 'smart_contract_log':
      return {
        ...base,
        type: 'print',
        contractId: e.contract_log.contract_id,
        topic: e.contract_log.topic,
        value: { hex: e.contract_log.value.hex, repr: e.contract_log.value.repr },
      }
    case 'non_fungible_token_asset': {
      const a = e.asset
      const tokenId = uintFromHex(a.value.hex)
      const nft = {
        ...base,
        assetIdentifier: a.asset_id,
        ...splitAsset(a.asset_id),
        tokenValue: { hex: a.value.hex, repr: a.value.repr },
        ...(tokenId !== undefined ? { tokenId } : {}),
      }
      if (a.asset_event_type === 'mint') return { ...nft, type: 'nft_mint', recipient: a.recipient }
      if (a.asset_event_type === 'burn') return { ...nft, type: 'nft_burn', sender: a.sender }
      return { ...nft, type: 'nft_transfer', sender: a.sender, recipient: a.recipient }
    }
    case 'fungible_token_asset': {
      const a = e.asset
      const ft = { ...base, assetIdentifier: a.asset_id, ...splitAsset(a.asset_id), amount: a.amount }
      if (a.asset_event_type === 'mint') return { ...ft, type: 'ft_mint', recipient: a.recipient }
      if (a.asset_event_type === 'burn') return { ...ft, type: 'ft_burn', sender: a.sender }
      return { ...ft, type: 'ft_transfer', sender: a.sender, recipient: a.recipient }
    }
    case 'stx_asset': {
      const a = e.asset
      if (a.asset_event_type === 'mint') return { ...base, type: 'stx_mint', amount: a.amount, recipient: a.recipient }
      if (a.asset_event_type === 'burn') return { ...base, type: 'stx_burn', amount: a.amount, sender: a.sender }
      return {
        ...base,
        type: 'stx_transfer',
        amount: a.amount,
        sender: a.sender,
        recipient: a.recipient,
        ...(a.memo ? { memo: a.memo } : {}),
      }
    }
    case 'stx_lock':
      return {
        ...base,
        type: 'stx_lock',
        amount: e.stx_lock_event.locked_amount,
        unlockHeight: e.stx_lock_event.unlock_height,
        lockedAddress: e.stx_lock_event.locked_address,
      }
    default:
      return undefined
  }
}
