import type { StacksBlock, StacksBlockSource, StacksTip } from './blockSource'
import { PrefetchWindow } from './prefetchWindow'

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
  /** most blocks handed to the database in one transaction; default 50 */
  batchSize?: number
  /** blocks fetched ahead of the one applied next (all in flight at once); default 32 */
  prefetchBlocks?: number
  /** Called with every tip the block source reports (also while waiting at the head). */
  onTip?: (height: number) => void
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void
}

/** A block we know nothing about (the parent of the start height, when the API has no such block). */
const UNKNOWN = 'unknown'

/** How often the tip is read while the processor is further behind it than its prefetch window. */
const TIP_REFRESH_BEHIND_MS = 30_000
/** How often at most while it is behind by less (the window has room to grow); at the tip, every step. */
const TIP_REFRESH_NEAR_MS = 5_000

/**
 * Walks canonical Stacks blocks by height and hands them to the handler in one database
 * transaction per batch, through Subsquid's TypeormDatabase: the checkpoint, the hot blocks near
 * the tip and their rollback are the same as the EVM processor's. Forks are detected by
 * `parent_index_block_hash`: the processor walks back to the last block it shares with the
 * canonical chain and rolls back everything above it in the same transaction as the new blocks.
 * API errors are retried with backoff, forever: the processor never stops on a flaky API, and
 * never writes part of a block.
 *
 * Blocks are fetched ahead in a continuous window (PrefetchWindow), not batch by batch: each
 * transaction takes the blocks that are ready, in height order, while the window keeps fetching.
 * A failed fetch or a failed transaction costs only its own blocks: the others stay fetched.
 * The tip is read every step at the head, every 5 s (or STACKS_POLL_MS if longer) while the
 * processor is behind by less than its window, and every 30 s while it is further behind: a stale
 * tip only delays finality and the window's growth; a fork is still caught by the links.
 */
export class StacksProcessor<S> {
  private readonly batchSize: number
  private readonly prefetchBlocks: number
  private window?: PrefetchWindow
  private tip?: StacksTip
  private tipReadAt = 0

  constructor(
    private readonly source: StacksBlockSource,
    private readonly opts: StacksProcessorOptions,
  ) {
    this.batchSize = opts.batchSize ?? 50
    this.prefetchBlocks = opts.prefetchBlocks ?? 32
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
        this.tip = undefined // a block that is not there (any more) may mean the tip moved back
        this.opts.log?.('warn', 'stacks batch failed; retrying', { err: String(err), failures })
        await sleep(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)), signal)
      }
    }
    await db.disconnect()
  }

  /** Processes the next batch; returns the new chain of refs, or undefined when at the tip. */
  private async step(db: HotDatabase<S>, handler: StacksBatchHandler<S>, chain: BlockRef[]): Promise<BlockRef[] | undefined> {
    const head = last(chain)
    const tip = await this.readTip(head)
    if (tip.height === head.height && tip.indexBlockHash === head.hash) return undefined
    const window = this.windowFrom(head.height + 1, tip.height)
    let base = head
    let blocks = tip.height > head.height ? await window.take(this.batchSize) : []
    if (blocks.length === 0 || !linksTo(blocks[0], head)) {
      base = await this.findBase(chain)
      if (base.hash === head.hash && tip.height <= head.height) return undefined
      this.opts.log?.('info', 'stacks fork detected', { from: head.height, base: base.height, tip: tip.height })
      this.tip = undefined // read the tip afresh next step: the chain just moved
      window.restart(base.height + 1)
      blocks = await window.take(this.batchSize)
      if (blocks.length === 0 || !linksTo(blocks[0], base)) {
        window.restart(base.height + 1)
        throw new Error('the chain moved while fetching; retrying')
      }
    }
    // a fork inside the fetched blocks: apply the part that links, fetch the rest again
    const linked = blocks.findIndex((b, i) => i > 0 && b.parentIndexBlockHash !== blocks[i - 1].indexBlockHash)
    if (linked > 0) {
      window.restart(blocks[linked].height)
      blocks = blocks.slice(0, linked)
    }
    const refs = blocks.map((b) => ({ height: b.height, hash: b.indexBlockHash }))
    const kept = chain.slice(0, chain.findIndex((r) => r.height === base.height) + 1)
    const next = [...kept, ...refs]
    const finalHeight = Math.max(next[0].height, Math.min(tip.height - this.opts.finality, last(next).height))
    const finalizedHead = next.find((r) => r.height === finalHeight)!
    const atTip = last(refs).height >= tip.height
    try {
      await db.transactHot2({ finalizedHead, baseHead: base, newBlocks: refs }, (store, beg, end) => handler(store, blocks.slice(beg, end), atTip && end === blocks.length))
    } catch (err) {
      window.putBack(blocks) // not applied: kept for the retry, not fetched again
      throw err
    }
    return next.filter((r) => r.height >= finalHeight)
  }

  /** The tip, read again at the head every step, else as often as TIP_REFRESH_NEAR_MS / TIP_REFRESH_BEHIND_MS say. */
  private async readTip(head: BlockRef): Promise<StacksTip> {
    const age = Date.now() - this.tipReadAt
    const behind = this.tip ? this.tip.height - head.height : 0
    const fresh = this.tip && behind > 0 && age < (behind < this.prefetchBlocks ? Math.max(this.opts.pollMs, TIP_REFRESH_NEAR_MS) : TIP_REFRESH_BEHIND_MS)
    if (!fresh || !this.tip) {
      this.tip = await this.source.getTip()
      this.tipReadAt = Date.now()
      this.opts.onTip?.(this.tip.height)
    }
    return this.tip
  }

  private windowFrom(from: number, tip: number): PrefetchWindow {
    if (!this.window) this.window = new PrefetchWindow(this.source, this.prefetchBlocks, from, tip, this.opts.log)
    else if (this.window.nextHeight !== from) this.window.restart(from)
    this.window.setTip(tip)
    return this.window
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
