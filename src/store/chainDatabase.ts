import { TypeormDatabase, type Store } from '@subsquid/typeorm-store'
import { rollbackBlock } from '@subsquid/typeorm-store/lib/hot'
import assert from 'node:assert'
import { DataSource, type EntityManager } from 'typeorm'
import { dataSourceOptions } from './dataSource'
import { stateSchemaFor } from './processorSchema'

export interface BlockRef {
  height: number
  hash: string
}

type HotInfo = { finalizedHead: BlockRef; baseHead: BlockRef; newBlocks: BlockRef[] }
type HotCallback = (store: Store, beg: number, end: number) => Promise<void>
type FinalInfo = { prevHead: BlockRef; nextHead: BlockRef; isOnTop: boolean }

export interface ChainDatabaseOptions {
  /**
   * Prepare each finalized batch while the one before it is written (see BatchPipeline). Only
   * for a handler that takes pipelineOf(ctx.store) (the EVM processor's applyEvents).
   */
  pipeline?: boolean
  /** A pipelined batch's write failed: the processor must stop (nothing after it commits). */
  onPipelineError?: (e: unknown) => void
}

/**
 * What the handler of a pipelined finalized batch finds behind pipelineOf(ctx.store), in place
 * of a transaction: it reads what it needs, prepares its writes and hands them over with
 * `defer`; the batch commits in its own transaction once every batch before it has, while the
 * next batch is prepared. Commits stay in batch order, one at a time, each with its checkpoint,
 * so a crash leaves the database at a batch boundary and the batches after it are processed
 * again. `P` is the handler's prepared state: the rows it holds with the values its writes give
 * them, which a later batch must read instead of the table until those writes commit (the
 * processor is the one writer of its chain facts).
 */
export interface BatchPipeline<P> {
  /** The pool, outside any transaction: what has committed (READ COMMITTED). */
  readonly reader: EntityManager
  /** Prepared states of the batches before this one that have not committed yet, oldest first. */
  readonly inFlight: readonly P[]
  /** The batch's writes, run in its transaction after the batches before it have committed. */
  defer(prepared: P, write: (store: Store) => Promise<void>): void
  /**
   * The batch's transaction now, once every batch before it has committed (its reads then see
   * the table as it is): for work that cannot be prepared ahead (range walks). The handler
   * then writes as in a batch that is not pipelined.
   */
  transaction(): Promise<Store>
}

const pipelines = new WeakMap<object, BatchPipeline<unknown>>()

/** The pipeline of a batch whose store is a pipelined batch's handle, else undefined. */
export function pipelineOf<P>(store: Store): BatchPipeline<P> | undefined {
  return pipelines.get(store) as BatchPipeline<P> | undefined
}

/** typeorm-store 1.5.1 private members this class builds on (pinned version; covered by the processor tests). */
interface TypeormDatabaseInternals {
  con?: DataSource
  statusSchema: string
  initTransaction(em: EntityManager): Promise<unknown>
  submit(tx: (em: EntityManager) => Promise<void>): Promise<void>
  getState(em: EntityManager): Promise<BlockRef & { nonce: number; top: BlockRef[] }>
  performUpdates(cb: (store: Store) => Promise<void>, em: EntityManager): Promise<void>
  updateStatus(em: EntityManager, nonce: number, next: BlockRef): Promise<void>
  escapedSchema(): string
}

/**
 * Subsquid's TypeormDatabase (batch transaction, checkpoint, hot blocks and their rollback),
 * connected to our DataSource instead of one built from DB_* environment variables and a
 * compiled model in lib/. READ COMMITTED: workers update job rows while a batch runs, and the
 * default SERIALIZABLE would abort the batch on those conflicts; the status row's nonce still
 * guards against two processors of one chain.
 *
 * After a restart Subsquid hands blocks we already hold as hot blocks to us again: at the head the
 * top block once more, behind the head every hot block inside the next finalized batch (after
 * rolling them all back). A rollback deletes the tokens those blocks created, and with them their
 * fetched metadata and finished jobs, so every such token would be fetched again. This class keeps
 * a hot block whose height and hash the new chain repeats, and applies only what is really new.
 */
export class ChainDatabase extends TypeormDatabase {
  /** The hot blocks of the finalized batch in progress, until the handler has matched them with its blocks. */
  private pendingHot?: { em: EntityManager; top: BlockRef[] }
  private handlerWrapped = false
  /** Whether the last commit left no hot block: only then is a finalized batch pipelined. */
  private noHotBlocks = false
  /** Writes of pipelined batches not committed yet, in batch order, with their prepared states. */
  private writes: { done: Promise<void>; prepared: unknown[] }[] = []
  private pipelineFailure?: { error: unknown }

  constructor(
    private readonly url: string,
    chain: string,
    private readonly options: ChainDatabaseOptions = {},
  ) {
    super({ stateSchema: stateSchemaFor(chain), isolationLevel: 'READ COMMITTED', supportHotBlocks: true })
  }

  private get internals(): TypeormDatabaseInternals {
    return this as unknown as TypeormDatabaseInternals
  }

  override async connect(): ReturnType<TypeormDatabase['connect']> {
    const self = this.internals
    if (self.con) throw new Error('already connected')
    const con = new DataSource({ ...dataSourceOptions(this.url, 5) })
    await con.initialize()
    self.con = con
    try {
      return (await con.transaction('SERIALIZABLE', (em) => self.initTransaction(em))) as Awaited<ReturnType<TypeormDatabase['connect']>>
    } catch (e) {
      await con.destroy().catch(() => {})
      self.con = undefined
      throw e
    }
  }

  /**
   * Wraps the batch handler: in a finalized batch that covers hot blocks, it first rolls back the
   * hot blocks the batch does not repeat, then hands on only the blocks above the ones kept.
   * Without a wrapped handler the database behaves exactly as Subsquid's.
   */
  wrapHandler<C extends { blocks: { header: BlockRef }[] }>(handle: (ctx: C) => Promise<void>): (ctx: C) => Promise<void> {
    this.handlerWrapped = true
    return async (ctx) => {
      const pending = this.pendingHot
      this.pendingHot = undefined
      if (!pending) return handle(ctx)
      const kept = await this.keepRepeatedHotBlocks(
        pending.em,
        pending.top,
        ctx.blocks.map((b) => b.header),
      )
      return handle(kept < 0 ? ctx : { ...ctx, blocks: ctx.blocks.filter((b) => b.header.height > kept) })
    }
  }

  /** As TypeormDatabase.transact, but the hot-block rollback is left to the wrapped handler (see wrapHandler). */
  override transact(info: FinalInfo, cb: (store: Store) => Promise<void>): Promise<void> {
    if (!this.handlerWrapped) return super.transact(info, cb)
    // A batch on top goes next to the hot blocks: nothing is left behind it.
    if (this.options.pipeline && this.noHotBlocks && !info.isOnTop) return this.transactPipelined(info, cb)
    return this.afterWrites(() => this.transactNow(info, cb))
  }

  /** The batch's transaction; `pipelined`: a pipelined batch's writes (there are no hot blocks, and the flag stays). */
  private transactNow(info: FinalInfo, cb: (store: Store) => Promise<void>, pipelined = false): Promise<void> {
    const self = this.internals
    if (!pipelined) this.noHotBlocks = false
    return self.submit(async (em) => {
      const state = await self.getState(em)
      assert(state.hash === info.prevHead.hash && state.height === info.prevHead.height, 'status changed under the processor (another processor of this chain?)')
      assert(info.prevHead.height < info.nextHead.height)
      assert(!pipelined || state.top.length === 0, 'hot blocks under a pipelined batch')
      this.pendingHot = state.top.length > 0 ? { em, top: state.top } : undefined
      try {
        await self.performUpdates(cb, em)
        // The handler did not run (Subsquid's empty advance): nothing was written, so the original order holds.
        if (this.pendingHot) await this.rollBackAbove(em, state.top, -1)
      } finally {
        this.pendingHot = undefined
      }
      await em.query(`DELETE FROM ${self.escapedSchema()}.hot_block WHERE height <= $1`, [info.nextHead.height])
      await self.updateStatus(em, state.nonce, info.nextHead)
      if (!pipelined) this.noHotBlocks = state.top.every((b) => b.height <= info.nextHead.height)
    })
  }

  /**
   * Runs the handler on a handle (see BatchPipeline), queues the batch's transaction behind the
   * ones not committed yet and returns while it runs, so the Runner hands over the next batch;
   * at most one batch's writes are left running behind a returned call. A handler that asks for
   * its transaction gets it once the queue has drained, and the call returns after its commit.
   */
  private async transactPipelined(info: FinalInfo, cb: (store: Store) => Promise<void>): Promise<void> {
    this.throwPipelineFailure()
    const self = this.internals
    assert(self.con, 'not connected')
    const prepared: unknown[] = []
    let write: ((store: Store) => Promise<void>) | undefined
    let own: Promise<void> | undefined
    let handled: Promise<void> = Promise.resolve()
    const handle = {} as Store
    pipelines.set(handle, {
      reader: self.con.manager,
      inFlight: this.writes.flatMap((w) => w.prepared),
      defer: (state, fn) => {
        assert(!write && !own, 'a pipelined batch hands over its writes once')
        prepared.push(state)
        write = fn
      },
      transaction: () => {
        assert(!write && !own, 'a pipelined batch hands over its writes once')
        return new Promise<Store>((resolve, reject) => {
          own = this.afterWrites(() =>
            this.transactNow(info, (store) => {
              resolve(store)
              return handled
            }),
          )
          own.catch(reject)
        })
      },
    })
    handled = cb(handle)
    await handled
    if (own) return own
    const previous = this.writes.at(-1)?.done ?? Promise.resolve()
    const entry = { prepared, done: Promise.resolve() }
    entry.done = previous
      .then(() => this.throwPipelineFailure())
      .then(() => this.transactNow(info, write ?? (async () => {}), true))
      .catch((error: unknown) => this.failPipeline(error))
      .finally(() => {
        this.writes = this.writes.filter((w) => w !== entry)
      })
    this.writes.push(entry)
    await previous
    this.throwPipelineFailure()
  }

  /** Runs `fn` once every pipelined write has committed; a failed one fails it instead. */
  private async afterWrites<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writes.length > 0) await this.writes[this.writes.length - 1].done
    this.throwPipelineFailure()
    return fn()
  }

  private failPipeline(error: unknown): void {
    if (this.pipelineFailure) return
    this.pipelineFailure = { error }
    this.options.onPipelineError?.(error)
  }

  private throwPipelineFailure(): void {
    if (this.pipelineFailure) throw this.pipelineFailure.error
  }

  /** As TypeormDatabase.transactHot2, without re-applying leading blocks that are already hot blocks with the same hash. */
  override async transactHot2(info: HotInfo, cb: HotCallback): Promise<void> {
    await this.afterWrites(async () => {})
    this.noHotBlocks = false
    const top = await this.hotBlocks()
    const skip = repeatedPrefix(top, info.newBlocks)
    if (skip === 0) return super.transactHot2(info, cb)
    const rest: HotInfo = { ...info, baseHead: info.newBlocks[skip - 1], newBlocks: info.newBlocks.slice(skip) }
    return super.transactHot2(rest, (store, beg, end) => cb(store, beg + skip, end + skip))
  }

  private async hotBlocks(): Promise<BlockRef[]> {
    const self = this.internals
    assert(self.con, 'not connected')
    return self.con.query(`SELECT height, hash FROM ${self.escapedSchema()}.hot_block ORDER BY height`)
  }

  /**
   * Keeps the hot blocks up to the highest one the batch repeats (same height and hash: by the
   * hash chain, every hot block under it is canonical too) and rolls back the rest. Returns the
   * height kept, or -1 when none was.
   */
  private async keepRepeatedHotBlocks(em: EntityManager, top: BlockRef[], batch: BlockRef[]): Promise<number> {
    const hashes = new Map(batch.map((b) => [b.height, b.hash]))
    const kept = [...top].reverse().find((b) => hashes.get(b.height) === b.hash)?.height ?? -1
    await this.rollBackAbove(em, top, kept)
    return kept
  }

  private async rollBackAbove(em: EntityManager, top: BlockRef[], height: number): Promise<void> {
    for (let i = top.length - 1; i >= 0 && top[i].height > height; i--) await rollbackBlock(this.internals.statusSchema, em, top[i].height)
  }
}

/**
 * How many leading new blocks repeat hot blocks we hold. When every new block does and our hot
 * chain is longer (the canonical chain got shorter), the last one is applied anyway, so that
 * Subsquid rolls back what lies above it.
 */
export function repeatedPrefix(top: BlockRef[], newBlocks: BlockRef[]): number {
  const hashes = new Map(top.map((b) => [b.height, b.hash]))
  let n = 0
  while (n < newBlocks.length && hashes.get(newBlocks[n].height) === newBlocks[n].hash) n++
  const ourTop = top.length > 0 ? top[top.length - 1].height : -1
  if (n > 0 && n === newBlocks.length && ourTop > newBlocks[n - 1].height) n--
  return n
}
