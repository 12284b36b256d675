import type { StacksBlock, StacksBlockSource } from './blockSource'

export interface BlockRef {
  height: number
  hash: string
}

/** What the processor needs from Subsquid's TypeormDatabase (the same batch and rollback machinery as the EVM side). */
export interface HotDatabase<S> {
  connect(): Promise<BlockRef & { top: BlockRef[] }>
  transact(info: { prevHead: BlockRef; nextHead: BlockRef; isOnTop: boolean }, cb: (store: S) => Promise<void>): Promise<void>
  transactHot2(info: { finalizedHead: BlockRef; baseHead: BlockRef; newBlocks: BlockRef[] }, cb: (store: S, beg: number, end: number) => Promise<void>): Promise<void>
  disconnect(): Promise<void>
}

export type StacksBatchHandler<S> = (store: S, blocks: StacksBlock[], isHead: boolean) => Promise<void>

export interface StacksProcessorOptions {
  startHeight: number
  /** Blocks this deep under the tip are final; a fork deeper than this is fatal. */
  finality: number
  pollMs: number
  batchSize?: number
  fetchConcurrency?: number
  /** Called with every tip the block source reports (also while waiting at the head). */
  onTip?: (height: number) => void
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void
}

/** A block we know nothing about (the parent of the start height, when the API has no such block). */
const UNKNOWN = 'unknown'

/**
 * Walks canonical Stacks blocks by height and hands them to the handler in one database
 * transaction per batch, through Subsquid's TypeormDatabase: the checkpoint, the hot blocks near
 * the tip and their rollback are the same as the EVM processor's. Forks are detected by
 * `parent_index_block_hash`: the processor walks back to the last block it shares with the
 * canonical chain and rolls back everything above it in the same transaction as the new blocks.
 * API errors are retried with backoff, forever: the processor never stops on a flaky API, and
 * never writes part of a block.
 */
export class StacksProcessor<S> {
  private readonly batchSize: number
  private readonly fetchConcurrency: number

  constructor(
    private readonly source: StacksBlockSource,
    private readonly opts: StacksProcessorOptions,
  ) {
    this.batchSize = opts.batchSize ?? 50
    this.fetchConcurrency = opts.fetchConcurrency ?? 8
  }

  async run(db: HotDatabase<S>, handler: StacksBatchHandler<S>, signal: AbortSignal): Promise<void> {
    const state = await db.connect()
    let chain: BlockRef[] = [{ height: state.height, hash: state.hash }, ...state.top]
    let failures = 0
    while (!signal.aborted) {
      try {
        if (last(chain).height < this.opts.startHeight - 1) chain = [await this.moveToStart(db, last(chain))]
        const moved = await this.step(db, handler, chain)
        failures = 0
        if (moved) chain = moved
        else await sleep(this.opts.pollMs, signal)
      } catch (err) {
        if (err instanceof DeepForkError) throw err
        failures++
        this.opts.log?.('warn', 'stacks batch failed; retrying', { err: String(err), failures })
        await sleep(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)), signal)
      }
    }
    await db.disconnect()
  }

  /** Processes the next batch; returns the new chain of refs, or undefined when at the tip. */
  private async step(db: HotDatabase<S>, handler: StacksBatchHandler<S>, chain: BlockRef[]): Promise<BlockRef[] | undefined> {
    const tip = await this.source.getTip()
    this.opts.onTip?.(tip.height)
    const head = last(chain)
    if (tip.height === head.height && tip.indexBlockHash === head.hash) return undefined
    let base = head
    let blocks = tip.height > head.height ? await this.fetchRange(head.height + 1, Math.min(tip.height, head.height + this.batchSize)) : []
    if (blocks.length === 0 || !linksTo(blocks[0], head)) {
      base = await this.findBase(chain)
      if (base.hash === head.hash && tip.height <= head.height) return undefined
      this.opts.log?.('info', 'stacks fork detected', { from: head.height, base: base.height, tip: tip.height })
      blocks = await this.fetchRange(base.height + 1, Math.min(tip.height, base.height + this.batchSize))
      if (blocks.length === 0 || !linksTo(blocks[0], base)) throw new Error('the chain moved while fetching; retrying')
    }
    for (let i = 1; i < blocks.length; i++) {
      if (blocks[i].parentIndexBlockHash !== blocks[i - 1].indexBlockHash) throw new Error(`blocks ${blocks[i - 1].height} and ${blocks[i].height} do not link (a fork during the fetch); retrying`)
    }
    const refs = blocks.map((b) => ({ height: b.height, hash: b.indexBlockHash }))
    const kept = chain.slice(0, chain.findIndex((r) => r.height === base.height) + 1)
    const next = [...kept, ...refs]
    const finalHeight = Math.max(next[0].height, Math.min(tip.height - this.opts.finality, last(next).height))
    const finalizedHead = next.find((r) => r.height === finalHeight)!
    const atTip = last(refs).height >= tip.height
    await db.transactHot2({ finalizedHead, baseHead: base, newBlocks: refs }, (store, beg, end) =>
      handler(store, blocks.slice(beg, end), atTip && end === blocks.length),
    )
    return next.filter((r) => r.height >= finalHeight)
  }

  /** The highest block of ours that is still canonical. */
  private async findBase(chain: BlockRef[]): Promise<BlockRef> {
    for (let i = chain.length - 1; i >= 0; i--) {
      const ref = chain[i]
      if (ref.hash === UNKNOWN || ref.height < 0) return ref
      const header = await this.source.getBlock(ref.height)
      if (header?.indexBlockHash === ref.hash) return ref
    }
    throw new DeepForkError(`a fork deeper than the finality (${this.opts.finality} blocks) orphaned block ${chain[0].height}; re-index from scratch`)
  }

  private async moveToStart(db: HotDatabase<S>, head: BlockRef): Promise<BlockRef> {
    const height = this.opts.startHeight - 1
    const header = height >= 0 ? await this.source.getBlock(height) : undefined
    const next = { height, hash: header?.indexBlockHash ?? UNKNOWN }
    await db.transact({ prevHead: head, nextHead: next, isOnTop: false }, async () => {})
    return next
  }

  private async fetchRange(from: number, to: number): Promise<StacksBlock[]> {
    const heights = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
    const out: StacksBlock[] = new Array(heights.length)
    let next = 0
    const worker = async () => {
      while (next < heights.length) {
        const i = next++
        out[i] = await this.source.getBlockWithEvents(heights[i])
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.fetchConcurrency, heights.length) }, worker))
    return out
  }
}

export class DeepForkError extends Error {}

function linksTo(block: StacksBlock, parent: BlockRef): boolean {
  return parent.hash === UNKNOWN || parent.height < 0 || block.parentIndexBlockHash === parent.hash
}

function last<T>(xs: T[]): T {
  return xs[xs.length - 1]
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })
}
