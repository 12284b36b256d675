/**
 * API benchmark: fills a database with 1,000,000 tokens (bench/apiFixture.ts: 900 EVM + 100
 * Stacks contracts x 1,000), starts the API server in its own process, and drives the hot routes
 * with autocannon (10 s each, 127.0.0.1), each next to the rate of the same store calls run
 * through a pg pool of the same size with the same concurrency:
 * single-token GraphQL, the Hiro NFT route, the status route (computed per request, and with the
 * default 1 s reuse), a Sequence 50 x 50 batch, and an attribute-filtered GraphQL page.
 *
 *   npm run bench:api [-- --seconds 10 --contracts 900 --only explorer --no-md]
 *
 * --only: a comma list of route keys (graphql-token, hiro-nft, status, sequence-batch,
 * attribute-page, search, facets, facets-filtered, rarity-page, holdings, status-cached), or
 * `explorer` for the five explorer queries; default every route. --database URL: measure a database
 * already filled by this fixture (kept by BENCH_KEEP=1, say) instead of filling one; it is not dropped.
 * DATABASE_URL: a server to create a scratch database on; unset = an embedded Postgres in a temp
 * dir. BENCH_SECONDS and BENCH_CONTRACTS (EVM contracts of 1,000 tokens) are the defaults of
 * --seconds and --contracts. BENCH_KEEP=1: fill, print the database URL and wait (Ctrl-C drops
 * it) instead of measuring.
 *
 * The server and the store run from lib/ (tsc output): TypeORM entities need the decorator
 * metadata tsc emits. Only types are imported from src/.
 */
import { Pool } from 'pg'
import * as read from '../src/store/read'
import { explorerScenarios } from './explorerFixture'
import { cachedStatusScenario, fillDatabase, scenarios, shapeTokens, type FillShape, type Scenario } from './apiFixture'
import {
  writeBenchResult,
  commandLine,
  createDatabase,
  dropDatabase,
  fmt,
  intArg,
  log,
  machine,
  machineTable,
  parseArgs,
  startPostgres,
  type PgServer,
  runBenchMain,
} from './common'
import { httpRate, rawRouteRate, startApiServer, warmUp, type HttpRate, type Rate } from './httpLoad'

const POOL_SIZE = 10
const DATABASE = 'tms_bench_api'

export interface ApiOptions {
  seconds: number
  shape: FillShape
  markdown: boolean
  /** Route keys to measure; null = every route. */
  only: ReadonlySet<string> | null
  /** An already filled database to measure (not dropped); undefined = fill one. */
  database?: string
}

const EXPLORER_KEYS = ['search', 'facets', 'facets-filtered', 'rarity-page', 'holdings']

function onlyArg(list: string | undefined): ReadonlySet<string> | null {
  if (!list) return null
  return new Set(list.split(',').flatMap((k) => (k === 'explorer' ? EXPLORER_KEYS : [k.trim()])))
}

export function apiOptions(argv: string[]): ApiOptions {
  const a = parseArgs(argv)
  return {
    seconds: intArg(a, 'seconds', Number(process.env.BENCH_SECONDS ?? 10)),
    shape: { evmContracts: intArg(a, 'contracts', Number(process.env.BENCH_CONTRACTS ?? 900)), stacksContracts: 100, tokensPerContract: 1000 },
    markdown: !a.flags.has('no-md'),
    only: onlyArg(a.values.get('only')),
    database: a.values.get('database'),
  }
}

interface Row {
  name: string
  http: HttpRate
  raw: Rate
  target?: number
}

async function measure(serverUrl: string, s: Scenario, seconds: number): Promise<Row> {
  log(`measuring: ${s.name}`)
  const http = await httpRate(serverUrl, s, seconds)
  const raw = await rawRouteRate(s, seconds)
  return { name: s.name, http, raw, target: s.target }
}

function table(rows: Row[]): string {
  const f = (n: number) => (n >= 100 ? fmt(n) : n.toFixed(1))
  return [
    '| route | requests/s | p50 ms | p99 ms | raw SQL ops/s (same concurrency) | API / raw SQL | target req/s | vs target |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name}${r.http.failures ? ` [${fmt(r.http.failures)} non-2xx]` : ''} | ${f(r.http.perSecond)} | ${r.http.p50} | ${r.http.p99} | ${f(r.raw.perSecond)} (p50 ${r.raw.p50.toFixed(1)}, p99 ${r.raw.p99.toFixed(1)}) | ${(r.http.perSecond / r.raw.perSecond).toFixed(2)} | ${r.target ? f(r.target) : '-'} | ${r.target ? `${(r.http.perSecond / r.target).toFixed(2)}x` : '-'} |`,
    ),
  ].join('\n')
}

/** Every route on a server without status reuse, then the status route with the default reuse. */
async function measureAll(url: string, shape: FillShape, seconds: number, only: ReadonlySet<string> | null): Promise<Row[]> {
  const wanted = (key: string) => only === null || only.has(key)
  const pool = new Pool({ connectionString: url, max: POOL_SIZE })
  const db = read.readDbFromPool(pool)
  const rows: Row[] = []
  try {
    const plain = await startApiServer(url, 0, POOL_SIZE)
    try {
      const routes = [...scenarios(read, db, shape, ['graphql-token', 'hiro-nft', 'status', 'sequence-batch', 'attribute-page']), ...explorerScenarios(read, db)].filter((s) =>
        wanted(s.key),
      )
      await warmUp(plain.url, routes, 3)
      for (const s of routes) rows.push(await measure(plain.url, s, seconds))
    } finally {
      await plain.stop()
    }
    if (!wanted('status-cached')) return rows
    const cached = await startApiServer(url, 1000, POOL_SIZE)
    try {
      rows.push(await measure(cached.url, cachedStatusScenario(read, db), seconds))
    } finally {
      await cached.stop()
    }
  } finally {
    await pool.end()
  }
  return rows
}

/**
 * Runs the API benchmark on `pg` (or its own Postgres). `prefilled`: a database already filled
 * with `fillDatabase` in `opts.shape` (npm run bench shares the scale part's largest one).
 */
export async function runApi(opts: ApiOptions, pg?: PgServer, prefilled?: string): Promise<{ markdown: string; summary: string }> {
  const server = pg ?? (await startPostgres())
  const m = machine()
  try {
    let url = prefilled
    if (!url) {
      url = await createDatabase(server, DATABASE)
      log(`api: filling ${fmt(shapeTokens(opts.shape))} tokens`)
      const started = Date.now()
      const n = await fillDatabase(url, opts.shape)
      log(`  ${fmt(n)} tokens in ${((Date.now() - started) / 1000).toFixed(0)} s`)
      if (process.env.BENCH_KEEP) {
        log(`kept: ${url} (Ctrl-C drops it)`)
        await new Promise((resolve) => process.once('SIGINT', resolve))
        return { markdown: '', summary: '' }
      }
    }
    const rows = await measureAll(url, opts.shape, opts.seconds, opts.only)
    const md = [
      machineTable(m, commandLine()),
      '',
      `${fmt(shapeTokens(opts.shape))} tokens (${fmt(opts.shape.evmContracts)} EVM + ${fmt(opts.shape.stacksContracts)} Stacks contracts x ${fmt(opts.shape.tokensPerContract)}), ` +
        `${opts.only ? `routes: ${[...opts.only].join(', ')}; ` : ''}autocannon ${opts.seconds} s per route (after 3 s of load on every route, then a 2 s warm-up each), pg pool ${POOL_SIZE} on both sides; raw SQL = the same store calls (lib/store/read) at the same concurrency. ` +
        `Non-2xx on the Hiro route are the 422s of the 2% of tokens whose metadata FAILED or is INVALID (fixture), not errors.`,
      '',
      table(rows),
    ].join('\n')
    process.stdout.write(`\n${md}\n\n`)
    if (opts.markdown) writeBenchResult(`API (${fmt(shapeTokens(opts.shape))} tokens)`, md)
    const hiro = rows.find((r) => r.target === 3 * 1100)
    return {
      markdown: md,
      summary: hiro ? `Hiro NFT route ${fmt(hiro.http.perSecond)} req/s (target ${fmt(hiro.target!)}), ${(hiro.http.perSecond / hiro.raw.perSecond).toFixed(2)} of raw SQL` : '',
    }
  } finally {
    if (!prefilled) await dropDatabase(server, DATABASE)
    if (!pg) await server.stop()
  }
}

if (require.main === module) {
  const opts = apiOptions(process.argv.slice(2))
  runBenchMain('api bench', () => (opts.database ? runApi(opts, { adminUrl: opts.database, embedded: false, stop: async () => {} }, opts.database) : runApi(opts)))
}
