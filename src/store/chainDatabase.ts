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

  constructor(
    private readonly url: string,
    chain: string,
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
    const self = this.internals
    return self.submit(async (em) => {
      const state = await self.getState(em)
      assert(state.hash === info.prevHead.hash && state.height === info.prevHead.height, 'status changed under the processor (another processor of this chain?)')
      assert(info.prevHead.height < info.nextHead.height)
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
    })
  }

  /** As TypeormDatabase.transactHot2, without re-applying leading blocks that are already hot blocks with the same hash. */
  override async transactHot2(info: HotInfo, cb: HotCallback): Promise<void> {
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
