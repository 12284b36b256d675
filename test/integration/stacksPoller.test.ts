// The Stacks poller behind a rate-limited API: the processor and a worker reach the simulator
// through a real local HTTP proxy that adds latency and answers 429 with Retry-After (and
// RateLimit-* headers), as the public Hiro API does past its limit.
import { Cl } from '@stacks/transactions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStacksBlockSource } from '../../src/chains/stacks/blockSource'
import { callReadOnly } from '../../src/chains/stacks/readOnly'
import { RetryableError } from '../../src/core/errors'
import { RequestBudget } from '../../src/lib/requestBudget'
import { simTx } from '../../devnet/stacks/simulator'
import { startApiProxy, type ApiProxy, type ProxiedRequest } from '../helpers/apiProxy'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { waitForIndexed } from '../helpers/indexer'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { useStacksSimulator } from '../helpers/stacksSimulator'

const stacks = useStacksSimulator()
const CHAIN = 'stacks:2147483648'
const API_KEY = 'test-key-4c1f'
/** blocks mined on top of the sample deployment, so the window moves through several header pages */
const BLOCKS = 70
const running: RunningProcess[] = []
const proxies: ApiProxy[] = []
const databases: TestDatabase[] = []

beforeAll(async () => {
  const { sim } = stacks
  const { deployer, wallet_1, wallet_2 } = sim.accounts
  const c = sim.contracts
  for (let i = 0; i < BLOCKS; i++) {
    const to = i % 2 === 0 ? wallet_1 : wallet_2
    const txs = [simTx.call(c.nft, 'mint', [Cl.principal(to)], deployer)]
    if (i % 3 === 0) txs.push(simTx.call(c.ft, 'mint', [Cl.uint(10 + i), Cl.principal(to)], deployer))
    if (i % 5 === 0) txs.push(simTx.call(c.sft, 'mint', [Cl.uint(i), Cl.uint(3), Cl.principal(to)], deployer))
    await sim.mineBlock(txs)
  }
}, 120_000)

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()))
  await Promise.all(proxies.map((p) => p.close()))
  await Promise.all(databases.map((d) => d.drop()))
})

async function proxy(opts: { refuseEvery?: number; retryAfterSeconds?: number } = {}): Promise<ApiProxy> {
  const p = await startApiProxy({ target: stacks.sim.url, latencyMs: 5, retryAfterSeconds: 1, ...opts })
  proxies.push(p)
  return p
}

async function newDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase()
  databases.push(db)
  return db
}

function start(entry: string, db: TestDatabase, api: ApiProxy, extra: Record<string, string> = {}): RunningProcess {
  const p = startProcess(entry, [], {
    DATABASE_URL: db.url,
    STACKS_API_URL: api.url,
    STACKS_CHAIN: CHAIN,
    STACKS_POLL_MS: '50',
    STACKS_PREFETCH_BLOCKS: '8',
    JOB_BACKOFF_BASE_MS: '100',
    ...extra,
  })
  running.push(p)
  return p
}

async function q<T = Record<string, unknown>>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  return db.ds.query(sql, params)
}

async function snapshot(db: TestDatabase) {
  return {
    contracts: await q(db, `SELECT id, standard, total_supply::text, deployer, asset_name FROM contract WHERE chain = $1 ORDER BY id`, [CHAIN]),
    tokens: await q(db, `SELECT id, owner, supply::text, burned FROM token WHERE chain = $1 ORDER BY id`, [CHAIN]),
    balances: await q(db, `SELECT id, amount::text FROM balance ORDER BY id`),
    jobs: await q(db, `SELECT id FROM metadata_job WHERE chain = $1 ORDER BY id`, [CHAIN]),
  }
}

const served = (reqs: readonly ProxiedRequest[], pattern: RegExp) => reqs.filter((r) => r.status === 200 && pattern.test(r.path))

function countBy(reqs: readonly ProxiedRequest[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of reqs) out.set(r.path, (out.get(r.path) ?? 0) + 1)
  return out
}

describe('Stacks poller behind a rate-limited API', () => {
  let limited: ApiProxy
  let limitedDb: TestDatabase

  it('reaches the tip through 429s with Retry-After with a database equal to a run without refusals', { timeout: 180_000 }, async () => {
    const tip = stacks.sim.tip().height
    const open = await proxy()
    const openDb = await newDatabase()
    const plain = start('stacks-processor', openDb, open)
    await waitForIndexed(openDb.ds, CHAIN, tip, plain)
    await plain.stop()

    limited = await proxy({ refuseEvery: 15 })
    limitedDb = await newDatabase()
    const proc = start('stacks-processor', limitedDb, limited, { STACKS_API_KEY: API_KEY })
    await waitForIndexed(limitedDb.ds, CHAIN, tip, proc)
    await proc.stop()

    expect(limited.refused).toBeGreaterThan(0)
    expect(await snapshot(limitedDb)).toEqual(await snapshot(openDb))
  })

  it('honours Retry-After process-wide: once a 429 was read, no request came before the wait was over', () => {
    // the proxy refuses, and counts, every request that arrives inside a Retry-After it sent
    // (a request already on its way when the 429 left is not counted)
    expect(limited.early).toBe(0)
  })

  it("keeps the blocks it fetched across retries: each block's transactions are read once", async () => {
    const pages = served(limited.requests, /^\/extended\/v2\/blocks\/0x[0-9a-f]{64}\/transactions/)
    expect(pages.length).toBeGreaterThan(BLOCKS)
    expect([...countBy(pages)].filter(([, n]) => n !== 1)).toEqual([])
  })

  let workerApi: ApiProxy
  const tokenContracts = () => [stacks.sim.contracts.nft, stacks.sim.contracts.sft].map((a) => `${CHAIN}:${a}`)

  it('sends the API key on every request of the processor and of a worker', async () => {
    workerApi = await proxy()
    const worker = start('worker', limitedDb, workerApi, { STACKS_API_KEY: API_KEY })
    // contract jobs read the interface (through the shared cache) and call read-only functions
    const contracts = tokenContracts()
    let read: { id: string; last_fetched_at: Date | null; error_code: string | null }[] = []
    await waitFor(
      'contract reads of the token contracts',
      async () => {
        read = await q(limitedDb, `SELECT id, last_fetched_at, error_code FROM contract_metadata WHERE id = ANY($1)`, [contracts])
        return read.filter((r) => r.last_fetched_at !== null).length === contracts.length
      },
      60_000,
      100,
      () => `${JSON.stringify(read)}\n${worker.output()}`,
    )
    await worker.stop()

    const all = [...limited.requests, ...workerApi.requests]
    expect(all.filter((r) => r.apiKey !== API_KEY)).toEqual([])
    expect(workerApi.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v2/contracts/call-read/')).length).toBeGreaterThan(0)
  }, 120_000)

  it("asks for a contract's interface once for the processor and the worker together", async () => {
    const all = [...limited.requests, ...workerApi.requests]
    const interfaces = served(all, /^\/v2\/contracts\/interface\//)
    expect([...countBy(interfaces)].filter(([, n]) => n !== 1)).toEqual([])
    expect(served(workerApi.requests, /^\/v2\/contracts\/interface\//)).toEqual([])
    const [{ n }] = await q<{ n: number }>(limitedDb, `SELECT count(*)::int AS n FROM stacks_contract_interface WHERE chain = $1`, [CHAIN])
    expect(n).toBe(interfaces.length)
    expect(interfaces.map((r) => r.path)).toEqual(
      expect.arrayContaining(
        tokenContracts().map((id) => {
          const [address, name] = id.slice(CHAIN.length + 1).split('.')
          return `/v2/contracts/interface/${address}/${name}`
        }),
      ),
    )
  })

  it('a header page asked for with a stale tip is asked again at the tip the API reports; the headers equal single-block reads', async () => {
    const { sim } = stacks
    const source = createStacksBlockSource({ baseUrl: sim.url })
    const tip = sim.tip().height
    const pagesBefore = sim.requests.filter((r) => r.path.startsWith('/extended/v2/blocks/?')).length
    // the window asks up to the tip it knows; the API's is 5 blocks higher
    const headers = await source.getHeaders!(tip - 45, tip - 6, tip - 5)
    const pages = sim.requests.filter((r) => r.path.startsWith('/extended/v2/blocks/?')).length - pagesBefore
    expect(pages).toBe(3) // 30 + 10 blocks, the first page once more at the right offset
    const single = await Promise.all(Array.from({ length: 40 }, (_, i) => source.getBlock(tip - 45 + i)))
    expect(headers).toEqual(single)
  })

  it('a worker call told to wait longer than it may fails at once for the queue to reschedule, and the process sends nothing more until the wait is over', async () => {
    const { sim } = stacks
    const strict = await proxy({ refuseEvery: 1, retryAfterSeconds: 30 })
    const budget = new RequestBudget({ perMinute: 0 })
    const call = () => callReadOnly(strict.url, sim.contracts.nft, 'get-last-token-id', [], undefined, { budget }).catch((e: unknown) => e)
    const first = await call()
    expect(first).toBeInstanceOf(RetryableError)
    expect((first as RetryableError).retryAfterMs).toBe(30_000)
    expect(strict.requests).toHaveLength(1)
    const second = await call()
    expect(second).toBeInstanceOf(RetryableError)
    expect((second as RetryableError).retryAfterMs).toBeGreaterThan(2_000)
    expect(strict.requests).toHaveLength(1) // refused by the process's own budget, not sent
  })
})
