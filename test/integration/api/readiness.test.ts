// What the processes record about a chain (chain head, processor heartbeat) as the status
// surfaces and GET /ready show it: the processor's speed behind the head, the ETA, and each
// readiness check. Rows are written by the functions the processes use, never by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProgressReporter } from '../../../src/ingest/progressReporter'
import { silentLogger } from '../../../src/lib/logger'
import { recordChainHead, recordProcessorBeat } from '../../../src/store/chainProgress'
import { openDataSource } from '../../../src/store/dataSource'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'
import { waitFor } from '../../helpers/processes'
import { TcpProxy } from '../../helpers/tcpProxy'

const db = useTestDatabase()
const ETH = 'eip155:1'
const AMOY = 'eip155:80002'
let api: RunningApi
/** A second API whose silence limit is 1 s: the main one's is out of reach, so a slow run never finds a processor silent there. */
let strict: RunningApi

beforeAll(async () => {
  // The EVM processor's checkpoint: final head 100, hot blocks up to 104.
  await db.ds.query(`CREATE SCHEMA eip155_1_processor`)
  await db.ds.query(`CREATE TABLE eip155_1_processor.status (id int PRIMARY KEY, height int NOT NULL, hash text NOT NULL)`)
  await db.ds.query(`CREATE TABLE eip155_1_processor.hot_block (height int PRIMARY KEY, hash text NOT NULL)`)
  await db.ds.query(`INSERT INTO eip155_1_processor.status VALUES (0, 100, '0x64')`)
  await db.ds.query(`INSERT INTO eip155_1_processor.hot_block SELECT h, '0x' || h FROM generate_series(101, 104) h`)
  api = await startApiServer(db, { env: { READY_MAX_SILENCE_SECONDS: '600', READY_MAX_LAG_BLOCKS: '40' } })
  strict = await startApiServer(db, { env: { READY_MAX_SILENCE_SECONDS: '1', READY_MAX_LAG_BLOCKS: '40' } })
})
afterAll(async () => {
  await api?.close()
  await strict?.close()
})

interface ChainStatus {
  chain: string
  indexedHeight: number | null
  chainHeight: number | null
  lag: number | null
  blocksPerSecond: number | null
  etaSeconds: number | null
  processorSilentSeconds: number | null
}

async function chainStatus(chain: string, on = api): Promise<ChainStatus> {
  return ((await (await fetch(`${on.url}/status`)).json()) as { chains: ChainStatus[] }).chains.find((c) => c.chain === chain)!
}

async function ready(on = api): Promise<{ code: number; failed: string[]; checks: Record<string, { ok: boolean; detail?: string }> }> {
  const r = await fetch(`${on.url}/ready`)
  return { code: r.status, ...((await r.json()) as { failed: string[]; checks: Record<string, { ok: boolean; detail?: string }> }) }
}

async function heartbeat(chain: string): Promise<{ newest: string | null; bps: number | null; head: string | null }> {
  const [row] = await db.ds.query(
    `SELECT b.newest_block_height::text AS newest, b.blocks_per_second AS bps, h.height::text AS head
       FROM processor_heartbeat b LEFT JOIN chain_head h USING (chain) WHERE b.chain = $1`,
    [chain],
  )
  return row ?? { newest: null, bps: null, head: null }
}

describe('processor progress', () => {
  it('a processor behind the head records its speed over its batches, and none once a batch reaches the head', async () => {
    const reporter = new ProgressReporter({ chain: AMOY, db: db.ds, intervalMs: 60_000, log: silentLogger() })
    await reporter.start()
    try {
      reporter.batchApplied({ height: 10, time: new Date() }, false)
      await waitFor('the first batch recorded', async () => (await heartbeat(AMOY)).newest === '10')
      reporter.batchApplied({ height: 20, time: new Date() }, false)
      const behind = await waitFor('a speed recorded', async () => {
        const h = await heartbeat(AMOY)
        return h.newest === '20' && h.bps !== null ? h : undefined
      })
      expect(behind.bps).toBeGreaterThan(0)
      expect(behind.head).toBe('20')
      reporter.batchApplied({ height: 30, time: new Date() }, true)
      await waitFor('the speed cleared at the head', async () => {
        const h = await heartbeat(AMOY)
        return h.newest === '30' && h.bps === null && h.head === '30'
      })
    } finally {
      await reporter.stop()
    }
  })

  it('GET /status shows the hot height as indexed, and blocks/s and ETA (lag / speed) while a live processor is behind', async () => {
    await recordChainHead(db.ds, ETH, 154, 'worker')
    await recordProcessorBeat(db.ds, { chain: ETH, startedAt: new Date(), newestBlock: { height: 104, time: new Date() }, blocksPerSecond: 2.5 })
    expect(await chainStatus(ETH)).toMatchObject({ indexedHeight: 104, chainHeight: 154, lag: 50, blocksPerSecond: 2.5, etaSeconds: 20 })
  })

  it('GET /ready names the lag check when a chain lags more than READY_MAX_LAG_BLOCKS', async () => {
    await recordProcessorBeat(db.ds, { chain: ETH, startedAt: new Date(), newestBlock: null, blocksPerSecond: 2.5 })
    await recordProcessorBeat(db.ds, { chain: AMOY, startedAt: new Date(), newestBlock: null, blocksPerSecond: null })
    const r = await ready()
    expect([r.code, r.failed, r.checks.lag.detail]).toEqual([503, ['lag'], `${ETH} is 50 blocks behind its head`])
  })

  it('a processor silent longer than READY_MAX_SILENCE_SECONDS shows no speed nor ETA, and GET /ready names the processors check', async () => {
    await recordChainHead(db.ds, ETH, 120, 'worker')
    // each processor's beat passes the 1 s on its own moment: wait until the check names both
    const both = /^eip155:1 processor silent for \d+ s; eip155:80002 processor silent for \d+ s$/
    const r = await waitFor('the strict API to find both processors silent', async () => {
      const x = await ready(strict)
      return x.code === 503 && both.test(x.checks.processors?.detail ?? '') ? x : undefined
    })
    expect(r.failed).toEqual(['processors'])
    const c = await chainStatus(ETH, strict)
    expect(c.processorSilentSeconds).toBeGreaterThan(1)
    expect([c.lag, c.blocksPerSecond, c.etaSeconds]).toEqual([16, null, null])
  })

  it('GET /ready names the migrations check when a migration is missing', async () => {
    await recordProcessorBeat(db.ds, { chain: ETH, startedAt: new Date(), newestBlock: null, blocksPerSecond: null })
    await recordProcessorBeat(db.ds, { chain: AMOY, startedAt: new Date(), newestBlock: null, blocksPerSecond: null })
    const [{ name }] = await db.ds.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`)
    await db.ds.query(`DELETE FROM migrations WHERE name = $1`, [name])
    try {
      const r = await ready()
      expect([r.code, r.failed[0], r.checks.migrations.detail]).toEqual([503, 'migrations', `migrations not applied: ${name}`])
    } finally {
      await db.ds.query(`INSERT INTO migrations (timestamp, name) VALUES ($1, $2)`, [Number(name.match(/\d+$/)![0]), name])
    }
  })

  it('GET /ready names the database check when the database is unreachable, and answers 200 once it is back', async () => {
    const target = new URL(db.url)
    const proxy = new TcpProxy(target.hostname, Number(target.port))
    await proxy.start()
    const viaProxy = new URL(db.url)
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(proxy.port)
    const ds = await openDataSource(viaProxy.toString(), 2, 2000)
    const cut = await startApiServer(db, { ds, env: { READY_MAX_LAG_BLOCKS: '1000' } })
    try {
      expect((await fetch(`${cut.url}/ready`)).status).toBe(200)
      await proxy.cut()
      const r = await fetch(`${cut.url}/ready`)
      expect([r.status, await r.json()]).toEqual([503, { status: 'not_ready', failed: ['database'], checks: { database: { ok: false, detail: 'the database is unreachable' } } }])
      await proxy.start()
      await waitFor('/ready to recover', async () => (await fetch(`${cut.url}/ready`)).status === 200, 30_000)
    } finally {
      await cut.close()
      await proxy.cut()
      await ds.destroy().catch(() => {})
    }
  })
})
