/**
 * Scale benchmark: how three costs grow from 10^4 to 10^6 tokens, each measured on real code:
 *
 *   - ingest time: the real `node lib/main/evm-processor.js` from an empty database to the head
 *     of a local hardhat chain holding N ERC-721 mint events (bench/emitterChain.ts: a contract
 *     that only logs them, 1,000 per transaction, one transaction per block);
 *   - job claim time: p50/p99 of `claimJobs` (lib/store/jobs/claim.js, called on a TypeORM
 *     DataSource's manager as workers call it) for batches of 50, on the queue that processor
 *     run left (N + 1 QUEUED jobs, after ANALYZE); each claimed batch is handed back with
 *     `releaseJobs` (untimed) so N jobs stay pending;
 *   - API latency: the API server in its own process on a database of N tokens filled like the
 *     API benchmark's (bench/apiFixture.ts), autocannon on single-token GraphQL and the Hiro NFT
 *     route (32 connections): requests/s, p50, p99.
 *
 * Prints a table, writes a dated report under bench/results/ and writes a PNG chart of it to
 * bench/results/scale-<UTC stamp>.png (linked from the section; with --no-md, into the temp dir).
 *
 *   npm run bench:scale                          # 10^4, 10^5, 10^6
 *   npm run bench:scale -- --quick               # 10^4, 10^5
 *   options: --tokens 10000,100000,1000000  --seconds 5 (autocannon per route and size)
 *            --claims 200 (timed claims per size)  --no-md  --no-chart
 *
 * DATABASE_URL: a server to create scratch databases on; unset = embedded Postgres in a temp dir.
 */
import os from 'node:os'
import path from 'node:path'
import { Pool } from 'pg'
import { claimJobs, releaseJobs } from '../src/store/jobs/claim'
import { openDataSource } from '../src/store/dataSource'
import * as read from '../src/store/read'
import { fillDatabase, scenarios, shapeFor, shapeTokens, type FillShape } from './apiFixture'
import { renderChart, type Panel } from './chart'
import { BIG_TOKENS } from './explorerFixture'
import {
  writeBenchResult,
  commandLine,
  createDatabase,
  dropDatabase,
  fmt,
  intArg,
  listArg,
  log,
  machine,
  machineTable,
  mb,
  mdTable,
  parseArgs,
  ROOT,
  startPostgres,
  withDatabase,
  type Machine,
  type PgServer,
  runBenchMain,
} from './common'
import { EVENTS_PER_TX, startEmitterChain, type EmitterChain } from './emitterChain'
import { httpRate, percentiles, startApiServer, warmUp, type HttpRate } from './httpLoad'
import { INGEST_DATABASE, runProcessor } from './ingest'

const CLAIM_BATCH = 50
const API_DATABASE = 'tms_bench_scale_api'
const POOL_SIZE = 10

export interface ScaleOptions {
  sizes: number[]
  apiSeconds: number
  claims: number
  markdown: boolean
  chart: boolean
}

export function scaleOptions(argv: string[]): ScaleOptions {
  const a = parseArgs(argv)
  const quick = a.flags.has('quick')
  return {
    sizes: [...listArg(a, 'tokens', quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000])].sort((x, y) => x - y),
    apiSeconds: Math.max(1, intArg(a, 'seconds', 5)),
    claims: Math.max(10, intArg(a, 'claims', 200)),
    markdown: !a.flags.has('no-md'),
    chart: !a.flags.has('no-chart'),
  }
}

interface IngestPoint {
  emitSeconds: number
  blocks: number
  seconds: number
  startupSeconds: number
  hwmKb: number
}

interface ClaimPoint {
  pending: number
  p50: number
  p99: number
  mean: number
}

interface ApiPoint {
  fillSeconds: number
  graphql: HttpRate
  hiro: HttpRate
}

/** A filled API database left for the caller, who drops it. */
export interface KeptDatabase {
  name: string
  url: string
  shape: FillShape
}

export interface Point {
  tokens: number
  ingest: IngestPoint
  claim: ClaimPoint
  api: ApiPoint
}

// ---------------------------------------------------------------------------------------------
// Job claims

/** Times `rounds` claims of 50 (after 10 untimed) on the queue at `url`, releasing each batch. */
async function measureClaims(url: string, rounds: number): Promise<ClaimPoint> {
  const ds = await openDataSource(url, 2)
  try {
    // a long-running queue has planner statistics; a table the processor filled seconds ago may not yet
    await ds.query('ANALYZE metadata_job')
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM metadata_job WHERE status = 'QUEUED'`)) as { n: number }[]
    const times: number[] = []
    for (let i = 0; i < rounds + 10; i++) {
      const t = performance.now()
      const jobs = await claimJobs(ds.manager, 'bench-scale', CLAIM_BATCH, 60_000)
      const ms = performance.now() - t
      if (jobs.length !== CLAIM_BATCH) throw new Error(`claimed ${jobs.length} jobs, expected ${CLAIM_BATCH} (${n} pending)`)
      if (i >= 10) times.push(ms)
      await releaseJobs(
        ds.manager,
        'bench-scale',
        jobs.map((j) => j.id),
        0,
      )
    }
    return { pending: n, ...percentiles(times), mean: times.reduce((a, b) => a + b, 0) / times.length }
  } finally {
    await ds.destroy()
  }
}

// ---------------------------------------------------------------------------------------------
// Phases

/** Per size: emit up to N events, index them with the real processor, time claims on its queue. */
async function chainPhase(pg: PgServer, chain: EmitterChain, opts: ScaleOptions): Promise<{ ingest: IngestPoint; claim: ClaimPoint }[]> {
  const out: { ingest: IngestPoint; claim: ClaimPoint }[] = []
  for (const n of opts.sizes) {
    log(`scale ${fmt(n)}: emitting mint events…`)
    const emitted = await chain.emitUpTo(n)
    log(`  chain holds ${fmt(n)} mints, head ${emitted.head} (${emitted.txs} txs in ${emitted.seconds.toFixed(1)} s)`)
    log(`scale ${fmt(n)}: evm-processor…`)
    const e2e = await runProcessor(pg, chain, emitted.head, undefined, undefined)
    if (e2e.tokens !== n || e2e.jobs !== n + 1) throw new Error(`indexed ${e2e.tokens} tokens / ${e2e.jobs} jobs, expected ${n} / ${n + 1}`)
    log(`  ${e2e.seconds.toFixed(2)} s (${fmt(n / e2e.seconds)} events/s), peak RSS ${mb(e2e.hwmKb)}`)
    log(`scale ${fmt(n)}: ${opts.claims} claims of ${CLAIM_BATCH}…`)
    const claim = await measureClaims(withDatabase(pg.adminUrl, INGEST_DATABASE), opts.claims)
    log(`  ${fmt(claim.pending)} pending: p50 ${claim.p50.toFixed(2)} ms, p99 ${claim.p99.toFixed(2)} ms`)
    await dropDatabase(pg, INGEST_DATABASE)
    out.push({ ingest: { emitSeconds: emitted.seconds, blocks: emitted.head + 1, seconds: e2e.seconds, startupSeconds: e2e.startupSeconds, hwmKb: e2e.hwmKb }, claim })
  }
  return out
}

/** Both routes on a fresh server over the filled database at `url`. */
async function measureApi(url: string, shape: FillShape, seconds: number): Promise<{ graphql: HttpRate; hiro: HttpRate }> {
  const pool = new Pool({ connectionString: url, max: 1 }) // scenarios() wants a pool for the raw calls, unused here
  const [graphqlRoute, hiroRoute] = scenarios(read, read.readDbFromPool(pool), shape, ['graphql-token', 'hiro-nft'])
  const server = await startApiServer(url, 0, POOL_SIZE)
  try {
    await warmUp(server.url, [graphqlRoute, hiroRoute], 3)
    log(`  ${graphqlRoute.name}`)
    const graphql = await httpRate(server.url, graphqlRoute, seconds)
    log(`  ${hiroRoute.name}`)
    const hiro = await httpRate(server.url, hiroRoute, seconds)
    return { graphql, hiro }
  } finally {
    await server.stop()
    await pool.end()
  }
}

/**
 * Per size: fill a database of N tokens, measure the routes, drop it; with `keepLargest`, the
 * largest one is left for the caller (npm run bench runs the API benchmark on it).
 */
async function apiPhase(pg: PgServer, opts: ScaleOptions, keepLargest: boolean): Promise<{ points: ApiPoint[]; kept?: KeptDatabase }> {
  const points: ApiPoint[] = []
  let kept: KeptDatabase | undefined
  for (const n of opts.sizes) {
    const shape = shapeFor(n)
    const largest = n === opts.sizes.at(-1)
    const name = keepLargest && largest ? `${API_DATABASE}_kept` : API_DATABASE
    log(`scale ${fmt(n)}: filling the API database…`)
    const url = await createDatabase(pg, name)
    const t = performance.now()
    const filled = await fillDatabase(url, shape)
    // the shape's tokens and the explorer routes' own collection
    const expected = shapeTokens(shape) + BIG_TOKENS
    if (filled !== expected) throw new Error(`filled ${filled} tokens, expected ${expected}`)
    const fillSeconds = (performance.now() - t) / 1000
    log(`scale ${fmt(n)}: API routes…`)
    points.push({ fillSeconds, ...(await measureApi(url, shape, opts.apiSeconds)) })
    if (keepLargest && largest) kept = { name, url, shape }
    else await dropDatabase(pg, name)
  }
  return { points, kept }
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(1))

function resultTable(points: Point[]): string {
  const rows = points.map((p) => [
    fmt(p.tokens),
    p.ingest.seconds.toFixed(1),
    fmt(p.tokens / p.ingest.seconds),
    mb(p.ingest.hwmKb),
    `${ms(p.claim.p50)} / ${ms(p.claim.p99)}`,
    `${fmt(p.api.graphql.perSecond)} (${p.api.graphql.p50} / ${p.api.graphql.p99})`,
    `${fmt(p.api.hiro.perSecond)} (${p.api.hiro.p50} / ${p.api.hiro.p99})`,
  ])
  const first = points[0]
  const last = points.at(-1)!
  if (points.length > 1) {
    const x = (a: number, b: number) => `${(b / a).toFixed(2)}x`
    rows.push([
      `**growth ${fmt(first.tokens)} → ${fmt(last.tokens)} (${fmt(last.tokens / first.tokens)}x tokens)**`,
      x(first.ingest.seconds, last.ingest.seconds),
      x(first.tokens / first.ingest.seconds, last.tokens / last.ingest.seconds),
      x(first.ingest.hwmKb, last.ingest.hwmKb),
      `${x(first.claim.p50, last.claim.p50)} / ${x(first.claim.p99, last.claim.p99)}`,
      `${x(first.api.graphql.perSecond, last.api.graphql.perSecond)} (p50 ${x(first.api.graphql.p50 || 1, last.api.graphql.p50 || 1)})`,
      `${x(first.api.hiro.perSecond, last.api.hiro.perSecond)} (p50 ${x(first.api.hiro.p50 || 1, last.api.hiro.p50 || 1)})`,
    ])
  }
  return mdTable(
    [
      'tokens',
      'ingest: evm-processor spawn → head (s)',
      'ingest events/s',
      'processor peak RSS',
      'claim 50 jobs, N pending: p50 / p99 ms',
      'GraphQL one token: req/s (p50 / p99 ms)',
      'Hiro NFT route: req/s (p50 / p99 ms)',
    ],
    rows,
  )
}

function detailTable(points: Point[]): string {
  return mdTable(
    ['tokens', 'chain: blocks, emit time', 'processor start-up (s)', 'claims: pending jobs, mean ms', 'API database fill (s)', 'non-2xx GraphQL / Hiro'],
    points.map((p) => [
      fmt(p.tokens),
      `${fmt(p.ingest.blocks)} blocks, ${p.ingest.emitSeconds.toFixed(1)} s`,
      p.ingest.startupSeconds.toFixed(2),
      `${fmt(p.claim.pending)}, ${p.claim.mean.toFixed(2)}`,
      p.api.fillSeconds.toFixed(1),
      `${fmt(p.api.graphql.failures)} / ${fmt(p.api.hiro.failures)}`,
    ]),
  )
}

/** One line for npm run bench's summary: growth of each measure from the smallest to the largest size. */
function growthLine(points: Point[]): string {
  const a = points[0]
  const b = points.at(-1)!
  const x = (p: number, q: number) => `${(q / p).toFixed(1)}x`
  return `${fmt(a.tokens)} → ${fmt(b.tokens)} tokens: ingest time ${x(a.ingest.seconds, b.ingest.seconds)}, claim p50 ${x(a.claim.p50, b.claim.p50)}, GraphQL token p50 ${x(a.api.graphql.p50 || 1, b.api.graphql.p50 || 1)}, Hiro NFT p50 ${x(a.api.hiro.p50 || 1, b.api.hiro.p50 || 1)}`
}

export function chartPanels(points: Point[]): Panel[] {
  const s = (series: string, y: (p: Point) => number, stat?: string) => points.map((p) => ({ series, stat, x: p.tokens, y: y(p) }))
  const graphql = 'GraphQL one token'
  const hiro = 'Hiro NFT route'
  return [
    { title: 'Ingest: evm-processor, empty database → head', yTitle: 'seconds (log)', yScale: 'log', points: s('ingest time', (p) => p.ingest.seconds) },
    {
      title: `Job claim, batch of ${CLAIM_BATCH}, N pending (solid p50, dashed p99)`,
      yTitle: 'ms',
      yScale: 'linear',
      points: [...s('claimJobs', (p) => p.claim.p50, 'p50'), ...s('claimJobs', (p) => p.claim.p99, 'p99')],
    },
    {
      title: 'API latency, 32 connections (solid p50, dashed p99)',
      yTitle: 'ms',
      yScale: 'linear',
      points: [
        ...s(graphql, (p) => p.api.graphql.p50, 'p50'),
        ...s(graphql, (p) => p.api.graphql.p99, 'p99'),
        ...s(hiro, (p) => p.api.hiro.p50, 'p50'),
        ...s(hiro, (p) => p.api.hiro.p99, 'p99'),
      ],
    },
    { title: 'API throughput', yTitle: 'requests/s', yScale: 'linear', points: [...s(graphql, (p) => p.api.graphql.perSecond), ...s(hiro, (p) => p.api.hiro.perSecond)] },
  ]
}

/** `chartFile`: as linked from the section (relative to the repository root). */
function notes(opts: ScaleOptions, chartFile: string | undefined): string {
  return [
    `Each size is measured once, in this order: all chain work (emit, processor, claims) for every size, then the API databases. ` +
      `Ingest: the mint events come from a contract that only logs \`Transfer(0x0, to, id)\` (bench/emitterChain.ts; ${fmt(EVENTS_PER_TX)} per transaction, one transaction per block): ` +
      `real TestERC721 mints run ~3,500/s on hardhat here (~5 min for 10^6), the emitter ~15,000/s; the processor reads logs only, so it ingests the same events either way. ` +
      `Time is from spawning the process (migrations included) until its indexed height equals the head. ` +
      `Claims: \`claimJobs\` for ${CLAIM_BATCH} jobs on the N + 1 jobs that processor run enqueued (after ANALYZE), ${opts.claims} timed calls after 10 untimed, one caller; each batch is released untimed so N stay pending. ` +
      `API: a database of N tokens filled like \`npm run bench:api\` (contracts of 1,000 tokens, nine in ten EVM), ${opts.apiSeconds} s of autocannon per route on a fresh server after 3 s of load on each route and a 2 s warm-up; non-2xx on the Hiro route are the fixture's 2% FAILED/INVALID tokens.`,
    chartFile ? `\n![scale chart](${chartFile})` : '',
  ].join('\n')
}

// ---------------------------------------------------------------------------------------------

/** Chart (unless --no-chart), markdown, report under bench/results/ (unless --no-md); returns the markdown. */
async function report(m: Machine, opts: ScaleOptions, points: Point[]): Promise<string> {
  const sizes = opts.sizes.map((n) => fmt(n)).join(' / ')
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')
  // the chart is linked from the section: without one (--no-md) it goes to the temp dir instead
  const chartFile = opts.chart ? path.join(opts.markdown ? path.join(ROOT, 'bench', 'results') : os.tmpdir(), `scale-${stamp}.png`) : undefined
  const shown = chartFile && opts.markdown ? path.relative(ROOT, chartFile) : chartFile
  if (chartFile) {
    await renderChart(chartFile, `Scale: ${sizes} tokens (x axis log)`, 'tokens', chartPanels(points))
    log(`chart: ${shown}`)
  }
  const md = [machineTable(m, commandLine()), '', resultTable(points), '', detailTable(points), '', notes(opts, shown)].join('\n')
  process.stdout.write(`\n${md}\n\n`)
  if (opts.markdown) writeBenchResult(`Scale (${sizes} tokens)`, md)
  return md
}

/**
 * Runs the scale benchmark on `pg` (or its own Postgres). `keepLargestApi`: leave the largest API
 * database in place and return it (the caller drops it).
 */
export async function runScale(opts: ScaleOptions, pg?: PgServer, keepLargestApi = false): Promise<{ markdown: string; summary: string; apiDatabase?: KeptDatabase }> {
  const m = machine()
  log(`scale: ${opts.sizes.map((n) => fmt(n)).join(', ')} tokens; ${m.nproc} CPUs, ${m.cpu}, Node ${m.node}`)
  const server = pg ?? (await startPostgres())
  try {
    const chain = await startEmitterChain()
    let chainPoints: Awaited<ReturnType<typeof chainPhase>>
    try {
      chainPoints = await chainPhase(server, chain, opts)
    } finally {
      await chain.stop() // before the API phase: hardhat holds every log in memory
    }
    const api = await apiPhase(server, opts, keepLargestApi)
    const points: Point[] = opts.sizes.map((tokens, i) => ({ tokens, ...chainPoints[i], api: api.points[i] }))
    const markdown = await report(m, opts, points).catch(async (e: unknown) => {
      if (api.kept) await dropDatabase(server, api.kept.name) // the caller never gets it
      throw e
    })
    return { markdown, summary: growthLine(points), apiDatabase: api.kept }
  } finally {
    if (!pg) await server.stop()
  }
}

if (require.main === module) runBenchMain('scale bench', () => runScale(scaleOptions(process.argv.slice(2))), 30)
