/**
 * A local Stacks chain for tests and `npm run dev`: a clarinet-sdk simnet (offline, in-process
 * WASM Clarity VM) with the sample SIP-009/010/013 and SIP-019 contracts deployed, behind an HTTP
 * facade that answers the Stacks API routes the indexer uses, in the real API's JSON shapes.
 *
 * The simnet executes transactions; this module records what each block contained (hashes, tx ids,
 * translated events) because simnet itself keeps no block history.
 *
 * Forks: simnet cannot rewind its state. `fork(depth)` therefore opens a fresh simnet session and
 * replays the transactions of the canonical blocks below the fork point (checking each replayed
 * result against the recorded one), so contract state, read-only calls and the API view all agree
 * that the orphaned transactions never happened. The orphaned blocks stay reachable by hash with
 * `canonical: false`. Cost: one session start (~0.2-0.6 s) plus ~0.5 ms per replayed transaction.
 *
 * Control methods are serialized (one at a time); HTTP reads are served between them.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { getSDK, type ClarityEvent, type ParsedTransactionResult, type Simnet, type Tx } from '@stacks/clarinet-sdk'
import { Cl, ClarityType, type ClarityValue } from '@stacks/transactions'
import { packageRoot } from '../../src/lib/packageRoot'
import { clarityTypeSignature, type ApiTxEvent, type ContractInterface } from '../../src/chains/stacks/apiTypes'
import { toHexRepr } from '../../src/chains/stacks/clarity'
import { apiEventFromSimnet, hexRepr, SIM_NETWORK_ID } from './apiShapes'
import { ObserverFeed } from './observerFeed'
import { startHttpFacade, type CallReadOutcome, type FaultController, type HttpFacade, type RequestRecord } from './httpFacade'
import { SimChain, ZERO_HASH, type SimBlockOp, type SimBlockRecord, type SimContractCall, type SimTxRecord, type SimTxSpec } from './simChain'

export type { FaultController, FaultRule, RequestRecord } from './httpFacade'
export type { SimTxSpec } from './simChain'

/** Clarinet's default devnet accounts (same addresses as a `clarinet new` project's Devnet.toml). */
export const DEVNET_ACCOUNTS = {
  deployer: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM',
  wallet_1: 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5',
  wallet_2: 'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG',
  wallet_3: 'ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC',
  wallet_4: 'ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND',
  wallet_5: 'ST2REHHS5J3CERCRBEPMGH7921Q6PYKAADT7JP2VB',
  wallet_6: 'ST3AM1A56AK2C1XAFJ4115ZSV26EB49BVQ10MGCS0',
  wallet_7: 'ST3PF13W7Z0RRM42A8VZRVFQ75SV1K26RXEP8YGKJ',
  wallet_8: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
  faucet: 'STNHKEPYEPJ8ET55ZZ0M5A34J0R3N5FM2CMMMAZ6',
} as const
export type DevnetAccountName = keyof typeof DEVNET_ACCOUNTS

/** CAIP-2 id of the simulated network (testnet-style `ST…` addresses). */
export const SIMULATOR_CHAIN_ID = `stacks:${SIM_NETWORK_ID}`

/** The bundled contracts, deployed in this order (traits first) by the deployer in block 2. */
export const SAMPLE_CONTRACTS = {
  nftTrait: 'nft-trait',
  ftTrait: 'sip-010-trait-ft-standard',
  sftTrait: 'sip013-semi-fungible-token-trait',
  /** SIP-009, ids from u0, URI template with `{id}` */
  nft: 'sample-nft',
  /** SIP-010, 6 decimals */
  ft: 'sample-ft',
  /** SIP-010, 0 decimals */
  zeroDecimalsFt: 'points-ft',
  /** SIP-013 with sft_mint / sft_transfer / sft_burn prints */
  sft: 'sample-sft',
  /** third-party SIP-019 notifier */
  stranger: 'metadata-stranger',
} as const
export type SampleContractName = keyof typeof SAMPLE_CONTRACTS

const EPOCH = '3.3'
/** Clarity 3: what SIP-era mainnet contracts are written in (`as-contract`, no Clarity 4 builtins). */
const DEFAULT_CLARITY_VERSION = 3
const STX_PER_ACCOUNT = 100_000_000_000_000n
/** Simnet's block spacing when a run of empty blocks is mined in one call (seconds). */
const EMPTY_BLOCK_SPACING = 10

export interface StartStacksSimulatorOptions {
  /** HTTP port on 127.0.0.1; 0 (default) picks a free one */
  port?: number
  /** deploy the bundled sample contracts in block 2 (default true) */
  deploySamples?: boolean
  /** where the bundled `.clar` files live (default `<repo>/contracts/stacks`) */
  contractsDir?: string
}

export interface SimTxResult {
  txId: string
  blockHeight: number
  indexBlockHash: string
  status: 'success' | 'abort_by_response'
  result: ClarityValue
  /** runtime error text when the transaction aborted with one */
  vmError: string | null
  /** the events as the API serves them */
  events: ApiTxEvent[]
}

export interface SimBlockResult {
  height: number
  hash: string
  indexBlockHash: string
  txs: SimTxResult[]
}

export interface ForkResult {
  /** blocks taken off the canonical chain, lowest first */
  orphaned: { height: number; indexBlockHash: string; txIds: string[] }[]
  /** the canonical tip after the replacement blocks */
  tip: { height: number; indexBlockHash: string }
}

export interface StacksSimulator {
  /** base URL of the HTTP facade, e.g. `http://127.0.0.1:41234` */
  readonly url: string
  readonly chainId: string
  readonly accounts: typeof DEVNET_ACCOUNTS
  /** full contract ids of the bundled contracts (deployed unless `deploySamples: false`) */
  readonly contracts: { readonly [K in SampleContractName]: string }
  readonly faults: FaultController
  /** recent HTTP requests served (capped at 10,000), oldest first */
  readonly requests: readonly RequestRecord[]
  /** canonical tip */
  tip(): { height: number; hash: string; indexBlockHash: string }

  /** Deploy a contract in its own block; `sender` defaults to the deployer. */
  deploy(name: string, source: string, sender?: string, opts?: { clarityVersion?: number }): Promise<SimTxResult>
  /**
   * Call a public function in its own block. `contract` is `ADDR.name` or a bare name (deployer's).
   * An `(err …)` result is mined as `abort_by_response`; a runtime error (or an ill-typed
   * argument) is mined as `abort_by_response` with `vmError`; a call a mempool would refuse
   * (unknown contract or function, not public, wrong argument count) throws and mines nothing.
   */
  call(contract: string, fn: string, args: ClarityValue[], sender: string): Promise<SimTxResult>
  transferStx(amount: bigint, recipient: string, sender: string): Promise<SimTxResult>
  /**
   * Several transactions in one block, in order. If simnet raises a runtime error for any of them
   * the block is not kept: the simulator rewinds (by replay) and the promise rejects.
   */
  mineBlock(txs: SimTxSpec[]): Promise<SimBlockResult>
  /** Empty blocks; `burn: true` starts a new burn block (tenure) with each. Returns the new tip height. */
  mineEmptyBlocks(count: number, opts?: { burn?: boolean }): Promise<number>
  /**
   * Orphan the last `depth` blocks and build a replacement branch: `build` (optional) mines what the
   * new branch should contain, then empty blocks are added until the new branch is one block
   * higher than the orphaned tip (the longer branch wins, so a poller watching heights notices).
   * If `build` throws, the fork stays as far as `build` got (no padding) and the error propagates.
   */
  fork(depth: number, build?: (sim: StacksSimulator) => Promise<void> | void): Promise<ForkResult>
  /** Read-only call against the current tip, without HTTP. */
  readOnly(contract: string, fn: string, args: ClarityValue[], sender?: string): Promise<ClarityValue>
  /**
   * Posts every block, those already mined first, to an event observer (`[[events_observer]]`)
   * as a stacks-node does (observerFeed.ts), retrying each until it is accepted; `onError` hears
   * the first failure of each outage. Returns a promise of the blocks mined so far being accepted.
   */
  observe(url: string, onError?: (err: unknown) => void): Promise<void>
  stop(): Promise<void>
}

/** Builders for `mineBlock`. */
export const simTx = {
  call: (contract: string, fn: string, args: ClarityValue[], sender: string): SimTxSpec => ({
    type: 'call',
    contract,
    fn,
    args,
    sender,
  }),
  deploy: (name: string, source: string, sender: string, clarityVersion = DEFAULT_CLARITY_VERSION): SimTxSpec => ({
    type: 'deploy',
    name,
    source,
    sender,
    clarityVersion,
  }),
  stx: (amount: bigint, recipient: string, sender: string): SimTxSpec => ({ type: 'stx', amount, recipient, sender }),
}

export class SimulatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SimulatorError'
  }
}

export async function startStacksSimulator(opts: StartStacksSimulatorOptions = {}): Promise<StacksSimulator> {
  const sim = new Simulator()
  await sim.init(opts.deploySamples ?? true, opts.contractsDir ?? defaultContractsDir())
  await sim.listen(opts.port ?? 0)
  return sim
}

function defaultContractsDir(): string {
  return resolve(packageRoot(), 'contracts/stacks')
}

// ---------------------------------------------------------------------------------------------

interface TxOutcome {
  status: 'success' | 'abort_by_response'
  result: ClarityValue
  events: ClarityEvent[]
  vmError: string | null
}

const sha256 = (...parts: (string | number)[]): string => '0x' + createHash('sha256').update(parts.join('|')).digest('hex')

class Simulator implements StacksSimulator {
  readonly chainId = SIMULATOR_CHAIN_ID
  readonly accounts = DEVNET_ACCOUNTS
  readonly contracts = Object.fromEntries(Object.entries(SAMPLE_CONTRACTS).map(([k, name]) => [k, `${DEVNET_ACCOUNTS.deployer}.${name}`])) as {
    readonly [K in SampleContractName]: string
  }

  private simnet!: Simnet
  private http?: HttpFacade
  private readonly chain = new SimChain()
  private interfaces = new Map<string, ContractInterface>()
  private readonly burnBlocks = new Map<number, { hash: string; time: number }>()
  /** never reused: keeps block hashes and tx ids unique across forks */
  private seq = 0
  private queue: Promise<unknown> = Promise.resolve()
  private feed?: ObserverFeed

  get url(): string {
    if (!this.http) throw new SimulatorError('the simulator is not listening')
    return this.http.url
  }

  get faults(): FaultController {
    if (!this.http) throw new SimulatorError('the simulator is not listening')
    return this.http.faults
  }

  get requests(): readonly RequestRecord[] {
    return this.http?.requests ?? []
  }

  async init(deploySamples: boolean, contractsDir: string): Promise<void> {
    this.simnet = await openSession()
    this.appendBlocks({ kind: 'genesis' }, [])
    if (deploySamples) {
      const specs = Object.values(SAMPLE_CONTRACTS).map((name) => simTx.deploy(name, readFileSync(join(contractsDir, `${name}.clar`), 'utf8'), DEVNET_ACCOUNTS.deployer))
      await this.mineBlock(specs)
    }
  }

  async listen(port: number): Promise<void> {
    this.http = await startHttpFacade(
      {
        chain: this.chain,
        contractInterface: (id) => this.interfaces.get(id),
        readOnly: (id, fn, args, sender) => this.readOnlyNow(id, fn, args, sender),
      },
      port,
    )
  }

  tip(): { height: number; hash: string; indexBlockHash: string } {
    const t = this.chain.tip
    return { height: t.height, hash: t.hash, indexBlockHash: t.indexBlockHash }
  }

  deploy(name: string, source: string, sender: string = DEVNET_ACCOUNTS.deployer, opts: { clarityVersion?: number } = {}): Promise<SimTxResult> {
    return this.single(simTx.deploy(name, source, sender, opts.clarityVersion ?? DEFAULT_CLARITY_VERSION))
  }

  call(contract: string, fn: string, args: ClarityValue[], sender: string): Promise<SimTxResult> {
    return this.single(simTx.call(contract, fn, args, sender))
  }

  transferStx(amount: bigint, recipient: string, sender: string): Promise<SimTxResult> {
    return this.single(simTx.stx(amount, recipient, sender))
  }

  mineBlock(txs: SimTxSpec[]): Promise<SimBlockResult> {
    return this.exclusive(async () => {
      if (txs.length === 0) throw new SimulatorError('mineBlock needs at least one transaction (use mineEmptyBlocks)')
      const specs = txs.map((t) => this.resolveSpec(t))
      const deployedHere = new Set(specs.flatMap((t) => (t.type === 'deploy' ? [`${t.sender}.${t.name}`] : [])))
      for (const spec of specs) if (spec.type !== 'call' || !deployedHere.has(spec.contract)) this.admit(spec)
      const before = this.simnet.stacksBlockHeight
      let outcomes: TxOutcome[]
      try {
        outcomes = runBlock(this.simnet, specs)
      } catch (e) {
        if (this.simnet.stacksBlockHeight !== before) {
          // simnet mined a block but lost the per-transaction results: rewind by replay
          await this.rebuild(this.chain.height)
        }
        throw new SimulatorError(`mineBlock failed, nothing was mined: ${errorText(e)}`, { cause: e })
      }
      const block = this.appendBlocks({ kind: 'txs', single: false }, specs, outcomes)
      return blockResult(block)
    })
  }

  mineEmptyBlocks(count: number, opts: { burn?: boolean } = {}): Promise<number> {
    return this.exclusive(async () => {
      if (!Number.isInteger(count) || count < 1) throw new SimulatorError('mineEmptyBlocks needs a count >= 1')
      const burn = opts.burn ?? false
      mineEmpty(this.simnet, count, burn)
      this.appendBlocks({ kind: 'empty', burn }, [])
      return this.chain.height
    })
  }

  async fork(depth: number, build?: (sim: StacksSimulator) => Promise<void> | void): Promise<ForkResult> {
    const { orphaned, oldTip } = await this.exclusive(async () => {
      const oldTip = this.chain.height
      if (!Number.isInteger(depth) || depth < 1 || depth > oldTip - 1) {
        throw new SimulatorError(`fork depth must be between 1 and ${oldTip - 1} (tip ${oldTip})`)
      }
      const orphaned = await this.rebuild(oldTip - depth)
      return { orphaned, oldTip }
    })
    if (build) await build(this)
    await this.exclusive(async () => {
      const missing = oldTip + 1 - this.chain.height
      if (missing > 0) {
        mineEmpty(this.simnet, missing, false)
        this.appendBlocks({ kind: 'empty', burn: false }, [])
      }
    })
    const tip = this.chain.tip
    return {
      orphaned: orphaned.map((b) => ({
        height: b.height,
        indexBlockHash: b.indexBlockHash,
        txIds: b.txs.map((t) => t.txId),
      })),
      tip: { height: tip.height, indexBlockHash: tip.indexBlockHash },
    }
  }

  async readOnly(contract: string, fn: string, args: ClarityValue[], sender: string = DEVNET_ACCOUNTS.deployer): Promise<ClarityValue> {
    const outcome = this.readOnlyNow(this.resolveContract(contract), fn, args, sender)
    if (!outcome.okay) throw new SimulatorError(`read-only call failed: ${outcome.cause}`)
    return outcome.result
  }

  async observe(url: string, onError?: (err: unknown) => void): Promise<void> {
    const feed = await this.exclusive(async () => {
      this.feed?.stop()
      this.feed = new ObserverFeed(url, onError)
      for (const block of this.chain.range(1, this.chain.height)) this.feed.send(block, this.interfaces)
      return this.feed
    })
    await feed.drained()
  }

  async stop(): Promise<void> {
    await this.queue.catch(() => undefined)
    this.feed?.stop()
    await this.http?.close()
    this.http = undefined
  }

  // -------------------------------------------------------------------------------------------

  private single(spec: SimTxSpec): Promise<SimTxResult> {
    return this.exclusive(async () => {
      const resolved = this.resolveSpec(spec)
      this.admit(resolved)
      const outcome = runSingle(this.simnet, resolved)
      const block = this.appendBlocks({ kind: 'txs', single: true }, [resolved], [outcome])
      const tx = blockResult(block).txs[0]
      if (!tx) throw new SimulatorError('internal: mined block has no transaction')
      return tx
    })
  }

  /** Runs control operations one at a time, in call order. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  private resolveContract(contract: string): string {
    return contract.includes('.') ? contract : `${DEVNET_ACCOUNTS.deployer}.${contract}`
  }

  private resolveSpec(spec: SimTxSpec): SimTxSpec {
    return spec.type === 'call' ? { ...spec, contract: this.resolveContract(spec.contract) } : spec
  }

  /**
   * The static checks a node's mempool makes before accepting a contract call (simnet would mine
   * the call and fail it): the contract exists, the function is public, the argument count fits.
   */
  private admit(spec: SimTxSpec): void {
    if (spec.type !== 'call') return
    const fn = this.interfaces.get(spec.contract)?.functions.find((f) => f.name === spec.fn)
    const problem = !this.interfaces.has(spec.contract)
      ? `no contract ${spec.contract}`
      : !fn
        ? `no function ${spec.fn} in ${spec.contract}`
        : fn.access !== 'public'
          ? `${spec.contract}::${spec.fn} is not public`
          : fn.args.length !== spec.args.length
            ? `${spec.contract}::${spec.fn} takes ${fn.args.length} arguments, got ${spec.args.length}`
            : undefined
    if (problem) throw new SimulatorError(`the transaction was refused (not mined): ${problem}`)
  }

  private readOnlyNow(contractId: string, fn: string, args: ClarityValue[], sender: string): CallReadOutcome {
    try {
      const r = quietly(() => this.simnet.callReadOnlyFn(contractId, fn, args as never, sender))
      return { okay: true, result: r.result as ClarityValue }
    } catch (e) {
      return { okay: false, cause: errorText(e) }
    }
  }

  /**
   * Records the block(s) simnet just mined. For `txs` ops there is one block holding `specs`;
   * for `empty` ops, as many blocks as simnet advanced.
   */
  private appendBlocks(op: SimBlockOp, specs: SimTxSpec[], outcomes: TxOutcome[] = []): SimBlockRecord {
    const target = this.simnet.stacksBlockHeight
    const count = op.kind === 'genesis' ? 1 : target - this.chain.height
    if (count < 1 || (op.kind === 'txs' && count !== 1)) {
      throw new SimulatorError(`internal: simnet is at height ${target}, the record at ${this.chain.height}`)
    }
    if (op.kind === 'txs' || op.kind === 'genesis') {
      // a deployment changes the set of interfaces; the interface also names call arguments
      if (specs.some((s) => s.type === 'deploy')) this.refreshInterfaces()
    }
    const tipTime = Number(this.simnet.getBlockTime())
    const tipBurn = this.simnet.burnBlockHeight
    let last: SimBlockRecord | undefined
    for (let i = 0; i < count; i++) {
      const parent = this.chain.height > 0 ? this.chain.tip : undefined
      const height = (parent?.height ?? 0) + 1
      const fromTip = count - 1 - i
      const time = Math.max(parent?.time ?? 0, tipTime - fromTip * EMPTY_BLOCK_SPACING)
      const burnHeight = op.kind === 'empty' && op.burn ? tipBurn - fromTip : tipBurn
      const burn = this.burnBlock(burnHeight, time)
      const seq = ++this.seq
      const hash = sha256('block', seq, height, parent?.indexBlockHash ?? ZERO_HASH)
      const block: SimBlockRecord = {
        height,
        hash,
        indexBlockHash: sha256('index-block', hash, burn.hash),
        parentBlockHash: parent?.hash ?? ZERO_HASH,
        parentIndexBlockHash: parent?.indexBlockHash ?? ZERO_HASH,
        time,
        burnHeight,
        burnHash: burn.hash,
        burnTime: burn.time,
        tenureHeight: burnHeight,
        minerTxid: sha256('miner', seq),
        canonical: true,
        txs: [],
        op,
      }
      if (op.kind === 'txs') block.txs = specs.map((spec, index) => this.txRecord(spec, index, outcomes[index]))
      this.chain.append(block)
      this.feed?.send(block, this.interfaces)
      last = block
    }
    if (!last) throw new SimulatorError('internal: no block recorded')
    return last
  }

  private burnBlock(height: number, time: number): { hash: string; time: number } {
    let burn = this.burnBlocks.get(height)
    if (!burn) {
      burn = { hash: sha256('burn-block', height, ++this.seq), time }
      this.burnBlocks.set(height, burn)
    }
    return burn
  }

  private txRecord(spec: SimTxSpec, index: number, outcome: TxOutcome | undefined): SimTxRecord {
    if (!outcome) throw new SimulatorError('internal: transaction without outcome')
    const sender = spec.sender
    const txId = sha256('tx', ++this.seq, spec.type, sender)
    const events: ApiTxEvent[] = []
    for (const e of outcome.events) {
      const api = apiEventFromSimnet(e, txId, events.length)
      if (api) events.push(api)
    }
    const record: SimTxRecord = {
      txId,
      index,
      nonce: this.chain.nextNonce(sender),
      sender,
      spec,
      status: outcome.status,
      result: hexRepr(outcome.result),
      vmError: outcome.vmError,
      events,
    }
    if (spec.type === 'call') record.call = this.contractCall(spec.contract, spec.fn, spec.args)
    else if (spec.type === 'deploy') {
      record.deploy = { contractId: `${sender}.${spec.name}`, sourceCode: spec.source, clarityVersion: spec.clarityVersion }
    } else record.stx = { recipient: spec.recipient, amount: spec.amount.toString() }
    // a chain does not include a transaction twice in one block: make the record's nonce unique
    return record
  }

  private contractCall(contractId: string, fn: string, args: ClarityValue[]): SimContractCall {
    const def = this.interfaces.get(contractId)?.functions.find((f) => f.name === fn)
    const argTypes = def?.args ?? []
    const signature = def
      ? `(define-${def.access === 'read_only' ? 'read-only' : def.access} (${fn}${def.args.map((a) => ` (${a.name} ${clarityTypeSignature(a.type)})`).join('')}))`
      : ''
    return {
      contractId,
      functionName: fn,
      functionSignature: signature,
      functionArgs: args.map((cv, i) => ({
        ...toHexRepr(cv),
        name: argTypes[i]?.name ?? `arg${i}`,
        type: argTypes[i] ? clarityTypeSignature(argTypes[i].type) : '',
      })),
    }
  }

  private refreshInterfaces(): void {
    this.interfaces = new Map([...this.simnet.getContractsInterfaces().entries()].map(([id, abi]) => [id, abi as unknown as ContractInterface]))
  }

  /**
   * Makes `height` the canonical tip: orphans the blocks above it, then opens a new simnet session
   * and replays the canonical blocks 2..height into it. Returns the orphaned blocks.
   */
  private async rebuild(height: number): Promise<SimBlockRecord[]> {
    // open the session first: from here on everything is synchronous, so HTTP requests see either
    // the old chain with the old state or the new chain with the new state
    const simnet = await openSession()
    const orphaned = this.chain.orphanAbove(height)
    const base = this.chain.tip
    for (const burnHeight of [...this.burnBlocks.keys()]) {
      if (burnHeight > base.burnHeight) this.burnBlocks.delete(burnHeight)
    }
    const blocks = this.chain.range(2, height)
    for (let i = 0; i < blocks.length;) {
      const block = blocks[i] as SimBlockRecord
      if (block.op.kind === 'empty') {
        const burn = block.op.burn
        let run = 1
        while (i + run < blocks.length) {
          const next = blocks[i + run] as SimBlockRecord
          if (next.op.kind !== 'empty' || next.op.burn !== burn) break
          run++
        }
        mineEmpty(simnet, run, burn)
        i += run
      } else {
        const specs = block.txs.map((t) => t.spec)
        const outcomes = block.op.kind === 'txs' && block.op.single ? [runSingle(simnet, specs[0] as SimTxSpec)] : runBlock(simnet, specs)
        outcomes.forEach((o, j) => {
          const recorded = block.txs[j]
          if (!recorded || hexRepr(o.result).hex !== recorded.result.hex || o.status !== recorded.status) {
            throw new SimulatorError(`replay diverged at block ${block.height}, transaction ${j}`)
          }
        })
        i += 1
      }
      const done = blocks[i - 1] as SimBlockRecord
      if (simnet.stacksBlockHeight !== done.height) {
        throw new SimulatorError(`replay diverged: simnet at ${simnet.stacksBlockHeight}, expected ${done.height}`)
      }
    }
    // the previous session's WASM memory is released by its FinalizationRegistry once unreachable
    // (calling free() through clarinet-sdk's Proxy would leave that registration behind: double free)
    this.simnet = simnet
    this.refreshInterfaces()
    return orphaned
  }
}

function blockResult(block: SimBlockRecord): SimBlockResult {
  return {
    height: block.height,
    hash: block.hash,
    indexBlockHash: block.indexBlockHash,
    txs: block.txs.map((t) => ({
      txId: t.txId,
      blockHeight: block.height,
      indexBlockHash: block.indexBlockHash,
      status: t.status,
      result: Cl.deserialize(t.result.hex),
      vmError: t.vmError,
      events: t.events,
    })),
  }
}

async function openSession(): Promise<Simnet> {
  // a new SDK instance per session: the WASM module is compiled once per process by clarinet-sdk
  const simnet = await getSDK()
  await simnet.initEmptySession(null)
  simnet.setEpoch(EPOCH)
  for (const address of Object.values(DEVNET_ACCOUNTS)) simnet.mintSTX(address, STX_PER_ACCOUNT)
  return simnet
}

function mineEmpty(simnet: Simnet, count: number, burn: boolean): void {
  if (burn) simnet.mineEmptyBlocks(count)
  else simnet.mineEmptyStacksBlocks(count)
}

function outcomeOf(spec: SimTxSpec, r: ParsedTransactionResult): TxOutcome {
  const result = r.result as ClarityValue
  // a deployment answers `true`; calls and STX transfers answer a response
  const failed = spec.type !== 'deploy' && result.type === ClarityType.ResponseErr
  return { status: failed ? 'abort_by_response' : 'success', result, events: r.events, vmError: null }
}

/** One transaction in its own block. Throws only when simnet refused it without mining. */
function runSingle(simnet: Simnet, spec: SimTxSpec): TxOutcome {
  const before = simnet.stacksBlockHeight
  try {
    const r = quietly(() => {
      switch (spec.type) {
        case 'call':
          return simnet.callPublicFn(spec.contract, spec.fn, spec.args as never, spec.sender)
        case 'deploy':
          return simnet.deployContract(spec.name, spec.source, { clarityVersion: spec.clarityVersion as never }, spec.sender)
        case 'stx':
          return simnet.transferSTX(spec.amount, spec.recipient, spec.sender)
      }
    })
    return outcomeOf(spec, r)
  } catch (e) {
    if (simnet.stacksBlockHeight === before + 1) {
      // mined and aborted: a runtime error rolls back the transaction's effects and events
      return { status: 'abort_by_response', result: Cl.none(), events: [], vmError: errorText(e) }
    }
    throw new SimulatorError(`simnet refused the transaction: ${errorText(e)}`, { cause: e })
  }
}

/** Several transactions in one block. Throws if any hits a runtime error (results are lost). */
function runBlock(simnet: Simnet, specs: SimTxSpec[]): TxOutcome[] {
  const txs: Tx[] = specs.map((spec) => {
    switch (spec.type) {
      case 'call':
        return { callPublicFn: { contract: spec.contract, method: spec.fn, args: spec.args as never, sender: spec.sender } }
      case 'deploy':
        return {
          deployContract: {
            name: spec.name,
            content: spec.source,
            options: { clarityVersion: spec.clarityVersion as never },
            sender: spec.sender,
          },
        }
      case 'stx':
        return { transferSTX: { amount: Number(spec.amount), recipient: spec.recipient, sender: spec.sender } }
    }
  })
  const results = quietly(() => simnet.mineBlock(txs))
  return results.map((r, i) => outcomeOf(specs[i] as SimTxSpec, r))
}

/**
 * Runs a synchronous simnet call with console output captured: simnet prints Clarity traces on
 * runtime errors, which would bury test output. The capture is returned in the thrown error.
 */
function quietly<T>(fn: () => T): T {
  const saved = { log: console.log, error: console.error, warn: console.warn }
  const captured: string[] = []
  const capture = (...args: unknown[]): void => {
    captured.push(args.map(String).join(' '))
  }
  console.log = capture
  console.error = capture
  console.warn = capture
  try {
    return fn()
  } catch (e) {
    if (e instanceof Error && captured.length > 0) {
      Object.assign(e, { simnetOutput: captured.join('\n') })
    }
    throw e
  } finally {
    console.log = saved.log
    console.error = saved.error
    console.warn = saved.warn
  }
}

function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  return text.split('\n')[0] ?? text
}
