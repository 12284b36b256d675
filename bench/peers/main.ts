/**
 * `npm run bench:peers`: us against the peers a user would pick, on the same machine, chain and
 * data, in one run (issue 20). Installs the peers on demand (bench/peers/install.ts), then:
 *
 *   1. ingest: our evm-processor, a plain Subsquid squid, Ponder (bench/peers/ingest.ts);
 *   2. pipeline: our worker vs our job handler under graphile-worker (bench/peers/pipeline.ts);
 *   3. GraphQL reads: @subsquid/graphql-server vs our API on one database (bench/peers/graphql.ts).
 *
 *   npm run bench:peers                          # 100,000 mints + 20,000 transfers; 10,000 jobs; 1,000,000 tokens
 *   npm run bench:peers -- --quick               # 20,000 + 4,000; 2,000 jobs; 100,000 tokens; 5 s per route
 *   options: --mints N --transfers N --tokens N (pipeline jobs) --api-tokens N --seconds S (per route)
 *            --concurrency 50 --latency 20 --parts ingest,pipeline,graphql --no-md
 *
 * DATABASE_URL: a server to create scratch databases on; unset = embedded Postgres in a temp dir.
 */
import { writeBenchResult, commandLine, fmt, intArg, log, machine, machineTable, parseArgs, runBenchMain, startPostgres } from '../common'
import { runGraphqlPart, type GraphqlPart } from './graphql'
import { runIngestPart, type IngestPart } from './ingest'
import { preparePeers } from './install'
import { runPipelinePart, type PipelinePart } from './pipeline'
import { peersReport } from './report'

const PARTS = ['ingest', 'pipeline', 'graphql'] as const
type Part = (typeof PARTS)[number]

export interface PeersOptions {
  mints: number
  transfers: number
  jobs: number
  apiTokens: number
  seconds: number
  concurrency: number
  latencyMs: number
  parts: Part[]
  markdown: boolean
}

export function peersOptions(argv: string[]): PeersOptions {
  const a = parseArgs(argv)
  const quick = a.flags.has('quick')
  const parts = (a.values.get('parts') ?? PARTS.join(',')).split(',').map((p) => p.trim())
  for (const p of parts) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--parts: unknown part ${p} (${PARTS.join(', ')})`)
  return {
    mints: intArg(a, 'mints', quick ? 20_000 : 100_000),
    transfers: intArg(a, 'transfers', quick ? 4_000 : 20_000),
    jobs: intArg(a, 'tokens', quick ? 2_000 : 10_000),
    apiTokens: intArg(a, 'api-tokens', quick ? 100_000 : 1_000_000),
    seconds: intArg(a, 'seconds', quick ? 5 : 10),
    concurrency: intArg(a, 'concurrency', 50),
    latencyMs: intArg(a, 'latency', 20),
    parts: parts as Part[],
    markdown: !a.flags.has('no-md'),
  }
}

/** Runs a part and prints its wall time (the whole run must stay within 15 minutes). */
async function timed<T>(name: string, times: Record<string, number>, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now()
  const r = await run()
  times[name] = (performance.now() - t0) / 1000
  log(`${name}: ${times[name].toFixed(0)} s`)
  return r
}

export async function runPeers(opts: PeersOptions): Promise<{ markdown: string }> {
  const m = machine()
  const times: Record<string, number> = {}
  const versions = await timed('install', times, async () => preparePeers())
  const pg = await startPostgres()
  let ingest: IngestPart | undefined
  let pipeline: PipelinePart | undefined
  let graphql: GraphqlPart | undefined
  try {
    if (opts.parts.includes('ingest')) ingest = await timed('ingest', times, () => runIngestPart(pg, opts.mints, opts.transfers, 42169))
    if (opts.parts.includes('pipeline')) pipeline = await timed('pipeline', times, () => runPipelinePart(pg, opts.jobs, opts.concurrency, opts.latencyMs))
    if (opts.parts.includes('graphql')) graphql = await timed('graphql', times, () => runGraphqlPart(pg, opts.apiTokens, opts.seconds))
  } finally {
    await pg.stop()
  }
  const md = [machineTable(m, commandLine()), '', peersReport({ versions, ingest, pipeline, graphql, times })].join('\n')
  process.stdout.write(`\n${md}\n\n`)
  if (opts.markdown) writeBenchResult(`Peers (${fmt(opts.mints)} mints, ${fmt(opts.jobs)} jobs, ${fmt(opts.apiTokens)} tokens)`, md)
  return { markdown: md }
}

if (require.main === module) runBenchMain('peers bench', () => runPeers(peersOptions(process.argv.slice(2))), 25)
