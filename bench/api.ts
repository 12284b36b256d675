/**
 * API benchmark: fills a database with 1,100,000 tokens, starts the API server in its own
 * process, and drives four hot routes with autocannon (10 s each, 127.0.0.1), each next to the
 * rate of the same SQL run through a pg pool of the same size with the same concurrency.
 *
 *   npx tsc -p tsconfig.json                                  # the server, into lib/
 *   npx tsc bench/api.ts --outDir .cache/bench --rootDir . --module commonjs --target ES2022 \
 *       --moduleResolution node --esModuleInterop --skipLibCheck --strict --experimentalDecorators --emitDecoratorMetadata
 *   node .cache/bench/bench/api.js                            # or: npx tsx bench/api.ts
 *
 * DATABASE_URL: a server to create a scratch database on; unset = an embedded Postgres in a
 * temp dir. BENCH_SECONDS (10), BENCH_CONTRACTS (1000 EVM contracts x 1000 tokens).
 * BENCH_KEEP=1: fill, print the database URL and wait (Ctrl-C drops it) instead of measuring.
 *
 * The server and the store run from lib/ (tsc output): TypeORM entities need the decorator
 * metadata tsc emits. Only types are imported from src/.
 */
import { fork, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client, Pool } from 'pg'
import type * as ServerModule from '../src/api/server'
import type * as ConfigModule from '../src/config'
import type * as EmbeddedPgModule from '../src/lib/embeddedPostgres'
import type * as LoggerModule from '../src/lib/logger'
import type * as MetricsModule from '../src/lib/metrics'
import type * as DataSourceModule from '../src/store/dataSource'
import type * as ReadModule from '../src/store/read'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const EVM_CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 1000)
const TOKENS_PER_CONTRACT = 1000
const STACKS_CONTRACTS = 100
const POOL_SIZE = 10
const STACKS_DEPLOYER = 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173'

// ---------------------------------------------------------------------------------------------
// Loading compiled modules from lib/

function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'db', 'migrations'))) return dir
  }
  throw new Error('run the benchmark from inside the repository')
}

function fromLib<T>(module: string): T {
  const file = path.join(repoRoot(), 'lib', `${module}.js`)
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: build first (npx tsc -p tsconfig.json)`)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as T
}

// ---------------------------------------------------------------------------------------------
// Database: create, migrate, fill

async function scratchDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  const name = `tms_bench_${process.pid}`
  let adminUrl = process.env.DATABASE_URL
  let stopServer = async () => {}
  if (!adminUrl) {
    const { startEmbeddedPostgres } = fromLib<typeof EmbeddedPgModule>('lib/embeddedPostgres')
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-apibench-pg-'))
    fs.chmodSync(dir, 0o755)
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), ephemeral: true })
    adminUrl = pg.url
    stopServer = async () => {
      await pg.stop().catch(() => {})
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  const admin = new Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS "${name}"`)
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  const u = new URL(adminUrl)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    stop: async () => {
      // The embedded server may already be down (it stops itself on SIGINT).
      const c = new Client({ connectionString: adminUrl })
      await c
        .connect()
        .then(() => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
        .catch(() => {})
        .finally(() => c.end().catch(() => {}))
      await stopServer().catch(() => {})
    },
  }
}

async function migrate(url: string): Promise<void> {
  const { openDataSource, migrate: run } = fromLib<typeof DataSourceModule>('store/dataSource')
  const ds = await openDataSource(url, 2)
  await run(ds)
  await ds.destroy()
}

/**
 * INSERT … SELECT generate_series, table by table, in the columns the pipeline fills. Every
 * token has a fetched document (two attributes) and a job; one in a hundred of each of the
 * QUEUED, RUNNING, FAILED and INVALID states, the rest DONE.
 */
const FILL: [string, string, (number | null)[]?][] = [
  [
    'contracts',
    `INSERT INTO contract (id, chain, address, standard, deploy_tx, deployer, deploy_block, first_seen_block, update_mode, created_at)
     SELECT chain || ':' || address, chain, address, standard, '0x' || md5(address), NULL, 1, 1, 'STANDARD', now()
       FROM (SELECT 'eip155:1' AS chain, '0x' || lpad(to_hex(c), 40, '0') AS address, 'ERC721' AS standard FROM generate_series(1, $1::int) c
             UNION ALL
             SELECT 'stacks:1', '${STACKS_DEPLOYER}.bench-' || c, 'SIP009' FROM generate_series(1, $2::int) c) x`,
    [EVM_CONTRACTS, STACKS_CONTRACTS],
  ],
  [
    'contract reads',
    `INSERT INTO contract_metadata (id, contract_id, status, name, symbol, updated_at, last_fetched_at)
     SELECT id, id, 'AVAILABLE', 'Collection ' || address, 'COL', now(), now() FROM contract`,
  ],
  [
    'tokens',
    `INSERT INTO token (id, chain, contract_id, token_id, standard, owner, supply, burned, mint_block, minted_at, update_mode)
     SELECT c.id || ':' || t, c.chain, c.id, t, c.standard,
            CASE WHEN c.chain = 'stacks:1' THEN '${STACKS_DEPLOYER}' ELSE '0x' || lpad(to_hex((t * 7919) % 50000), 40, '0') END,
            1, false, 1, now(), 'STANDARD'
       FROM contract c CROSS JOIN generate_series(0, $1::int - 1) t`,
    [TOKENS_PER_CONTRACT],
  ],
  [
    'token metadata',
    `INSERT INTO token_metadata (id, token_id, contract_id, status, uri, resolved_url, content_hash, last_fetched_at, updated_at,
                                 name, description, image, normalized, raw, error_code, error_message)
     SELECT id, id, contract_id, CASE WHEN token_id % 100 = 2 THEN 'FAILED' WHEN token_id % 100 = 3 THEN 'INVALID' ELSE 'AVAILABLE' END,
            'ipfs://QmBench/' || token_id || '.json', 'https://ipfs.io/ipfs/QmBench/' || token_id || '.json', md5(id), now(), now(),
            doc->>'name', doc->>'description', doc->>'image', doc, doc,
            CASE WHEN token_id % 100 IN (2, 3) THEN 'timeout' END, CASE WHEN token_id % 100 IN (2, 3) THEN 'no answer' END
       FROM (SELECT id, contract_id, token_id, jsonb_build_object(
               'name', 'Bench #' || token_id, 'description', 'A token of the benchmark collection',
               'image', 'ipfs://QmBenchImages/' || token_id || '.png',
               'attributes', jsonb_build_array(
                  jsonb_build_object('trait_type', 'Color', 'value', (ARRAY['Red', 'Green', 'Blue'])[1 + (token_id % 3)::int]),
                  jsonb_build_object('trait_type', 'Level', 'value', (token_id % 10)::int, 'display_type', 'number')),
               'properties', jsonb_build_object('edition', token_id::text)) AS doc
             FROM token) t`,
  ],
  [
    'attributes',
    `INSERT INTO token_attribute (id, token_id, contract_id, position, trait_type, value, value_number, value_json, display_type)
     SELECT id || ':0', id, contract_id, 0, 'Color', (ARRAY['Red', 'Green', 'Blue'])[1 + (token_id % 3)::int], NULL,
            to_jsonb((ARRAY['Red', 'Green', 'Blue'])[1 + (token_id % 3)::int]), NULL FROM token
     UNION ALL
     SELECT id || ':1', id, contract_id, 1, 'Level', (token_id % 10)::text, token_id % 10, to_jsonb((token_id % 10)::int), 'number' FROM token`,
  ],
  [
    'jobs',
    `INSERT INTO metadata_job (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version,
                               claimed_version, queued_at, locked_by, locked_until, error_code, created_at, updated_at)
     SELECT 'token:' || id, 'TOKEN', chain, contract_id, id, s, 20, now(), 1, 1, 1, now() - (token_id % 600) * interval '1 second',
            CASE WHEN s = 'RUNNING' THEN 'bench' END, CASE WHEN s = 'RUNNING' THEN now() + interval '1 hour' END,
            CASE WHEN s IN ('FAILED', 'INVALID') THEN 'timeout' END, now(), now()
       FROM (SELECT id, chain, contract_id, token_id,
                    CASE token_id % 100 WHEN 0 THEN 'QUEUED' WHEN 1 THEN 'RUNNING' WHEN 2 THEN 'FAILED' WHEN 3 THEN 'INVALID' ELSE 'DONE' END AS s
               FROM token) t`,
  ],
  [
    'processor checkpoint and activity',
    `CREATE SCHEMA stacks_1_processor;
     CREATE TABLE stacks_1_processor.status (id int PRIMARY KEY, height int NOT NULL, hash text NOT NULL);
     INSERT INTO stacks_1_processor.status VALUES (0, 163541, '0xbench');
     CREATE SCHEMA eip155_1_processor;
     CREATE TABLE eip155_1_processor.status (id int PRIMARY KEY, height int NOT NULL, hash text NOT NULL);
     INSERT INTO eip155_1_processor.status VALUES (0, 21000000, '0xbench');
     INSERT INTO job_stat_minute (id, minute, chain, host, completed, failed, invalid, retried)
     SELECT m::text || '|eip155:1|ipfs.io', m, 'eip155:1', 'ipfs.io', 600, 3, 2, 10
       FROM generate_series(date_trunc('minute', now()) - interval '14 minutes', date_trunc('minute', now()), interval '1 minute') m;
     SELECT compact_counters();
     ANALYZE`,
  ],
]

/** Steps that only read `token` run side by side, each on its own connection. */
const PARALLEL = new Set(['token metadata', 'attributes', 'jobs'])

async function fill(url: string): Promise<number> {
  const run = async ([what, sql, params]: (typeof FILL)[number]) => {
    const c = new Client({ connectionString: url })
    await c.connect()
    const started = Date.now()
    await c.query(`SET synchronous_commit = off`)
    await c.query(sql, params)
    await c.end()
    log(`  ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
  const steps = [...FILL]
  while (steps.length > 0) {
    const together = steps.findIndex((s) => !PARALLEL.has(s[0]))
    const batch = PARALLEL.has(steps[0][0]) ? steps.splice(0, together < 0 ? steps.length : together) : steps.splice(0, 1)
    await Promise.all(batch.map(run))
  }
  const c = new Client({ connectionString: url })
  await c.connect()
  const [{ n }] = (await c.query(`SELECT count(*)::int AS n FROM token`)).rows
  await c.end()
  return n
}

// ---------------------------------------------------------------------------------------------
// The server, in its own process (autocannon and the server must not share an event loop)

function startServer(url: string, statusCacheMs: number): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['serve'], {
      env: { ...process.env, DATABASE_URL: url, BENCH_STATUS_CACHE_MS: String(statusCacheMs) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    child.once('message', (m: { port: number }) => resolve({ url: `http://127.0.0.1:${m.port}`, child }))
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
}

async function serve(): Promise<void> {
  const { loadConfig } = fromLib<typeof ConfigModule>('config/index')
  const { openDataSource } = fromLib<typeof DataSourceModule>('store/dataSource')
  const { buildApiServer } = fromLib<typeof ServerModule>('api/server')
  const { createLogger } = fromLib<typeof LoggerModule>('lib/logger')
  const { Metrics } = fromLib<typeof MetricsModule>('lib/metrics')
  const config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    EVM_CHAINS: JSON.stringify([{ chain: 'eip155:1', rpcUrl: 'http://127.0.0.1:9' }]),
    STACKS_CHAIN: 'stacks:1',
    DB_POOL_SIZE: String(POOL_SIZE),
    LOG_LEVEL: 'warn',
  })
  const ds = await openDataSource(config.DATABASE_URL!, config.DB_POOL_SIZE)
  const app = await buildApiServer({ config, ds, log: createLogger('warn'), metrics: new Metrics(), statusCacheMs: Number(process.env.BENCH_STATUS_CACHE_MS) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address() as { port: number }
  process.send!({ port: address.port })
  process.on('SIGTERM', () => void app.close().then(() => ds.destroy()).then(() => process.exit(0)))
}

// ---------------------------------------------------------------------------------------------
// Load generation

interface AutocannonRequest {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest
}

interface AutocannonResult {
  requests: { average: number; total: number }
  latency: { p50: number; p99: number }
  non2xx: number
  errors: number
  timeouts: number
}

type Autocannon = (opts: { url: string; connections: number; duration: number; requests: AutocannonRequest[] }) => Promise<AutocannonResult>

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon

interface Rate {
  perSecond: number
  p50: number
  p99: number
}

/** `concurrency` loops calling `op` for `seconds`, like autocannon's connections. */
async function rawRate(op: () => Promise<unknown>, concurrency: number, seconds: number): Promise<Rate> {
  const latencies: number[] = []
  const end = Date.now() + seconds * 1000
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t = process.hrtime.bigint()
        await op()
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6)
      }
    }),
  )
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return { perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) }
}

const rnd = (n: number) => Math.floor(Math.random() * n)
const evmAddress = (c: number) => `0x${c.toString(16).padStart(40, '0')}`
const randomEvm = () => ({ contract: evmAddress(1 + rnd(EVM_CONTRACTS)), tokenId: String(rnd(TOKENS_PER_CONTRACT)) })
const randomStacks = () => ({ principal: `${STACKS_DEPLOYER}.bench-${1 + rnd(STACKS_CONTRACTS)}`, tokenId: String(rnd(TOKENS_PER_CONTRACT)) })

const TOKEN_QUERY = `query($contract: String!, $tokenId: BigInt!) {
  token(chain: "eip155:1", contract: $contract, tokenId: $tokenId) {
    id status owner metadata { name image attributes { traitType value } } contract { name standard }
  }
}`

function batchBody(): { body: string; contracts: Record<string, string[]> } {
  const contracts: Record<string, string[]> = {}
  while (Object.keys(contracts).length < Math.min(50, EVM_CONTRACTS)) contracts[evmAddress(1 + rnd(EVM_CONTRACTS))] = Array.from({ length: 50 }, () => String(rnd(TOKENS_PER_CONTRACT)))
  return { body: JSON.stringify({ chainID: '1', contractTokenMap: contracts }), contracts }
}

interface Scenario {
  name: string
  connections: number
  request: AutocannonRequest
  raw: () => Promise<unknown>
  /** requests/s the route should reach (3x / 100x Hiro's own figures on this machine class) */
  target?: number
}

function scenarios(read: typeof ReadModule, db: ReturnType<typeof ReadModule.readDbFromPool>): Scenario[] {
  const batches = Array.from({ length: 32 }, batchBody)
  return [
    {
      name: 'GraphQL: one token (with metadata, attributes, contract)',
      connections: 32,
      request: {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: TOKEN_QUERY, variables: randomEvm() }) }),
      },
      raw: async () => {
        const t = randomEvm()
        const contractId = `eip155:1:${t.contract}`
        await read.loadTokenViews(db, [{ contractId, tokenId: t.tokenId }])
        await read.contractsByIds(db, [contractId])
      },
    },
    {
      name: 'Hiro: GET /metadata/v1/nft/:principal/:token_id',
      connections: 32,
      target: 3 * 1100,
      request: {
        method: 'GET',
        setupRequest: (req) => {
          const t = randomStacks()
          return { ...req, path: `/metadata/v1/nft/${t.principal}/${t.tokenId}` }
        },
      },
      raw: async () => {
        const t = randomStacks()
        await read.loadTokenViews(db, [{ contractId: `stacks:1:${t.principal}`, tokenId: t.tokenId }])
      },
    },
    {
      name: 'Status: GET /metadata/v1/ (no reuse; concurrent requests share one computation)',
      connections: 32,
      target: 100 * 9,
      request: { method: 'GET', path: '/metadata/v1/' },
      raw: () => read.statusSnapshot(db, { knownChains: ['eip155:1', 'stacks:1'] }),
    },
    {
      name: 'Sequence: GetTokenMetadataBatch, 50 contracts x 50 tokens',
      connections: 8,
      request: {
        method: 'POST',
        path: '/rpc/Metadata/GetTokenMetadataBatch',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: batches[rnd(batches.length)].body }),
      },
      raw: async () => {
        const { contracts } = batches[rnd(batches.length)]
        await read.loadTokenViews(db, Object.entries(contracts).flatMap(([a, ids]) => ids.map((tokenId) => ({ contractId: `eip155:1:${a}`, tokenId }))))
      },
    },
  ]
}

interface Row {
  name: string
  rps: number
  p50: number
  p99: number
  raw: Rate
  non2xx: number
  target?: number
}

async function measure(serverUrl: string, s: Scenario): Promise<Row> {
  // Warm up both paths (connections, prepared statements, JIT), then measure.
  await autocannon({ url: serverUrl, connections: s.connections, duration: 2, requests: [s.request] })
  const http = await autocannon({ url: serverUrl, connections: s.connections, duration: SECONDS, requests: [s.request] })
  log(`  http: ${Math.round(http.requests.average)} req/s, ${http.non2xx} non-2xx, ${http.errors} errors`)
  await rawRate(s.raw, s.connections, 2)
  const raw = await rawRate(s.raw, s.connections, SECONDS)
  log(`  raw SQL: ${Math.round(raw.perSecond)} ops/s`)
  return { name: s.name, rps: http.requests.average, p50: http.latency.p50, p99: http.latency.p99, raw, non2xx: http.non2xx + http.errors + http.timeouts, target: s.target }
}

function table(rows: Row[]): string {
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1))
  const lines = [
    '| route | requests/s | p50 ms | p99 ms | raw SQL ops/s (same concurrency) | API / raw SQL | target req/s | vs target |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name}${r.non2xx ? ` [${r.non2xx.toLocaleString('en-US')} non-2xx]` : ''} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${fmt(r.raw.perSecond)} (p50 ${r.raw.p50.toFixed(1)}, p99 ${r.raw.p99.toFixed(1)}) | ${(r.rps / r.raw.perSecond).toFixed(2)} | ${r.target ? fmt(r.target) : '-'} | ${r.target ? `${(r.rps / r.target).toFixed(2)}x` : '-'} |`,
    ),
  ]
  return lines.join('\n')
}

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

async function main(): Promise<void> {
  const started = Date.now()
  const database = await scratchDatabase()
  let server: ChildProcess | undefined
  const pool = new Pool({ connectionString: database.url, max: POOL_SIZE })
  try {
    log(`migrating ${database.url.replace(/:[^:@/]*@/, ':***@')}`)
    await migrate(database.url)
    log('filling')
    const tokens = await fill(database.url)
    log(`${tokens.toLocaleString('en-US')} tokens in ${((Date.now() - started) / 1000).toFixed(0)} s`)
    if (process.env.BENCH_KEEP) {
      log(`kept: ${database.url}`)
      await new Promise((resolve) => process.once('SIGINT', resolve))
      return
    }
    const read = fromLib<typeof ReadModule>('store/read/index')
    const db = read.readDbFromPool(pool)
    const rows: Row[] = []
    const running = await startServer(database.url, 0)
    server = running.child
    log(`server at ${running.url}`)
    for (const s of scenarios(read, db)) {
      log(`measuring: ${s.name}`)
      rows.push(await measure(running.url, s))
    }
    server.kill('SIGTERM')
    const cached = await startServer(database.url, 1000)
    server = cached.child
    log('measuring: status with the default 1 s snapshot reuse')
    rows.push(
      await measure(cached.url, {
        name: 'Status: GET /metadata/v1/ (default: snapshot reused for 1 s)',
        connections: 32,
        target: 100 * 9,
        request: { method: 'GET', path: '/metadata/v1/' },
        raw: () => read.statusSnapshot(db, { knownChains: ['eip155:1', 'stacks:1'] }),
      }),
    )
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' ')
    process.stdout.write(
      `\n${tokens.toLocaleString('en-US')} tokens, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${load}, ` +
        `${SECONDS} s per run, pg pool ${POOL_SIZE} on both sides. Non-2xx on the Hiro route are the 422s of the 2% of tokens ` +
        `whose metadata FAILED or is INVALID (fixture), not errors.\n\n${table(rows)}\n`,
    )
  } finally {
    server?.kill('SIGTERM')
    await pool.end()
    await database.stop()
  }
}

if (process.argv[2] === 'serve') {
  serve().catch((err: unknown) => {
    log(`server failed: ${(err as Error).stack ?? String(err)}`)
    process.exit(1)
  })
} else {
  main().catch((err: unknown) => {
    log(`benchmark failed: ${(err as Error).stack ?? String(err)}`)
    process.exit(1)
  })
}
