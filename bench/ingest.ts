/**
 * EVM ingest benchmark: backfill of N ERC-721 mints (default 100,000) by the real processor
 * process (`node lib/main/evm-processor.js`) from a local hardhat chain into an empty database,
 * next to the bounds measured in the same run:
 *
 *   - raw `eth_getLogs` over the same block range against the same node, in 10-block chunks with
 *     5 requests in flight (what Subsquid's RPC ingestion does: splitSize 10, concurrency 5),
 *     plus decoding every log with the generated decoder (`erc721.events.Transfer.decode`);
 *   - Postgres bulk load of the same rows (one token row + one metadata_job row per mint, same
 *     schema, indexes and triggers as production) via psql `COPY … FROM STDIN` and via multi-row
 *     `INSERT … SELECT unnest(…)` through node-postgres.
 *
 * Optional: the Stacks block source (`getBlockWithEvents`) over simulated blocks.
 *
 *   npm run bench:ingest                      # 100,000 tokens + 2,000 Stacks blocks
 *   npm run bench:ingest -- --tokens 20000
 *   npm run bench:ingest -- --quick           # 20,000 tokens, 500 Stacks blocks
 *   npm run bench:ingest -- --profile         # also: CPU profile of the processor (--cpu-prof)
 *                                             # and shipped code in ABBA order, --repeat runs each (2);
 *                                             # `node:<flag>` names a node flag (node:--max-semi-space-size=64)
 *   npm run bench:ingest -- --baseline /tmp/base
 *                                             # A/B: this tree's processor vs an earlier build's
 *                                             # (a package root with lib/ and db/migrations/), ABBA
 *   options: --stacks-blocks N (0 = skip), --no-trace (no timing probe in the processor),
 *            --no-md (do not write a report under bench/results/)
 *
 * DATABASE_URL: a server to create scratch databases on; unset = embedded Postgres in a temp dir.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Client } from 'pg'
import * as erc721 from '../src/abi/erc721'
import { createStacksBlockSource } from '../src/chains/stacks/blockSource'
import { simTx, startStacksSimulator } from '../devnet/stacks/simulator'
import { Cl } from '@stacks/transactions'
import {
  adminQuery,
  writeBenchResult,
  ROOT,
  commandLine,
  connect,
  createDatabase,
  dropDatabase,
  fmt,
  indexedHeight,
  intArg,
  latestProfile,
  log,
  machine,
  machineTable,
  mb,
  mdTable,
  mintCollection,
  parseArgs,
  pct,
  profileTables,
  readTrace,
  traceOptions,
  traceTables,
  type Trace,
  rpcCall,
  sleep,
  startChain,
  startChild,
  startPostgres,
  summarizeProfile,
  treeCpu,
  withDatabase,
  type Chain,
  type PgServer,
  runBenchMain,
} from './common'

const CHAIN = 'eip155:31337'
const FINALITY = 10
const TARGET = 0.5
/** Of the Postgres bulk-load bound (`INSERT … SELECT unnest()` of the same rows), issue 20. */
const BULK_TARGET = 0.6
/** Database the end-to-end runs index into (bench/scale.ts reads the queue the processor left there). */
export const INGEST_DATABASE = 'tms_bench_ingest'

export interface IngestOptions {
  tokens: number
  stacksBlocks: number
  profile: boolean
  /** timing probe in the processor (bench/preload/trace.ts) */
  trace: boolean
  markdown: boolean
  /** A/B rounds when a baseline is given */
  repeat: number
  /**
   * A package root holding an earlier build of this project (its own lib/ and db/migrations/,
   * e.g. `git archive <commit>` built with tsc): its evm-processor runs as the A/B side "before"
   * and this tree's as "after", alternating (ABBA), so a change to the shipped code is measured
   * against the code it replaces on the same machine minutes apart.
   */
  baseline?: string
}

export function ingestOptions(argv: string[]): IngestOptions {
  const a = parseArgs(argv)
  const quick = a.flags.has('quick')
  return {
    tokens: intArg(a, 'tokens', quick ? 20_000 : 100_000),
    stacksBlocks: intArg(a, 'stacks-blocks', quick ? 500 : 2_000),
    profile: a.flags.has('profile'),
    trace: !a.flags.has('no-trace'),
    markdown: !a.flags.has('no-md'),
    repeat: Math.max(1, intArg(a, 'repeat', 2)),
    baseline: a.values.get('baseline') ? path.resolve(a.values.get('baseline')!) : undefined,
  }
}

interface RawRate {
  logs: number
  seconds: number
  requests: number
  decodeSeconds: number
}

/** eth_getLogs in 10-block chunks, 5 in flight, decoding each chunk as it arrives. */
async function rawGetLogsAndDecode(rpcUrl: string, from: number, to: number): Promise<RawRate> {
  const chunks: [number, number][] = []
  for (let b = from; b <= to; b += 10) chunks.push([b, Math.min(to, b + 9)])
  let next = 0
  let logs = 0
  let decodeMs = 0
  let checksum = 0n
  const started = performance.now()
  const hex = (n: number) => `0x${n.toString(16)}`
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      while (next < chunks.length) {
        const [a, b] = chunks[next++]
        const res = await rpcCall<{ result: { topics: string[]; data: string }[] }>(rpcUrl, {
          jsonrpc: '2.0',
          id: 1,
          method: 'eth_getLogs',
          params: [{ fromBlock: hex(a), toBlock: hex(b) }],
        })
        const t = performance.now()
        for (const l of res.result) {
          if (l.topics[0] !== erc721.events.Transfer.topic || l.topics.length !== 4) continue
          const e = erc721.events.Transfer.decode(l)
          checksum += e.tokenId
          logs++
        }
        decodeMs += performance.now() - t
      }
    }),
  )
  if (checksum < 0n) throw new Error('unreachable')
  return { logs, seconds: (performance.now() - started) / 1000, requests: chunks.length, decodeSeconds: decodeMs / 1000 }
}

interface Rows {
  contractId: string
  address: string
  tokens: { id: string; tokenId: string }[]
}

function benchRows(address: string, n: number): Rows {
  const a = address.toLowerCase()
  const contractId = `${CHAIN}:${a}`
  return { contractId, address: a, tokens: Array.from({ length: n }, (_, i) => ({ id: `${contractId}:${i}`, tokenId: String(i) })) }
}

async function insertContract(c: Client, r: Rows): Promise<void> {
  await c.query(`INSERT INTO contract (id, chain, address, standard, first_seen_block, update_mode, created_at) VALUES ($1, $2, $3, 'ERC721', 1, 'STANDARD', now())`, [
    r.contractId,
    CHAIN,
    r.address,
  ])
}

const TOKEN_COLS = 'id, chain, token_id, standard, owner, supply, burned, mint_block, mint_tx, minted_at, update_mode, contract_id'
const JOB_COLS = 'id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version, queued_at, created_at, updated_at'
const OWNER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
const TX = '0x' + 'ab'.repeat(32)

/** Bulk load through psql COPY FROM STDIN (CSV), one psql per table. */
async function copyViaPsql(url: string, r: Rows): Promise<number> {
  const now = new Date().toISOString()
  const tokenCsv = r.tokens.map((t) => `${t.id},${CHAIN},${t.tokenId},ERC721,${OWNER},1,f,1,${TX},${now},STANDARD,${r.contractId}`).join('\n') + '\n'
  const jobCsv = r.tokens.map((t) => `token:${t.id},TOKEN,${CHAIN},${r.contractId},${t.id},QUEUED,10,${now},0,1,${now},${now},${now}`).join('\n') + '\n'
  const psql = (sql: string, input: string) =>
    new Promise<void>((resolve, reject) => {
      const p = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { stdio: ['pipe', 'ignore', 'pipe'] })
      let err = ''
      p.stderr.on('data', (d: Buffer) => (err += d.toString()))
      p.on('error', reject)
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${err}`))))
      p.stdin.end(input)
    })
  const t = performance.now()
  await psql(`COPY token (${TOKEN_COLS}) FROM STDIN WITH (FORMAT csv)`, tokenCsv)
  await psql(`COPY metadata_job (${JOB_COLS}) FROM STDIN WITH (FORMAT csv)`, jobCsv)
  return (performance.now() - t) / 1000
}

/** Bulk load through INSERT … SELECT unnest($n::type[]), 10,000 rows per statement, one transaction. */
async function insertUnnest(c: Client, r: Rows): Promise<number> {
  const t = performance.now()
  await c.query('BEGIN')
  for (let i = 0; i < r.tokens.length; i += 10_000) {
    const part = r.tokens.slice(i, i + 10_000)
    await c.query(
      `INSERT INTO token (${TOKEN_COLS})
       SELECT id, $2, token_id, 'ERC721', $3, 1, false, 1, $4, now(), 'STANDARD', $5
         FROM unnest($1::text[], $6::numeric[]) AS r(id, token_id)`,
      [part.map((x) => x.id), CHAIN, OWNER, TX, r.contractId, part.map((x) => x.tokenId)],
    )
    await c.query(
      `INSERT INTO metadata_job (${JOB_COLS})
       SELECT 'token:' || ref, 'TOKEN', $2, $3, ref, 'QUEUED', 10, now(), 0, 1, now(), now(), now()
         FROM unnest($1::text[]) AS r(ref) ORDER BY 1`,
      [part.map((x) => x.id), CHAIN, r.contractId],
    )
  }
  await c.query('COMMIT')
  return (performance.now() - t) / 1000
}

async function bulkLoadBound(pg: PgServer, address: string, n: number): Promise<{ copySeconds?: number; unnestSeconds: number; copyNote: string }> {
  const rows = benchRows(address, n)
  let copySeconds: number | undefined
  let copyNote = 'psql COPY FROM STDIN (csv)'
  const hasPsql = await new Promise<boolean>((resolve) => {
    const p = spawn('psql', ['--version'], { stdio: 'ignore' })
    p.on('error', () => resolve(false))
    p.on('exit', (code) => resolve(code === 0))
  })
  if (hasPsql) {
    const url = await createDatabase(pg, 'tms_bench_copy')
    const c = await connect(url)
    await insertContract(c, rows)
    await c.end()
    copySeconds = await copyViaPsql(url, rows)
    await dropDatabase(pg, 'tms_bench_copy')
  } else {
    copyNote = 'psql not installed: COPY skipped'
  }
  const url = await createDatabase(pg, 'tms_bench_unnest')
  const c = await connect(url)
  await insertContract(c, rows)
  const unnestSeconds = await insertUnnest(c, rows)
  await c.end()
  await dropDatabase(pg, 'tms_bench_unnest')
  return { copySeconds, unnestSeconds, copyNote }
}

export interface E2E {
  seconds: number
  steadySeconds: number
  startupSeconds: number
  hwmKb: number
  cpu: { processor: number; hardhat: number; postgres: number }
  tokens: number
  jobs: number
  profile?: string
  trace?: Trace
}

/** startChild runs `<ROOT>/lib/main/<entry>.js`: the baseline's processor as a path relative to that. */
function processorEntry(root: string | undefined): string {
  return root ? path.relative(path.join(ROOT, 'lib/main'), path.join(root, 'lib/main/evm-processor')) : 'evm-processor'
}

/** The real evm-processor from an empty database (INGEST_DATABASE, left in place) to `head`. */
export async function runProcessor(pg: PgServer, chain: Chain, head: number, profileDir: string | undefined, traceFile: string | undefined, root?: string): Promise<E2E> {
  const dbName = INGEST_DATABASE
  await dropDatabase(pg, dbName)
  await adminQuery(pg.adminUrl, `CREATE DATABASE "${dbName}"`) // empty: the processor migrates it, as in production
  const url = withDatabase(pg.adminUrl, dbName)
  const probe = await connect(url)
  const cpu0 = { hardhat: treeCpu(chain.node.pid), postgres: pg.pid ? treeCpu(pg.pid) : 0 }
  const t0 = performance.now()
  const proc = startChild(
    processorEntry(root),
    [CHAIN],
    {
      DATABASE_URL: url,
      EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.node.rpcUrl, finality: FINALITY, headPollMs: 50 }]),
    },
    { cpuProfDir: profileDir, ...traceOptions(traceFile, 'processor') },
  )
  let ready: number | undefined
  const deadline = 15 * 60_000
  try {
    await (async () => {
      const end = Date.now() + deadline
      for (;;) {
        const h = await indexedHeight(probe, CHAIN)
        if (ready === undefined && h >= -1) {
          const { rows } = await probe.query(`SELECT 1 FROM pg_tables WHERE tablename = 'status' AND schemaname = 'eip155_31337_processor'`).catch(() => ({ rows: [] }))
          if (rows.length) ready = performance.now()
        }
        if (h >= head) return
        if (proc.child.exitCode !== null) throw new Error(`processor exited (${proc.child.exitCode}):\n${proc.output()}`)
        if (Date.now() > end) throw new Error(`processor did not reach ${head} within ${deadline} ms (at ${h})\n${proc.output()}`)
        proc.sample()
        await sleep(50)
      }
    })()
    const t1 = performance.now()
    proc.sample()
    const cpuProc = proc.cpuSeconds()
    const cpu1 = { hardhat: treeCpu(chain.node.pid), postgres: pg.pid ? treeCpu(pg.pid) : 0 }
    const { rows } = await probe.query(`SELECT (SELECT count(*)::int FROM token) AS tokens, (SELECT count(*)::int FROM metadata_job) AS jobs`)
    await proc.stop()
    await probe.end()
    const profile = profileDir ? latestProfile(profileDir) : undefined
    const trace = traceFile ? readTrace(traceFile) : undefined
    return {
      seconds: (t1 - t0) / 1000,
      steadySeconds: (t1 - (ready ?? t0)) / 1000,
      startupSeconds: ((ready ?? t0) - t0) / 1000,
      hwmKb: proc.peak.hwmKb,
      cpu: { processor: cpuProc, hardhat: cpu1.hardhat - cpu0.hardhat, postgres: cpu1.postgres - cpu0.postgres },
      tokens: rows[0].tokens,
      jobs: rows[0].jobs,
      profile,
      trace,
    }
  } finally {
    await proc.stop('SIGKILL').catch(() => {})
    await probe.end().catch(() => {})
  }
}

/** CHECKPOINT (embedded server: we are superuser) so one measurement does not pay for the previous one's writes. */
async function checkpoint(pg: PgServer): Promise<void> {
  await adminQuery(pg.adminUrl, 'CHECKPOINT').catch(() => {})
}

// ---------------------------------------------------------------------------------------------
// Stacks block source over the simulator

interface StacksResult {
  blocks: number
  events: number
  txs: number
  mineSeconds: number
  sequential: { seconds: number }
  concurrent: { seconds: number; inFlight: number }
  requestsPerBlock: number
  /** the real stacks-processor process over the same blocks, when lib/main/stacks-processor.js exists */
  processor?: { seconds: number; startupSeconds: number; hwmKb: number; tokens: number; jobs: number; error?: string }
}

/** `node lib/main/stacks-processor.js` against the simulator, from an empty database to the tip. */
async function stacksProcessor(pg: PgServer, apiUrl: string, chainId: string, tip: number): Promise<NonNullable<StacksResult['processor']>> {
  const dbName = 'tms_bench_stacks'
  await dropDatabase(pg, dbName)
  await adminQuery(pg.adminUrl, `CREATE DATABASE "${dbName}"`)
  const url = withDatabase(pg.adminUrl, dbName)
  const probe = await connect(url)
  const t0 = performance.now()
  const proc = startChild('stacks-processor', [], { DATABASE_URL: url, STACKS_API_URL: apiUrl, STACKS_CHAIN: chainId, STACKS_START_HEIGHT: '1', STACKS_POLL_MS: '50' })
  let ready: number | undefined
  try {
    const end = Date.now() + 5 * 60_000
    for (;;) {
      const h = await indexedHeight(probe, chainId)
      if (ready === undefined && h >= 0) ready = performance.now()
      if (h >= tip) break
      if (proc.child.exitCode !== null) throw new Error(`stacks-processor exited (${proc.child.exitCode}):\n${proc.output().slice(-2000)}`)
      if (Date.now() > end) throw new Error(`stacks-processor did not reach ${tip} within 5 min (at ${h})\n${proc.output().slice(-2000)}`)
      proc.sample()
      await sleep(50)
    }
    const seconds = (performance.now() - t0) / 1000
    proc.sample()
    const { rows } = await probe.query(`SELECT (SELECT count(*)::int FROM token) AS tokens, (SELECT count(*)::int FROM metadata_job) AS jobs`)
    return { seconds, startupSeconds: ((ready ?? t0) - t0) / 1000, hwmKb: proc.peak.hwmKb, tokens: rows[0].tokens, jobs: rows[0].jobs }
  } finally {
    await proc.stop()
    await probe.end().catch(() => {})
    await dropDatabase(pg, dbName)
  }
}

async function stacksBlockSource(nBlocks: number, pg: PgServer): Promise<StacksResult> {
  const sim = await startStacksSimulator()
  try {
    const { deployer, wallet_1, wallet_2 } = sim.accounts
    const t0 = performance.now()
    const first = sim.tip().height + 1
    const timeLimit = Date.now() + 6 * 60_000
    for (let i = 0; i < nBlocks && Date.now() < timeLimit; i++) {
      await sim.mineBlock([
        simTx.call(sim.contracts.nft, 'mint', [Cl.principal(wallet_1)], deployer),
        simTx.call(sim.contracts.nft, 'mint', [Cl.principal(wallet_2)], deployer),
        simTx.call(sim.contracts.nft, 'mint', [Cl.principal(wallet_1)], deployer),
        simTx.call(sim.contracts.ft, 'mint', [Cl.uint(1000 + i), Cl.principal(wallet_2)], deployer),
      ])
      if ((i + 1) % 500 === 0) log(`  stacks: mined ${i + 1} / ${nBlocks} blocks`)
    }
    const mineSeconds = (performance.now() - t0) / 1000
    const tip = sim.tip().height
    const heights = Array.from({ length: tip - first + 1 }, (_, i) => first + i)
    const src = createStacksBlockSource({ baseUrl: sim.url })
    const reqBefore = sim.requests.length
    let events = 0
    let txs = 0
    const s0 = performance.now()
    for (const h of heights) {
      const b = await src.getBlockWithEvents(h)
      txs += b.txs.length
      for (const tx of b.txs) events += tx.events.length
    }
    const seqSeconds = (performance.now() - s0) / 1000
    const reqs = Math.min(10_000, sim.requests.length) - Math.min(10_000, reqBefore)
    const inFlight = 4
    let next = 0
    const c0 = performance.now()
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < heights.length) await src.getBlockWithEvents(heights[next++])
      }),
    )
    const conSeconds = (performance.now() - c0) / 1000
    let processor: StacksResult['processor']
    if (fs.existsSync(path.join(ROOT, 'lib/main/stacks-processor.js'))) {
      log('  stacks-processor end to end…')
      processor = await stacksProcessor(pg, sim.url, sim.chainId, tip).catch((e: unknown) => ({
        seconds: NaN,
        startupSeconds: NaN,
        hwmKb: 0,
        tokens: 0,
        jobs: 0,
        error: String(e).slice(0, 300),
      }))
    }
    return {
      processor,
      blocks: heights.length,
      events,
      txs,
      mineSeconds,
      sequential: { seconds: seqSeconds },
      concurrent: { seconds: conSeconds, inFlight },
      requestsPerBlock: reqs > 0 && reqBefore + heights.length * 3 < 10_000 ? reqs / heights.length : 3,
    }
  } finally {
    await sim.stop()
  }
}

// ---------------------------------------------------------------------------------------------

interface BaselineAB {
  root: string
  /** wall seconds of this tree's runs (the first is the traced run) and of the baseline's */
  after: number[]
  before: number[]
  afterRuns: E2E[]
  beforeRuns: E2E[]
}

/** ABBA rounds of this tree (A, the first being the run already made) and the baseline build (B). */
async function baselineAB(server: PgServer, chain: Chain, head: number, opts: IngestOptions, first: E2E): Promise<BaselineAB> {
  const root = opts.baseline!
  const ab: BaselineAB = { root, after: [first.seconds], before: [], afterRuns: [first], beforeRuns: [] }
  const order = Array.from({ length: 2 * opts.repeat }, (_, i) => 'ABBA'[i % 4] === 'B').slice(1)
  for (const isBefore of order) {
    await checkpoint(server)
    log(`end to end, ${isBefore ? `baseline ${root}` : 'this tree'} (${(isBefore ? ab.before : ab.after).length + 1}/${opts.repeat})…`)
    const r = await runProcessor(server, chain, head, undefined, undefined, isBefore ? root : undefined)
    if (r.tokens !== opts.tokens || r.jobs !== opts.tokens + 1) throw new Error(`run indexed ${r.tokens} tokens / ${r.jobs} jobs`)
    ;(isBefore ? ab.before : ab.after).push(r.seconds)
    ;(isBefore ? ab.beforeRuns : ab.afterRuns).push(r)
    log(`  ${r.seconds.toFixed(2)} s = ${fmt(opts.tokens / r.seconds)} events/s`)
  }
  return ab
}

function baselineRow(ab: BaselineAB, e2e: E2E, opts: IngestOptions, rawRate: number, bulkRate: number): string[] {
  const rate = (s: number) => opts.tokens / s
  const best = (xs: number[]) => Math.min(...xs)
  const rss = (runs: E2E[]) => mb(Math.max(...runs.map((r) => r.hwmKb)))
  const cpu = (runs: E2E[]) => (runs.reduce((a, r) => a + r.cpu.processor, 0) / runs.length).toFixed(1)
  const pgCpu = (runs: E2E[]) => (runs.reduce((a, r) => a + r.cpu.postgres, 0) / runs.length).toFixed(1)
  return [
    `A/B, alternating runs (ABBA): this tree vs baseline build \`${path.basename(ab.root)}\``,
    `${fmt(rate(best(ab.after)))} vs ${fmt(rate(best(ab.before)))} events/s (best)`,
    `this tree ${ab.after.map((x) => fmt(rate(x))).join(', ')}; baseline ${ab.before.map((x) => fmt(rate(x))).join(', ')} events/s; best vs best ${(best(ab.before) / best(ab.after)).toFixed(2)}x; ` +
      `ratio to getLogs + decode ${pct(rate(best(ab.after)) / rawRate)} vs ${pct(rate(best(ab.before)) / rawRate)}; ` +
      `to the bulk-load bound ${pct(rate(best(ab.after)) / bulkRate)} vs ${pct(rate(best(ab.before)) / bulkRate)}; peak RSS ${rss(ab.afterRuns)} vs ${rss(ab.beforeRuns)}; ` +
      `mean CPU processor ${cpu(ab.afterRuns)} vs ${cpu(ab.beforeRuns)} s, postgres ${pgCpu(ab.afterRuns)} vs ${pgCpu(ab.beforeRuns)} s` +
      (e2e.trace ? '; the first run of this tree carries the timing probe' : ''),
  ]
}

export async function runIngest(opts: IngestOptions, pg?: PgServer): Promise<{ markdown: string; ratio: number }> {
  const m = machine()
  log(`ingest: ${fmt(opts.tokens)} ERC-721 mints; ${m.nproc} CPUs, ${m.cpu}, Node ${m.node}`)
  const ownPg = !pg
  const [server, chain] = await Promise.all([pg ? Promise.resolve(pg) : startPostgres(), startChain()])
  const profileDir = opts.profile ? fs.mkdtempSync(path.join(os.tmpdir(), 'tms-bench-prof-')) : undefined
  try {
    log('minting…')
    const minted = await mintCollection(chain, opts.tokens, 'https://meta.example/bench/')
    await chain.driver.mine(3)
    const head = Number(await chain.driver.blockNumber())
    log(`minted ${fmt(opts.tokens)} tokens in ${minted.txs} txs (${minted.seconds.toFixed(1)} s); head ${head}`)

    log('bound: eth_getLogs + decode…')
    const rawRuns = [
      await rawGetLogsAndDecode(chain.node.rpcUrl, 0, head),
      await rawGetLogsAndDecode(chain.node.rpcUrl, 0, head),
      await rawGetLogsAndDecode(chain.node.rpcUrl, 0, head),
    ]
    const raw = rawRuns.reduce((a, b) => (a.seconds <= b.seconds ? a : b))
    if (raw.logs !== opts.tokens) throw new Error(`getLogs returned ${raw.logs} Transfer logs, expected ${opts.tokens}`)
    const rawRate = raw.logs / raw.seconds
    log(`  ${fmt(raw.logs)} logs in ${raw.seconds.toFixed(2)} s = ${fmt(rawRate)} events/s (decode ${raw.decodeSeconds.toFixed(2)} s)`)

    log('bound: Postgres bulk load…')
    const bulk = await bulkLoadBound(server, minted.contract.address, opts.tokens)
    const copyRate = bulk.copySeconds ? opts.tokens / bulk.copySeconds : NaN
    const unnestRate = opts.tokens / bulk.unnestSeconds
    log(
      `  COPY ${bulk.copySeconds?.toFixed(2) ?? '-'} s = ${fmt(copyRate)} tokens/s; unnest ${bulk.unnestSeconds.toFixed(2)} s = ${fmt(unnestRate)} tokens/s (each: 1 token + 1 job row)`,
    )

    await checkpoint(server) // the bulk-load bound just wrote 2N rows: do not leave their flush to the e2e run
    log('end to end: evm-processor…')
    const traceFile = opts.trace ? path.join(os.tmpdir(), `tms-bench-trace-processor-${process.pid}.json`) : undefined
    const e2e = await runProcessor(server, chain, head, profileDir, traceFile)
    if (e2e.tokens !== opts.tokens || e2e.jobs !== opts.tokens + 1) throw new Error(`indexed ${e2e.tokens} tokens / ${e2e.jobs} jobs, expected ${opts.tokens} / ${opts.tokens + 1}`)
    const e2eRate = opts.tokens / e2e.seconds
    const steadyRate = opts.tokens / e2e.steadySeconds
    const ratio = e2eRate / rawRate
    log(
      `  ${e2e.seconds.toFixed(2)} s = ${fmt(e2eRate)} events/s (${fmt(steadyRate)} after ${e2e.startupSeconds.toFixed(2)} s start-up); peak RSS ${mb(e2e.hwmKb)}; ratio ${pct(ratio)} (target ${pct(TARGET)})`,
    )

    const before = opts.baseline ? await baselineAB(server, chain, head, opts, e2e) : undefined

    let stacks: StacksResult | undefined
    if (opts.stacksBlocks > 0) {
      log(`stacks block source over ${opts.stacksBlocks} simulated blocks…`)
      stacks = await stacksBlockSource(opts.stacksBlocks, server)
      log(`  sequential ${fmt(stacks.blocks / stacks.sequential.seconds)} blocks/s, ${fmt(stacks.events / stacks.sequential.seconds)} events/s`)
      if (stacks.processor) log(`  stacks-processor: ${stacks.processor.error ?? `${fmt(stacks.blocks / stacks.processor.seconds)} blocks/s`}`)
    }

    const rows: (string | number)[][] = [
      ['ERC-721 mints (events)', fmt(opts.tokens), `${minted.txs} txs, ${head + 1} blocks`],
      [
        'bound: eth_getLogs (10-block chunks, 5 in flight) + `Transfer.decode`',
        `${fmt(rawRate)} events/s`,
        `${raw.seconds.toFixed(2)} s (best of 3), ${raw.requests} requests, decode ${raw.decodeSeconds.toFixed(2)} s`,
      ],
      [
        'bound: Postgres `COPY FROM STDIN` (psql, csv) token + metadata_job rows',
        bulk.copySeconds ? `${fmt(copyRate)} tokens/s` : '-',
        bulk.copySeconds ? `${bulk.copySeconds.toFixed(2)} s for ${fmt(2 * opts.tokens)} rows (${fmt((2 * opts.tokens) / bulk.copySeconds)} rows/s)` : bulk.copyNote,
      ],
      [
        'bound: Postgres `INSERT … SELECT unnest()` token + metadata_job rows',
        `${fmt(unnestRate)} tokens/s`,
        `${bulk.unnestSeconds.toFixed(2)} s for ${fmt(2 * opts.tokens)} rows (${fmt((2 * opts.tokens) / bulk.unnestSeconds)} rows/s), 10k rows/statement, 1 tx`,
      ],
      [
        '**end to end: evm-processor, spawn → indexed height = head**',
        `**${fmt(e2eRate)} events/s**`,
        `${e2e.seconds.toFixed(2)} s (start-up incl. migrations ${e2e.startupSeconds.toFixed(2)} s; after start-up ${fmt(steadyRate)} events/s)`,
      ],
      [
        '**ratio end to end / (getLogs + decode)**',
        `**${pct(ratio)}**`,
        `target ≥ ${pct(TARGET)}: ${ratio >= TARGET ? 'met' : 'MISSED'}; after start-up ${pct(steadyRate / rawRate)}`,
      ],
      [
        '**ratio end to end / Postgres bulk-load bound (`unnest`)**',
        `**${pct(e2eRate / unnestRate)}**`,
        `target ≥ ${pct(BULK_TARGET)} (issue 20): ${e2eRate / unnestRate >= BULK_TARGET ? 'met' : 'MISSED'}; after start-up ${pct(steadyRate / unnestRate)}`,
      ],
      ...(before ? [baselineRow(before, e2e, opts, rawRate, unnestRate)] : []),
      ['processor peak RSS (VmHWM)', mb(e2e.hwmKb), ''],
      [
        'CPU seconds during the e2e run',
        `processor ${e2e.cpu.processor.toFixed(1)} s`,
        `hardhat ${e2e.cpu.hardhat.toFixed(1)} s, postgres ${pg?.embedded === false || !server.pid ? 'n/a' : `${e2e.cpu.postgres.toFixed(1)} s`} (wall ${e2e.seconds.toFixed(1)} s, ${m.nproc} CPUs)`,
      ],
    ]
    if (stacks) {
      rows.push(
        ['Stacks: simulated blocks (4 txs, 4 asset events each)', fmt(stacks.blocks), `mined in ${stacks.mineSeconds.toFixed(1)} s; ${fmt(stacks.events)} events`],
        [
          'Stacks: `getBlockWithEvents`, 1 in flight',
          `${fmt(stacks.blocks / stacks.sequential.seconds)} blocks/s`,
          `${fmt(stacks.events / stacks.sequential.seconds)} events/s, ~${stacks.requestsPerBlock.toFixed(1)} HTTP requests per block`,
        ],
        [
          `Stacks: \`getBlockWithEvents\`, ${stacks.concurrent.inFlight} in flight`,
          `${fmt(stacks.blocks / stacks.concurrent.seconds)} blocks/s`,
          `${fmt(stacks.events / stacks.concurrent.seconds)} events/s (simulator and client share the bench process)`,
        ],
      )
      const sp = stacks.processor
      if (sp?.error) rows.push(['Stacks: stacks-processor end to end', 'failed', sp.error])
      else if (sp) {
        rows.push([
          '**Stacks: stacks-processor, spawn → indexed height = tip**',
          `**${fmt(stacks.blocks / sp.seconds)} blocks/s**`,
          `${fmt(stacks.events / sp.seconds)} events/s, ${sp.seconds.toFixed(2)} s (start-up ${sp.startupSeconds.toFixed(2)} s); ${pct(stacks.sequential.seconds / sp.seconds)} of the 1-in-flight block source rate; ${fmt(sp.tokens)} tokens, ${fmt(sp.jobs)} jobs; peak RSS ${mb(sp.hwmKb)}`,
        ])
      }
    }
    let md = [machineTable(m, commandLine()), '', mdTable(['measure', 'value', 'detail'], rows)].join('\n')
    if (stacks && !stacks.processor) md += '\n\nThe Stacks processor is being written (no lib/main/stacks-processor.js yet); only its block source is measured here.'
    if (e2e.trace) md += `\n\n${traceTables(e2e.trace, 'processor', { n: opts.tokens, unit: 'event' })}`
    if (e2e.profile) {
      const s = summarizeProfile(e2e.profile)
      md += `\n\n${profileTables(s)}`
    }
    process.stdout.write(`\n${md}\n\n`)
    if (opts.markdown) writeBenchResult(`Ingest (${fmt(opts.tokens)} tokens)`, md)
    return { markdown: md, ratio }
  } finally {
    await chain.stop().catch(() => {})
    if (ownPg) await server.stop()
    if (profileDir) log(`CPU profile kept in ${profileDir}`)
  }
}

if (require.main === module) runBenchMain('ingest bench', () => runIngest(ingestOptions(process.argv.slice(2))), 25)
