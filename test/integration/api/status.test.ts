// Status, health, docs and metrics: the numbers every status surface shows match COUNT queries
// over the tables (while they come from counters), and follow changes.
import fs from 'node:fs'
import { createClient } from '@hirosystems/token-metadata-api-client'
import { describe, expect, it } from 'vitest'
import { CHAIN, EVM, insertRows, job } from '../../helpers/apiFixtures'
import { startApiServer, useFixtureApi } from '../../helpers/apiServer'
import { MIGRATIONS_DIR } from '../../../src/store/dataSource'

const served = useFixtureApi()
const db = served.db

async function countsByChain(table: string, column: string): Promise<Map<string, Record<string, number>>> {
  const rows: { chain: string; name: string; n: number }[] = await db.ds.query(`SELECT chain, ${column} AS name, count(*)::int AS n FROM "${table}" GROUP BY 1, 2`)
  const out = new Map<string, Record<string, number>>()
  for (const r of rows) out.set(r.chain, { ...(out.get(r.chain) ?? {}), [r.name]: r.n })
  return out
}

function nonZero(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([, n]) => n !== 0))
}

interface ChainStatusBody {
  chain: string
  indexedHeight: number | null
  chainHeight: number | null
  lag: number | null
  tokens: Record<string, number>
  contracts: Record<string, number>
  jobs: Record<string, number>
  oldestQueuedAt: string | null
  throughput: { completed: number; failed: number; invalid: number; retried: number; minutes: number; finishedPerMinute: number }
}

async function expectStatusMatchesDatabase(): Promise<void> {
  const body = (await (await fetch(`${served.api.url}/status`)).json()) as { chains: ChainStatusBody[]; oldestQueuedAt: string | null }
  const tokens = await countsByChain('token', 'standard')
  const contracts = await countsByChain('contract', 'standard')
  const jobs = await countsByChain('metadata_job', 'status')
  const oldest: { chain: string; at: Date }[] = await db.ds.query(`SELECT chain, min(queued_at) AS at FROM metadata_job WHERE status = 'QUEUED' GROUP BY chain`)
  expect(body.chains.map((c) => c.chain)).toEqual([CHAIN.eth, CHAIN.amoy, CHAIN.stacks].sort())
  for (const c of body.chains) {
    expect(nonZero(c.tokens), c.chain).toEqual(tokens.get(c.chain) ?? {})
    expect(nonZero(c.contracts), c.chain).toEqual(contracts.get(c.chain) ?? {})
    expect(nonZero(c.jobs), c.chain).toEqual(jobs.get(c.chain) ?? {})
    expect(c.oldestQueuedAt, c.chain).toBe(oldest.find((o) => o.chain === c.chain)?.at.toISOString() ?? null)
  }
  const [{ min }] = await db.ds.query(`SELECT min(queued_at) AS min FROM metadata_job WHERE status = 'QUEUED'`)
  expect(body.oldestQueuedAt).toBe(min?.toISOString() ?? null)
}

describe('status', () => {
  it('GET /status matches COUNT queries per chain, with the checkpoint height and throughput; no head or lag while no process recorded one', async () => {
    await expectStatusMatchesDatabase()
    const body = (await (await fetch(`${served.api.url}/status`)).json()) as { chains: ChainStatusBody[] }
    const eth = body.chains.find((c) => c.chain === CHAIN.eth)!
    expect([eth.indexedHeight, eth.chainHeight, eth.lag]).toEqual([100, null, null])
    expect(eth.throughput).toMatchObject({ minutes: 15, completed: 12, failed: 1, invalid: 2, retried: 3, finishedPerMinute: 1 })
    const amoy = body.chains.find((c) => c.chain === CHAIN.amoy)!
    expect([amoy.indexedHeight, amoy.chainHeight, amoy.lag]).toEqual([null, null, null])
  })

  it('follows inserts, transitions and deletes (counters, not a snapshot), also before compaction', async () => {
    const ref = (i: number) => `${CHAIN.eth}:${EVM.axes}:${5000 + i}`
    await insertRows(
      db.ds,
      'metadata_job',
      Array.from({ length: 7 }, (_, i) => job('TOKEN', CHAIN.eth, `${CHAIN.eth}:${EVM.axes}`, ref(i), 'QUEUED', { queued_at: new Date('2025-06-01T00:00:00Z') })),
    )
    await expectStatusMatchesDatabase()
    await db.ds.query(`UPDATE metadata_job SET status = 'DONE' WHERE id = ANY($1)`, [[0, 1, 2].map((i) => `token:${ref(i)}`)])
    await db.ds.query(`DELETE FROM metadata_job WHERE id = $1`, [`token:${ref(6)}`])
    await expectStatusMatchesDatabase()
    await db.ds.query(`SELECT compact_counters()`)
    await expectStatusMatchesDatabase()
  })

  it('GET /metadata/v1/ (Hiro client) matches COUNT queries for the Stacks chain', async () => {
    const { data } = await createClient({ baseUrl: served.api.url }).GET('/metadata/v1/', {})
    const count = async (sql: string) => Object.fromEntries((await db.ds.query(sql)).map((r: { k: string; n: number }) => [r.k, r.n]))
    const tokens = await count(`SELECT standard AS k, count(*)::int AS n FROM token WHERE chain = 'stacks:1' GROUP BY 1`)
    const contracts = await count(`SELECT standard AS k, count(*)::int AS n FROM contract WHERE chain = 'stacks:1' GROUP BY 1`)
    const jobs = await count(`SELECT status AS k, count(*)::int AS n FROM metadata_job WHERE chain = 'stacks:1' GROUP BY 1`)
    expect(data).toEqual({
      server_version: 'token-metadata-squid test',
      status: 'ready',
      chain_tip: { block_height: 163541 },
      tokens: { ft: tokens.SIP010 ?? 0, nft: tokens.SIP009 ?? 0, sft: tokens.SIP013 ?? 0 },
      token_contracts: { 'sip-009': contracts.SIP009 ?? 0, 'sip-010': contracts.SIP010 ?? 0, 'sip-013': contracts.SIP013 ?? 0 },
      job_queue: { pending: jobs.QUEUED ?? 0, queued: jobs.RUNNING ?? 0, done: jobs.DONE ?? 0, failed: jobs.FAILED ?? 0, invalid: jobs.INVALID ?? 0 },
      sync: { chain_height: null, lag_blocks: null, newest_block_age_seconds: null, processor_last_seen_at: null, blocks_per_second: null, eta_seconds: null },
    })
  })

  it('GraphQL status shows the same figures as GET /status', async () => {
    const rest = (await (await fetch(`${served.api.url}/status`)).json()) as { chains: ChainStatusBody[] }
    const r = await fetch(`${served.api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          '{ status { chains { chain indexedHeight chainHeight lag tokens { name count } jobs { name count } contracts { name count } oldestQueuedAt throughput { completed } } } }',
      }),
    })
    const gql = (
      (await r.json()) as {
        data: {
          status: {
            chains: {
              chain: string
              indexedHeight: number | null
              lag: number | null
              tokens: { name: string; count: number }[]
              jobs: { name: string; count: number }[]
              contracts: { name: string; count: number }[]
              oldestQueuedAt: string | null
              throughput: { completed: number }
            }[]
          }
        }
      }
    ).data.status
    expect(
      gql.chains.map((c) => ({
        chain: c.chain,
        indexedHeight: c.indexedHeight,
        lag: c.lag,
        tokens: Object.fromEntries(c.tokens.map((t) => [t.name, t.count])),
        jobs: Object.fromEntries(c.jobs.map((t) => [t.name, t.count])),
        contracts: Object.fromEntries(c.contracts.map((t) => [t.name, t.count])),
        oldestQueuedAt: c.oldestQueuedAt,
        completed: c.throughput.completed,
      })),
    ).toEqual(
      rest.chains.map((c) => ({
        chain: c.chain,
        indexedHeight: c.indexedHeight,
        lag: c.lag,
        tokens: c.tokens,
        jobs: c.jobs,
        contracts: c.contracts,
        oldestQueuedAt: c.oldestQueuedAt,
        completed: c.throughput.completed,
      })),
    )
  })
})

describe('health, docs, metrics', () => {
  it('GET /metadata/v1/ reports status not_ready while a migration is missing, and ready again once it is applied', async () => {
    const client = createClient({ baseUrl: served.api.url })
    const [{ name }] = await db.ds.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`)
    await db.ds.query(`DELETE FROM migrations WHERE name = $1`, [name])
    try {
      const { data, response } = await client.GET('/metadata/v1/', {})
      expect([response.status, data?.status]).toEqual([200, 'not_ready'])
    } finally {
      await db.ds.query(`INSERT INTO migrations (timestamp, name) VALUES ($1, $2)`, [Number(name.match(/\d+$/)![0]), name])
    }
    expect((await client.GET('/metadata/v1/', {})).data?.status).toBe('ready')
  })

  it('GET /health reports the database reachable and every migration applied', async () => {
    const r = await fetch(`${served.api.url}/health`)
    const shipped = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.js')).length
    expect([r.status, await r.json()]).toEqual([200, { status: 'ok', database: 'reachable', migrations: { expected: shipped, pending: [] } }])
  })

  it('GET /health answers 503 when a migration is missing', async () => {
    const [{ name }] = await db.ds.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`)
    await db.ds.query(`DELETE FROM migrations WHERE name = $1`, [name])
    try {
      const r = await fetch(`${served.api.url}/health`)
      expect(r.status).toBe(503)
      expect(await r.json()).toMatchObject({ status: 'unavailable', migrations: { pending: [name] } })
    } finally {
      await db.ds.query(`INSERT INTO migrations (timestamp, name) VALUES ($1, $2)`, [Number(name.match(/\d+$/)![0]), name])
    }
  })

  it('serves the OpenAPI document of the REST surfaces and the docs page', async () => {
    const doc = (await (await fetch(`${served.api.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> }
    expect(doc.openapi).toBe('3.0.3')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/metadata/v1/',
        '/metadata/v1/ft',
        '/metadata/v1/ft/{principal}',
        '/metadata/v1/nft/{principal}/{token_id}',
        '/metadata/v1/sft/{principal}/{token_id}',
        '/rpc/Metadata/GetTokenMetadata',
        '/rpc/Metadata/GetTokenMetadataBatch',
        '/status',
        '/health',
        '/ready',
      ]),
    )
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/metadata/nft'))).toBe(false)
    const page = await fetch(`${served.api.url}/docs`, { redirect: 'follow' })
    expect(page.status).toBe(200)
    expect(await page.text()).toMatch(/swagger/i)
  })

  it('serves the GraphQL sandbox only when GRAPHQL_SANDBOX is on', async () => {
    const html = { headers: { accept: 'text/html' } }
    expect((await fetch(`${served.api.url}/graphql`, html)).status).toBe(400)
    const dev = await startApiServer(db, { env: { GRAPHQL_SANDBOX: 'true' } })
    try {
      const page = await fetch(`${dev.url}/graphql`, html)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toMatch(/text\/html/)
    } finally {
      await dev.close()
    }
  })

  it('exposes Prometheus metrics with request latency per route', async () => {
    await fetch(`${served.api.url}/metadata/v1/`)
    const text = await (await fetch(`${served.api.url}/metrics`)).text()
    expect(text).toMatch(/tms_api_request_duration_seconds_count\{method="GET",route="\/metadata\/v1\/?",status="200"\} [1-9]/)
  })

  it('exposes the queue depth by status and the indexed height per chain as Prometheus gauges', async () => {
    const text = await (await fetch(`${served.api.url}/metrics`)).text()
    const jobs = await countsByChain('metadata_job', 'status')
    for (const [status, n] of Object.entries(jobs.get(CHAIN.eth)!)) {
      expect(text).toContain(`tms_queue_jobs{chain="${CHAIN.eth}",status="${status}"} ${n}`)
    }
    expect(text).toContain(`tms_chain_indexed_height{chain="${CHAIN.eth}"} 100`)
    expect(text).not.toContain(`tms_chain_lag_blocks{chain="${CHAIN.eth}"`)
  })
})
