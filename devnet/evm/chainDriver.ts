// Drives a local hardhat node with viem: deploys the test contracts, mints in gas-capped batches,
// transfers, burns, emits metadata-update events, mines blocks and produces reorgs.
//
// Transactions are sent with `eth_sendTransaction` from Hardhat's unlocked default accounts, one at
// a time per driver (so nonces never race), each after an `eth_estimateGas` so a call that would
// revert or exceed the per-transaction gas cap fails before it is mined (no failed transactions on
// the chain an indexer is reading).
import {
  createPublicClient,
  decodeErrorResult,
  decodeEventLog,
  defineChain,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  http,
  numberToHex,
  type Abi,
  type Address,
  type Chain,
  type Hex,
  type Log,
  type PublicClient,
  type TransactionReceipt,
} from 'viem'
import { compileContracts, type CompiledContracts, type ContractName } from './compile'

/** Hardhat 2.29 (Osaka, EIP-7825) refuses transactions above 2^24 gas. */
export const TX_GAS_CAP = 16_777_216n
/** Batches are sized to stay under this, leaving room for estimation error. */
const BATCH_GAS_BUDGET = 14_500_000n

export interface ChainEndpoint {
  rpcUrl: string
  chainId: number
}

/** What the driver needs to talk to a contract. */
export interface ContractHandle {
  name: string
  address: Address
  abi: Abi
}

export interface DeployedContract extends ContractHandle {
  deployer: Address
  txHash: Hex
  blockNumber: bigint
  blockHash: Hex
}

export interface TxResult {
  hash: Hex
  blockNumber: bigint
  blockHash: Hex
  gasUsed: bigint
  logs: Log[]
  /** Set for contract creations. */
  contractAddress: Address | null
}

export interface BatchResult {
  txs: TxResult[]
  /** Token ids minted (or touched), in order. */
  tokenIds: bigint[]
}

export interface TxOptions {
  /** Sender; one of the node's unlocked accounts. Default: accounts[0] (the deployer/owner). */
  from?: Address
}

export interface BlockRef {
  number: bigint
  hash: Hex
  parentHash: Hex
  timestamp: bigint
}

export interface Fork {
  /** The last block both branches share. */
  forkPoint: BlockRef
  /**
   * Replaces every block mined since the fork with a longer branch of empty blocks: reverts to
   * the snapshot and mines (orphaned count + extraBlocks) blocks whose timestamps are later than
   * any orphaned block's, so no replacement block can have an orphaned block's hash.
   */
  reorg(opts?: { extraBlocks?: number }): Promise<ReorgResult>
}

export interface ReorgResult {
  forkPoint: BlockRef
  /** Blocks that were canonical before the reorg and are not any more. */
  orphaned: BlockRef[]
  /** The new canonical blocks after the fork point. */
  replacement: BlockRef[]
  head: BlockRef
}

export type Erc721Uri = string | ((tokenId: bigint) => string)

type RawRequest = (args: { method: string; params?: unknown }) => Promise<unknown>

function isGasError(err: unknown): boolean {
  let msg = ''
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    msg += ` ${e.message} ${String((e as { details?: unknown }).details ?? '')}`
  }
  return /out of gas|gas required exceeds|exceeds (the )?(transaction )?gas cap|gas limit|intrinsic gas/i.test(msg)
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const details = (err as { details?: unknown }).details
  return typeof details === 'string' && details.length > 0 ? details : (err.message.split('\n')[0] ?? err.message)
}

/** Names a custom revert error ("OwnableUnauthorizedAccount(0x…)") from the node's message, if the ABI knows it. */
function revertReason(abi: Abi, err: unknown): string {
  const text = errorText(err)
  const m = /return data: (0x[0-9a-fA-F]+)/.exec(text)
  if (m) {
    try {
      const decoded = decodeErrorResult({ abi, data: m[1] as Hex })
      const args = (decoded.args ?? []).map((a) => (typeof a === 'bigint' ? a.toString() : String(a)))
      return `${decoded.errorName}(${args.join(', ')})`
    } catch {
      // unknown selector: keep the node's text
    }
  }
  return text
}

class ContractCallError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options)
    this.name = 'ContractCallError'
  }
}

function toBlockRef(b: { number: bigint | null; hash: Hex | null; parentHash: Hex; timestamp: bigint }): BlockRef {
  if (b.number === null || b.hash === null) throw new Error('pending block')
  return { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp }
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8')
}

/** Rough gas of storing a string of `len` bytes in a fresh slot (short strings use one slot). */
function stringStoreGas(len: number): bigint {
  const slots = len === 0 ? 0 : len < 32 ? 1 : 1 + Math.ceil(len / 32)
  return BigInt(slots) * 22_200n + BigInt(len) * 20n
}

// Per-token estimates, padded from measurements (OpenZeppelin 5.7, optimizer on): mintBatch with a
// prefix ~25.1k gas per token, mintBatchWithURIs with 33-byte URIs ~94.8k, ERC-1155 mintBatch ~23.9k per id.
const ERC721_MINT_GAS = 27_000n
const ERC721_URI_MINT_EXTRA_GAS = 6_000n // MetadataUpdate log, calldata offsets
const ERC1155_MINT_GAS_PER_ID = 26_000n
const BATCH_BASE_GAS = 200_000n

/** Splits `items` greedily so that each chunk's estimated gas stays under the budget. */
function chunkByGas<T>(items: T[], gasOf: (item: T) => bigint, maxPerChunk = 2000): T[][] {
  const chunks: T[][] = []
  let cur: T[] = []
  let gas = BATCH_BASE_GAS
  for (const item of items) {
    const g = gasOf(item)
    if (cur.length > 0 && (gas + g > BATCH_GAS_BUDGET || cur.length >= maxPerChunk)) {
      chunks.push(cur)
      cur = []
      gas = BATCH_BASE_GAS
    }
    cur.push(item)
    gas += g
  }
  if (cur.length > 0) chunks.push(cur)
  return chunks
}

export class ChainDriver {
  readonly rpcUrl: string
  readonly chainId: number
  readonly chain: Chain
  readonly client: PublicClient
  /** Hardhat's funded, unlocked accounts (eth_accounts), checksummed. */
  readonly accounts: Address[]
  private readonly contracts: CompiledContracts
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(endpoint: ChainEndpoint, contracts: CompiledContracts, client: PublicClient, accounts: Address[]) {
    this.rpcUrl = endpoint.rpcUrl
    this.chainId = endpoint.chainId
    this.chain = client.chain as Chain
    this.client = client
    this.accounts = accounts
    this.contracts = contracts
  }

  /** Connects to a running node; compiles (or loads cached) contracts unless given. */
  static async connect(endpoint: ChainEndpoint, contracts?: CompiledContracts): Promise<ChainDriver> {
    const chain = defineChain({
      id: endpoint.chainId,
      name: `local-${endpoint.chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [endpoint.rpcUrl] } },
    })
    const client = createPublicClient({
      chain,
      transport: http(endpoint.rpcUrl, { timeout: 120_000, retryCount: 0 }),
      pollingInterval: 50,
    }) as PublicClient
    const raw = client.request as unknown as RawRequest
    const [accounts, compiled] = await Promise.all([raw({ method: 'eth_accounts' }) as Promise<string[]>, contracts ? Promise.resolve(contracts) : compileContracts()])
    if (accounts.length === 0) throw new Error(`${endpoint.rpcUrl} has no unlocked accounts`)
    return new ChainDriver(
      endpoint,
      compiled,
      client,
      accounts.map((a) => getAddress(a)),
    )
  }

  /** The owner of everything this driver deploys unless told otherwise. */
  get deployer(): Address {
    return this.accounts[0] as Address
  }

  /** Raw JSON-RPC call. */
  rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    return (this.client.request as unknown as RawRequest)({ method, params }) as Promise<T>
  }

  // ---------------------------------------------------------------- transactions

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  /** Sends one transaction (estimate, send, receipt). Rejects if it would revert. */
  sendTransaction(tx: { from?: Address; to?: Address; data: Hex; value?: bigint }): Promise<TxResult> {
    return this.serial(async () => {
      const from = tx.from ?? this.deployer
      const req: Record<string, string> = { from, data: tx.data }
      if (tx.to) req.to = tx.to
      if (tx.value !== undefined) req.value = numberToHex(tx.value)
      const estimate = BigInt(await this.rpc<Hex>('eth_estimateGas', [req]))
      let gas = (estimate * 12n) / 10n + 10_000n
      if (gas > TX_GAS_CAP) gas = TX_GAS_CAP
      const hash = await this.rpc<Hex>('eth_sendTransaction', [{ ...req, gas: numberToHex(gas) }])
      let receipt: TransactionReceipt
      try {
        receipt = await this.client.getTransactionReceipt({ hash })
      } catch {
        // not mined yet (automine off): wait for it
        receipt = await this.client.waitForTransactionReceipt({ hash, pollingInterval: 50, timeout: 120_000 })
      }
      if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
      return {
        hash,
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
        gasUsed: receipt.gasUsed,
        logs: receipt.logs,
        contractAddress: receipt.contractAddress ? getAddress(receipt.contractAddress) : null,
      }
    })
  }

  /** Calls a contract function in a transaction. */
  write(contract: ContractHandle, functionName: string, args: readonly unknown[] = [], opts: TxOptions = {}): Promise<TxResult> {
    const data = encodeFunctionData({ abi: contract.abi, functionName, args })
    return this.sendTransaction({ from: opts.from, to: contract.address, data }).catch((err: unknown) => {
      throw new ContractCallError(`${contract.name}.${functionName} at ${contract.address} failed: ${revertReason(contract.abi, err)}`, {
        cause: err,
      })
    })
  }

  /** eth_call of a view function. */
  read<T = unknown>(contract: ContractHandle, functionName: string, args: readonly unknown[] = []): Promise<T> {
    return this.client.readContract({ address: contract.address, abi: contract.abi, functionName, args }) as Promise<T>
  }

  /** Deploys one of the compiled contracts (see contracts/*.sol for constructor arguments). */
  async deploy(name: ContractName | string, args: readonly unknown[] = [], opts: TxOptions = {}): Promise<DeployedContract> {
    const compiled = this.contracts[name]
    if (!compiled) throw new Error(`unknown contract ${name}; compiled: ${Object.keys(this.contracts).join(', ')}`)
    const data = encodeDeployData({ abi: compiled.abi, bytecode: compiled.bytecode, args })
    const from = opts.from ?? this.deployer
    const tx = await this.sendTransaction({ from, data }).catch((err: unknown) => {
      throw new ContractCallError(`deploy of ${name} failed: ${revertReason(compiled.abi, err)}`, { cause: err })
    })
    if (!tx.contractAddress) throw new Error(`deploy of ${name} created no contract`)
    return {
      name,
      address: tx.contractAddress,
      abi: compiled.abi,
      deployer: from,
      txHash: tx.hash,
      blockNumber: tx.blockNumber,
      blockHash: tx.blockHash,
    }
  }

  /** A deployed contract handle for an address (e.g. one deployed by another driver). */
  at(name: ContractName | string, address: Address): ContractHandle {
    const compiled = this.contracts[name]
    if (!compiled) throw new Error(`unknown contract ${name}`)
    return { name, address: getAddress(address), abi: compiled.abi }
  }

  // ---------------------------------------------------------------- ERC-721

  /**
   * Mints ids startId .. startId+count-1 to `to`, split into as many transactions as the gas cap
   * needs.
   * - `uri` a string: one prefix per transaction range, tokenURI = prefix + decimal id (cheap:
   *   about 530 tokens per transaction).
   * - `uri` a function: a stored URI per token (ERC721URIStorage; each emits MetadataUpdate too).
   * - omitted: no URI.
   */
  async mintErc721Batch(contract: ContractHandle, to: Address, startId: bigint, count: number, uri?: Erc721Uri, opts: TxOptions = {}): Promise<BatchResult> {
    const ids: bigint[] = []
    for (let i = 0; i < count; i++) ids.push(startId + BigInt(i))
    const txs: TxResult[] = []
    if (typeof uri === 'function') {
      const items = ids.map((id) => ({ id, uri: uri(id) }))
      const chunks = chunkByGas(items, (it) => ERC721_MINT_GAS + ERC721_URI_MINT_EXTRA_GAS + stringStoreGas(utf8Length(it.uri)))
      for (const chunk of chunks) {
        txs.push(...(await this.sendSplittingOnGas(chunk, (part) => this.write(contract, 'mintBatchWithURIs', [to, part[0]!.id, part.map((p) => p.uri)], opts))))
      }
    } else {
      const prefix = uri ?? ''
      const chunks = chunkByGas(ids, () => ERC721_MINT_GAS)
      for (const chunk of chunks) {
        txs.push(...(await this.sendSplittingOnGas(chunk, (part) => this.write(contract, 'mintBatch', [to, part[0]!, BigInt(part.length), prefix], opts))))
      }
    }
    return { txs, tokenIds: ids }
  }

  /** Sends `items` in one transaction, or in halves (recursively) if estimation hits the gas cap. */
  private async sendSplittingOnGas<T>(items: T[], send: (part: T[]) => Promise<TxResult>): Promise<TxResult[]> {
    try {
      return [await send(items)]
    } catch (err) {
      if (items.length < 2 || !isGasError(err)) throw err
      const mid = Math.ceil(items.length / 2)
      return [...(await this.sendSplittingOnGas(items.slice(0, mid), send)), ...(await this.sendSplittingOnGas(items.slice(mid), send))]
    }
  }

  transferErc721(contract: ContractHandle, from: Address, to: Address, tokenId: bigint): Promise<TxResult> {
    return this.write(contract, 'transferFrom', [from, to, tokenId], { from })
  }

  /** Burns as the token's current owner unless `opts.from` is given. */
  async burnErc721(contract: ContractHandle, tokenId: bigint, opts: TxOptions = {}): Promise<TxResult> {
    const from = opts.from ?? (await this.read<Address>(contract, 'ownerOf', [tokenId]))
    return this.write(contract, 'burn', [tokenId], { from })
  }

  /** Stores a per-token URI (emits ERC-4906 MetadataUpdate). */
  setTokenURI(contract: ContractHandle, tokenId: bigint, uri: string, opts: TxOptions = {}): Promise<TxResult> {
    return this.write(contract, 'setTokenURI', [tokenId, uri], opts)
  }

  /** ERC-4906 MetadataUpdate(tokenId) without a URI change. */
  emitMetadataUpdate(contract: ContractHandle, tokenId: bigint, opts: TxOptions = {}): Promise<TxResult> {
    return this.write(contract, 'emitMetadataUpdate', [tokenId], opts)
  }

  /** ERC-4906 BatchMetadataUpdate(fromTokenId, toTokenId). */
  emitBatchMetadataUpdate(contract: ContractHandle, fromTokenId: bigint, toTokenId: bigint, opts: TxOptions = {}): Promise<TxResult> {
    return this.write(contract, 'emitBatchMetadataUpdate', [fromTokenId, toTokenId], opts)
  }

  /** ERC-7572 (TestERC721, TestERC1155): stores the URI and emits ContractURIUpdated(). */
  setContractURI(contract: ContractHandle, uri: string, opts: TxOptions = {}): Promise<TxResult> {
    return this.write(contract, 'setContractURI', [uri], opts)
  }

  // ---------------------------------------------------------------- ERC-1155

  /**
   * Mints `amounts[i]` of `ids[i]` to `to`: one id -> `mint` (TransferSingle), several -> `mintBatch`
   * (TransferBatch), split into several transactions under the gas cap.
   */
  async mintErc1155(contract: ContractHandle, to: Address, ids: readonly bigint[], amounts: readonly bigint[], opts: TxOptions = {}): Promise<BatchResult> {
    if (ids.length !== amounts.length) throw new Error('ids and amounts differ in length')
    const items = ids.map((id, i) => ({ id, amount: amounts[i] as bigint }))
    const txs: TxResult[] = []
    for (const chunk of chunkByGas(items, () => ERC1155_MINT_GAS_PER_ID)) {
      txs.push(
        ...(await this.sendSplittingOnGas(chunk, (part) =>
          part.length === 1
            ? this.write(contract, 'mint', [to, part[0]!.id, part[0]!.amount], opts)
            : this.write(contract, 'mintBatch', [to, part.map((p) => p.id), part.map((p) => p.amount)], opts),
        )),
      )
    }
    return { txs, tokenIds: [...ids] }
  }

  /** safeTransferFrom (TransferSingle), sent by `from`. */
  transferErc1155(contract: ContractHandle, from: Address, to: Address, id: bigint, amount: bigint): Promise<TxResult> {
    return this.write(contract, 'safeTransferFrom', [from, to, id, amount, '0x'], { from })
  }

  /** safeBatchTransferFrom (TransferBatch), sent by `from`. */
  transferErc1155Batch(contract: ContractHandle, from: Address, to: Address, ids: readonly bigint[], amounts: readonly bigint[]): Promise<TxResult> {
    return this.write(contract, 'safeBatchTransferFrom', [from, to, ids, amounts, '0x'], { from })
  }

  /** Burns `amount` of `id` held by `from` (sent by `from`). */
  burnErc1155(contract: ContractHandle, from: Address, id: bigint, amount: bigint): Promise<TxResult> {
    return this.write(contract, 'burn', [from, id, amount], { from })
  }

  /** Stores a URI for one id; emits URI(value, id). */
  setUri1155(contract: ContractHandle, id: bigint, uri: string, opts: TxOptions = {}): Promise<TxResult> {
    return this.write(contract, 'setURI', [id, uri], opts)
  }

  // ---------------------------------------------------------------- ERC-20

  mintErc20(contract: ContractHandle, to: Address, amount: bigint, opts: TxOptions = {}): Promise<TxResult> {
    return this.write(contract, 'mint', [to, amount], opts)
  }

  transferErc20(contract: ContractHandle, from: Address, to: Address, amount: bigint): Promise<TxResult> {
    return this.write(contract, 'transfer', [to, amount], { from })
  }

  burnErc20(contract: ContractHandle, from: Address, amount: bigint): Promise<TxResult> {
    return this.write(contract, 'burn', [amount], { from })
  }

  // ---------------------------------------------------------------- chain control

  async blockNumber(): Promise<bigint> {
    return BigInt(await this.rpc<Hex>('eth_blockNumber'))
  }

  async getBlock(number: bigint | 'latest'): Promise<BlockRef> {
    const b = await this.client.getBlock(number === 'latest' ? { blockTag: 'latest' } : { blockNumber: number })
    return toBlockRef(b)
  }

  /**
   * Mines `n` empty blocks with repeated `evm_mine` (never `hardhat_mine` with a count above 1:
   * Hardhat gives those blocks a zero parentHash, which breaks Subsquid). Returns the new head.
   * `timestamp` (seconds) applies to the first block only.
   */
  mine(n = 1, opts: { timestamp?: bigint } = {}): Promise<bigint> {
    return this.serial(async () => {
      for (let i = 0; i < n; i++) {
        await this.rpc('evm_mine', i === 0 && opts.timestamp !== undefined ? [Number(opts.timestamp)] : [])
      }
      return BigInt(await this.rpc<Hex>('eth_blockNumber'))
    })
  }

  /** Moves the clock for the next blocks forward by `seconds`. */
  async increaseTime(seconds: number): Promise<void> {
    await this.rpc('evm_increaseTime', [seconds])
  }

  /** evm_snapshot. Hardhat snapshots are single use: reverting consumes it (and later ones). */
  snapshot(): Promise<Hex> {
    return this.serial(() => this.rpc<Hex>('evm_snapshot'))
  }

  /** evm_revert to a snapshot; throws if the snapshot is unknown or already used. */
  revert(id: Hex): Promise<void> {
    return this.serial(async () => {
      const ok = await this.rpc<boolean>('evm_revert', [id])
      if (!ok) throw new Error(`evm_revert ${id} failed (unknown or already used snapshot)`)
    })
  }

  /**
   * Starts a side branch: takes a snapshot at the current head. Whatever happens next (mints,
   * mined blocks, an indexer catching up) is orphaned by `fork.reorg()`.
   */
  async fork(): Promise<Fork> {
    const forkPoint = await this.getBlock('latest')
    const snap = await this.snapshot()
    let used = false
    return {
      forkPoint,
      reorg: async (opts = {}) => {
        if (used) throw new Error('fork already reorged')
        used = true
        const head = await this.getBlock('latest')
        const orphaned: BlockRef[] = []
        for (let n = forkPoint.number + 1n; n <= head.number; n++) orphaned.push(await this.getBlock(n))
        await this.revert(snap)
        const extra = opts.extraBlocks ?? 1
        if (extra < 1) throw new Error('extraBlocks must be at least 1 (the new branch must be longer)')
        const latestOrphanTs = orphaned.reduce((t, b) => (b.timestamp > t ? b.timestamp : t), forkPoint.timestamp)
        await this.mine(orphaned.length + extra, { timestamp: latestOrphanTs + 1n })
        const replacement: BlockRef[] = []
        const newHead = await this.blockNumber()
        for (let n = forkPoint.number + 1n; n <= newHead; n++) replacement.push(await this.getBlock(n))
        return { forkPoint, orphaned, replacement, head: replacement[replacement.length - 1] ?? forkPoint }
      },
    }
  }

  /**
   * Snapshot, run `action` (its blocks become the orphaned branch), revert, then mine a longer
   * branch of empty blocks.
   */
  async reorg<T>(action: () => Promise<T>, opts: { extraBlocks?: number } = {}): Promise<ReorgResult & { result: T }> {
    const f = await this.fork()
    const result = await action()
    return { ...(await f.reorg(opts)), result }
  }

  // ---------------------------------------------------------------- logs

  /** eth_getLogs over a block range (all addresses unless given). */
  getLogs(filter: { fromBlock: bigint; toBlock?: bigint; address?: Address | Address[]; topics?: (Hex | Hex[] | null)[] }): Promise<RpcLog[]> {
    const params: Record<string, unknown> = {
      fromBlock: numberToHex(filter.fromBlock),
      toBlock: filter.toBlock === undefined ? 'latest' : numberToHex(filter.toBlock),
    }
    if (filter.address) params.address = filter.address
    if (filter.topics) params.topics = filter.topics
    return this.rpc<RpcLog[]>('eth_getLogs', [params])
  }

  /** Decodes a log with a compiled contract's ABI (viem), e.g. to inspect test fixtures. */
  decodeLog(name: ContractName | string, log: { topics: Hex[]; data: Hex }): { eventName: string; args: unknown } {
    const compiled = this.contracts[name]
    if (!compiled) throw new Error(`unknown contract ${name}`)
    const { eventName, args } = decodeEventLog({ abi: compiled.abi, topics: log.topics as [Hex, ...Hex[]], data: log.data })
    return { eventName: String(eventName), args }
  }
}

/** A log as eth_getLogs returns it (hex quantities), the shape Subsquid decoders take. */
export interface RpcLog {
  address: Hex
  topics: Hex[]
  data: Hex
  blockNumber: Hex
  blockHash: Hex
  transactionHash: Hex
  transactionIndex: Hex
  logIndex: Hex
  removed?: boolean
}

/** Connects a driver to a node (see ChainDriver.connect). */
export function createChainDriver(endpoint: ChainEndpoint, contracts?: CompiledContracts): Promise<ChainDriver> {
  return ChainDriver.connect(endpoint, contracts)
}
