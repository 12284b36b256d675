import type { Store } from '@subsquid/typeorm-store'
import { Client } from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChainEvent } from '../../src/core/events'
import { PRIORITY } from '../../src/core/jobs'
import { applyEvents } from '../../src/ingest/applyEvents'
import { BatchState } from '../../src/ingest/batchState'
import { ChainDatabase, pipelineOf } from '../../src/store/chainDatabase'
import { stateSchemaFor } from '../../src/store/processorSchema'
import { useTestDatabase } from '../helpers/database'
import { waitFor } from '../helpers/waitFor'

const db = useTestDatabase()
const CHAIN = 'eip155:31337'
const ADDRESS = '0x00000000000000000000000000000000000000aa'
const CONTRACT = `${CHAIN}:${ADDRESS}`
const ALICE = '0x00000000000000000000000000000000000000a1'
const BOB = '0x00000000000000000000000000000000000000b0'
const hash = (height: number) => `0x${height.toString(16).padStart(64, '0')}`

type Ctx = { store: Store; blocks: { header: { height: number; hash: string } }[] }

/** Drives a ChainDatabase as Subsquid's Runner does: one finalized batch of one block at a time. */
class Runner {
  height = -1
  failures: unknown[] = []
  readonly database = new ChainDatabase(db.url, CHAIN, { pipeline: true, onPipelineError: (e) => this.failures.push(e) })
  private readonly handler = this.database.wrapHandler(async (ctx: Ctx & { events: ChainEvent[] }) => {
    if (ctx.events.length > 0) await applyEvents(ctx.store, ctx.events, PRIORITY.BACKFILL, { chain: CHAIN, rangeCap: 1000, now: new Date() })
  })

  /** The next block, with its events; `isOnTop` as for the batch that reaches the chain head. */
  batch(events: ChainEvent[], opts: { isOnTop?: boolean; handler?: (store: Store) => Promise<void> } = {}): Promise<void> {
    const prev = { height: this.height, hash: this.height < 0 ? '0x' : hash(this.height) }
    const next = { height: this.height + 1, hash: hash(this.height + 1) }
    this.height++
    const handle = opts.handler ?? ((store: Store) => this.handler({ store, blocks: [{ header: next }], events }))
    return this.database.transact({ prevHead: prev, nextHead: next, isOnTop: opts.isOnTop ?? false }, handle)
  }
}

function transfer(block: number, tokenId: bigint, from: string | null, to: string | null, logIndex = 0): ChainEvent {
  const pos = { blockNumber: block, blockHash: hash(block), timestamp: new Date(1_800_000_000_000 + block * 1000), txHash: hash(1000 + block), logIndex }
  return { contract: ADDRESS, pos, kind: 'nft_transfer', standard: 'ERC721', tokenId, from, to }
}

const mint = (block: number, ids: number[], to = ALICE) => ids.map((id, i) => transfer(block, BigInt(id), null, to, i))

async function counted(scope: string, name: string): Promise<number> {
  const rows: { n: number }[] = await db.ds.query(
    `SELECT coalesce(sum(n), 0)::int AS n FROM (SELECT total AS n FROM counter WHERE scope = $1 AND chain = $2 AND name = $3
       UNION ALL SELECT delta FROM counter_delta WHERE scope = $1 AND chain = $2 AND name = $3) x`,
    [scope, CONTRACT, name],
  )
  return rows[0].n
}

async function indexedHeight(): Promise<number> {
  const rows: { height: number }[] = await db.ds.query(`SELECT height FROM "${stateSchemaFor(CHAIN)}".status WHERE id = 0`)
  return rows[0].height
}

/** Holds the checkpoint row from another connection: a batch's commit waits until release(). */
async function holdCheckpoint(): Promise<{ release(): Promise<void> }> {
  const c = new Client({ connectionString: db.url })
  await c.connect()
  await c.query('BEGIN')
  await c.query(`SELECT 1 FROM "${stateSchemaFor(CHAIN)}".status WHERE id = 0 FOR UPDATE`)
  return {
    release: async () => {
      await c.query('COMMIT')
      await c.end()
    },
  }
}

describe('pipelined finalized batches', () => {
  let runner: Runner
  beforeEach(async () => {
    await db.ds.query(`DROP SCHEMA IF EXISTS "${stateSchemaFor(CHAIN)}" CASCADE`)
    await db.ds.query(`TRUNCATE contract, metadata_job, counter, counter_delta, contract_holder CASCADE`)
    runner = new Runner()
    await runner.database.connect()
  })
  afterEach(() => runner.database.disconnect())

  it('a batch prepared while the one before it is written reads that batch’s tokens, and every job is enqueued once', async () => {
    await runner.batch(mint(0, [1, 2, 3])) // classic: the first batch finds out there are no hot blocks
    const held = await holdCheckpoint()
    await runner.batch([...mint(1, [4, 5]), transfer(1, 1n, ALICE, BOB, 2)]) // returns while its commit waits
    let inFlight = -1
    const third = runner.batch([], {
      handler: async (store) => {
        inFlight = pipelineOf(store)?.inFlight.length ?? -1
        await applyEvents(store, [transfer(2, 4n, ALICE, BOB), transfer(2, 1n, BOB, ALICE, 1)], PRIORITY.BACKFILL, { chain: CHAIN, rangeCap: 1000, now: new Date() })
      },
    })
    await waitFor('the third batch prepared', async () => inFlight >= 0)
    expect(inFlight).toBe(1) // batch 1 had not committed: token 4 came from its prepared state
    expect(await indexedHeight()).toBe(0)
    await held.release()
    await third
    await runner.batch([], { isOnTop: true }) // on top: waits for everything before it
    expect(await indexedHeight()).toBe(3)
    const owners: { id: string; owner: string }[] = await db.ds.query(`SELECT token_id::int AS id, owner FROM token ORDER BY token_id`)
    expect(owners).toEqual([
      { id: 1, owner: ALICE },
      { id: 2, owner: ALICE },
      { id: 3, owner: ALICE },
      { id: 4, owner: BOB },
      { id: 5, owner: ALICE },
    ])
    const jobs: { kind: string; n: number }[] = await db.ds.query(`SELECT kind, count(*)::int AS n FROM metadata_job GROUP BY kind ORDER BY kind`)
    expect(jobs).toEqual([
      { kind: 'CONTRACT', n: 1 },
      { kind: 'TOKEN', n: 5 },
    ])
    expect(await counted('ctoken', 'tokens')).toBe(5)
    expect(await counted('holders', 'holders')).toBe(2)
    expect(runner.failures).toEqual([])
  })

  it('a pipelined batch whose write fails stops every batch after it from committing', async () => {
    await runner.batch(mint(0, [1]))
    const held = await holdCheckpoint()
    await runner.batch([], {
      handler: async (store) => {
        const pipeline = pipelineOf(store)!
        pipeline.defer(new BatchState(CHAIN), async (tx) => {
          await (tx as unknown as { em(): { query(sql: string): Promise<unknown> } }).em().query('SELECT 1 / 0')
        })
      },
    })
    const third = runner.batch(mint(2, [2]))
    await held.release()
    await expect(third).rejects.toThrow(/division by zero/)
    await expect(runner.batch([], { isOnTop: true })).rejects.toThrow(/division by zero/)
    expect(runner.failures).toHaveLength(1)
    expect(await indexedHeight()).toBe(0)
    const tokens: { n: number }[] = await db.ds.query(`SELECT count(*)::int AS n FROM token`)
    expect(tokens[0].n).toBe(1)
  })
})
