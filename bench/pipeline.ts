/**
 * Metadata pipeline benchmark: real worker processes (`node lib/main/worker.js`) drain N token
 * jobs (default 10,000 and 100,000) against a local metadata host that answers in 20 ms.
 *
 * Variant "chain": tokens minted on a local hardhat node (TestERC721, collections of 2,000 tokens:
 * the test contract's tokenURI scans its mint ranges, so bigger collections would measure that
 * scan) and indexed by the real processor; the workers read tokenURI from the hardhat node.
 * Variant "stub": the same rows inserted directly (contract, token, metadata_job), the workers'
 * chain reader pointed at a stub JSON-RPC endpoint answering at once: the hardhat node's eth_call
 * rate taken out of the measurement.
 *
 * Measured in the same run: jobs/s from the first claim to the last DONE; the concurrency bound
 * (WORKER_CONCURRENCY x workers / host latency) and the host's actual served ceiling at that
 * concurrency (bare HTTP load from a separate process); hardhat's tokenURI eth_call ceiling;
 * per-job database cost (pg_stat_database deltas / jobs); peak RSS per worker; scaling over 1, 2
 * and 4 workers.
 *
 *   npm run bench:pipeline                       # chain: 10k (1/2/4 workers) and 100k (1 worker);
 *                                                # stub: 10k (1/2/4 workers)
 *   npm run bench:pipeline -- --quick            # 10k only, 1/2 workers
 *   options: --tokens 10000,100000  --workers 1,2,4  --concurrency 50  --latency 20
 *            --variants chain,stub  --profile (CPU profile of the 1-worker 10k run)
 *            --no-trace  --no-md
 */
import { fork, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Client } from 'pg'
import {
  adminQuery,
  writeBenchResult,
  commandLine,
  connect,
  createDatabase,
  dbStats,
  dropDatabase,
  fmt,
  indexedHeight,
  intArg,
  latestProfile,
  listArg,
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
  rpcCall,
  sleep,
  startChain,
  startChild,
  startPostgres,
  statsDelta,
  summarizeProfile,
  traceOptions,
  traceTables,
  treeCpu,
  type Chain,
  type Child,
  type DbStats,
  type PgServer,
  type Trace,
  runBenchMain,
} from './common'

const CHAIN = 'eip155:31337'
const COLLECTION = 2_000
const TARGET = 0.8

type Variant = 'chain' | 'stub'

export interface PipelineOptions {
  sizes: number[]
  workers: number[]
  concurrency: number
  latencyMs: number
  variants: Variant[]
  profile: boolean
  trace: boolean
  markdown: boolean
}

export function pipelineOptions(argv: string[]): PipelineOptions {
  const a = parseArgs(argv)
  const quick = a.flags.has('quick')
  const variants = (a.values.get('variants') ?? 'chain,stub').split(',').map((v) => v.trim())
  for (const v of variants) if (v !== 'chain' && v !== 'stub') throw new Error(`--variants: unknown variant ${v}`)
  return {
    sizes: listArg(a, 'tokens', quick ? [10_000] : [10_000, 100_000]),
    workers: listArg(a, 'workers', quick ? [1, 2] : [1, 2, 4]),
    concurrency: intArg(a, 'concurrency', 50),
    latencyMs: intArg(a, 'latency', 20),
    variants: variants as Variant[],
    profile: a.flags.has('profile'),
    trace: !a.flags.has('no-trace'),
    markdown: !a.flags.has('no-md'),
  }
}

// ---------------------------------------------------------------------------------------------
// The host child (bench/host.ts) and the load generator (bench/load.ts)

export interface HostStats {
  served: number
  maxInFlight: number
  avgInFlight: number
  activeSeconds: number
  rpcRequests: number
  rpcCalls: number
}

export interface Host {
  child: ChildProcess
  hostUrl: string
  rpcUrl: string
  reset(): Promise<void>
  stats(): Promise<HostStats>
  stop(): Promise<void>
}

function request<T>(child: ChildProcess, msg: { type: string }, reply: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not answer ${msg.type}`)), timeoutMs)
    const on = (m: { type: string } & Record<string, unknown>) => {
      if (m.type !== reply) return
      clearTimeout(timer)
      child.off('message', on)
      resolve(m as T)
    }
    child.on('message', on)
    child.send(msg)
  })
}

export async function startHost(latencyMs: number): Promise<Host> {
  const child = fork(path.join(__dirname, 'host.js'), [String(latencyMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const ready = await new Promise<{ hostPort: number; rpcPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('metadata host did not start')), 10_000)
    child.once('message', (m: { type: string; hostPort: number; rpcPort: number }) => {
      clearTimeout(timer)
      resolve(m)
    })
    child.once('exit', (code) => reject(new Error(`metadata host exited (${code})`)))
  })
  return {
    child,
    hostUrl: `http://127.0.0.1:${ready.hostPort}`,
    rpcUrl: `http://127.0.0.1:${ready.rpcPort}`,
    reset: async () => {
      await request(child, { type: 'reset' }, 'reset-done')
    },
    stats: async () => (await request<{ stats: HostStats }>(child, { type: 'stats' }, 'stats')).stats,
    stop: async () => {
      if (child.exitCode !== null) return
      child.disconnect()
      await new Promise((r) => child.once('exit', r))
    },
  }
}

interface LoadResult {
  done: number
  failed: number
  seconds: number
  rate: number
}

/** Bare HTTP load from a separate process: the host's served ceiling at `concurrency`. */
async function hostCeiling(host: Host, concurrency: number, count: number): Promise<LoadResult & { avgInFlight: number }> {
  await host.reset()
  const child = fork(path.join(__dirname, 'load.js'), [host.hostUrl, String(concurrency), String(count), '20000'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const r = await new Promise<LoadResult & { error?: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error('load generator timed out'))
    }, 60_000)
    child.once('message', (m: LoadResult & { error?: string }) => {
      clearTimeout(timer)
      resolve(m)
    })
  })
  await new Promise((res) => (child.exitCode !== null ? res(null) : child.once('exit', res)))
  if (r.error) throw new Error(`load generator: ${r.error}`)
  const s = await host.stats()
  return { ...r, avgInFlight: s.avgInFlight }
}

/** hardhat's tokenURI eth_call rate in JSON-RPC batches of `batch` calls, `inFlight` batches at a time. */
async function ethCallCeiling(rpcUrl: string, contracts: string[], batch: number, inFlight: number, seconds: number): Promise<{ rate: number; calls: number }> {
  const deadline = performance.now() + seconds * 1000
  let calls = 0
  let k = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        const body = Array.from({ length: batch }, (_, i) => {
          const n = k++
          const to = contracts[n % contracts.length]
          const id = (n * 7919) % COLLECTION
          return { jsonrpc: '2.0', id: i, method: 'eth_call', params: [{ to, data: '0xc87b56dd' + BigInt(id).toString(16).padStart(64, '0') }, 'latest'] }
        })
        const out = await rpcCall<{ error?: unknown }[]>(rpcUrl, body)
        if (out.some((o) => o.error)) throw new Error(`eth_call failed: ${JSON.stringify(out.find((o) => o.error))}`)
        calls += out.length
      }
    }),
  )
  return { calls, rate: calls / ((performance.now() - t0) / 1000) }
}

// ---------------------------------------------------------------------------------------------
// Preparing the jobs

export interface Prepared {
  variant: Variant
  tokens: number
  /** template database holding the queued jobs */
  template: string
  rpcUrl: string
  contracts: string[]
  /** jobs in the queue (tokens + one per contract) */
  jobs: number
  note: string
}

/** Tokens minted on hardhat in collections of 2,000, indexed by the real processor. */
async function prepareChain(pg: PgServer, chain: Chain, host: Host, tokens: number): Promise<Prepared> {
  const contracts: string[] = []
  const t0 = performance.now()
  // index from here: the chain also holds the collections minted for other sizes
  const startBlock = Number(await chain.driver.blockNumber()) + 1
  for (let c = 0; c * COLLECTION < tokens; c++) {
    const n = Math.min(COLLECTION, tokens - c * COLLECTION)
    const r = await mintCollection(chain, n, `${host.hostUrl}/t/c${c}/`, `Bench ${c}`)
    contracts.push(r.contract.address.toLowerCase())
    if ((c + 1) % 10 === 0) log(`  minted ${fmt((c + 1) * COLLECTION)} / ${fmt(tokens)}`)
  }
  await chain.driver.mine(3)
  const head = Number(await chain.driver.blockNumber())
  const mintSeconds = (performance.now() - t0) / 1000
  const template = `tms_bench_pipe_chain_${tokens}`
  const url = await createDatabase(pg, template)
  const probe = await connect(url)
  const t1 = performance.now()
  const proc = startChild('evm-processor', [CHAIN], {
    DATABASE_URL: url,
    EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.node.rpcUrl, finality: 10, headPollMs: 50, startBlock }]),
  })
  try {
    const end = Date.now() + 10 * 60_000
    for (;;) {
      if ((await indexedHeight(probe, CHAIN)) >= head) break
      if (proc.child.exitCode !== null) throw new Error(`processor exited:\n${proc.output()}`)
      if (Date.now() > end) throw new Error(`processor did not index ${head} in time:\n${proc.output()}`)
      await sleep(100)
    }
  } finally {
    await proc.stop()
  }
  const indexSeconds = (performance.now() - t1) / 1000
  await probe.query(`SELECT compact_counters()`)
  await probe.query('VACUUM ANALYZE metadata_job')
  const { rows: q } = await probe.query(`SELECT count(*)::int AS n FROM metadata_job WHERE status = 'QUEUED'`)
  await probe.end()
  const jobs = q[0].n
  if (jobs !== tokens + contracts.length) throw new Error(`expected ${tokens + contracts.length} queued jobs, found ${jobs}`)
  return {
    variant: 'chain',
    tokens,
    template,
    rpcUrl: chain.node.rpcUrl,
    contracts,
    jobs,
    note: `minted in ${mintSeconds.toFixed(1)} s, indexed by evm-processor in ${indexSeconds.toFixed(1)} s (${fmt(tokens / indexSeconds)} tokens/s incl. start-up)`,
  }
}

/** The same rows written directly; the chain reader goes to the stub RPC. */
export async function prepareStub(pg: PgServer, host: Host, tokens: number): Promise<Prepared> {
  const template = `tms_bench_pipe_stub_${tokens}`
  const url = await createDatabase(pg, template)
  const c = await connect(url)
  const contracts: string[] = []
  for (let i = 0; i * COLLECTION < tokens; i++) contracts.push(`0x${(0xbe000000 + i).toString(16)}${'0'.repeat(32)}`)
  await c.query('BEGIN')
  await c.query(
    `INSERT INTO contract (id, chain, address, standard, first_seen_block, update_mode, created_at)
     SELECT $1 || ':' || a, $1, a, 'ERC721', 1, 'STANDARD', now() FROM unnest($2::text[]) AS a`,
    [CHAIN, contracts],
  )
  for (let i = 0; i < contracts.length; i++) {
    const n = Math.min(COLLECTION, tokens - i * COLLECTION)
    const cid = `${CHAIN}:${contracts[i]}`
    await c.query(
      `INSERT INTO token (id, chain, token_id, standard, owner, supply, burned, mint_block, update_mode, contract_id)
       SELECT $1 || ':' || g, $2, g, 'ERC721', '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', 1, false, 1, 'STANDARD', $1
         FROM generate_series(0, $3 - 1) AS g`,
      [cid, CHAIN, n],
    )
    await c.query(
      `INSERT INTO metadata_job (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version, queued_at, created_at, updated_at)
       SELECT 'token:' || $1 || ':' || g, 'TOKEN', $2, $1, $1 || ':' || g, 'QUEUED', 10, now(), 0, 1, now(), now(), now()
         FROM generate_series(0, $3 - 1) AS g`,
      [cid, CHAIN, n],
    )
  }
  await c.query(
    `INSERT INTO metadata_job (id, kind, chain, contract_id, status, priority, run_at, attempts, request_version, queued_at, created_at, updated_at)
     SELECT 'contract:' || $1 || ':' || a, 'CONTRACT', $1, $1 || ':' || a, 'QUEUED', 10, now(), 0, 1, now(), now(), now() FROM unnest($2::text[]) AS a`,
    [CHAIN, contracts],
  )
  await c.query('COMMIT')
  await c.query(`SELECT compact_counters()`)
  await c.query('VACUUM ANALYZE metadata_job')
  await c.end()
  return { variant: 'stub', tokens, template, rpcUrl: host.rpcUrl, contracts, jobs: tokens + contracts.length, note: 'rows inserted directly; tokenURI from the stub RPC' }
}

// ---------------------------------------------------------------------------------------------
// One run

export interface RunResult {
  variant: Variant
  tokens: number
  workers: number
  jobs: number
  seconds: number
  rate: number
  done: number
  available: number
  failedOrInvalid: number
  perJob: { xacts: number; inserted: number; updated: number; deleted: number; fetched: number }
  hwmKb: number[]
  cpu: { workers: number; postgres: number; hardhat: number; host: number }
  host: HostStats
  trace?: Trace
  profile?: string
}

export async function jobCounts(c: Client): Promise<Record<string, number>> {
  const { rows } = await c.query(
    `SELECT name, sum(n)::int AS n FROM (
       SELECT name, total AS n FROM counter WHERE scope = 'job'
       UNION ALL SELECT name, delta FROM counter_delta WHERE scope = 'job') x GROUP BY name`,
  )
  return Object.fromEntries(rows.map((r: { name: string; n: number }) => [r.name, r.n]))
}

export async function runWorkers(
  pg: PgServer,
  host: Host,
  chain: Chain | undefined,
  p: Prepared,
  workers: number,
  opts: PipelineOptions,
  probes: { trace: boolean; profile: boolean },
): Promise<RunResult> {
  const dbName = `tms_bench_pipe_run`
  const url = await createDatabase(pg, dbName, p.template)
  const c = await connect(url)
  const profileDir = probes.profile ? fs.mkdtempSync(path.join(os.tmpdir(), 'tms-bench-prof-')) : undefined
  const traceFile = probes.trace ? path.join(os.tmpdir(), `tms-bench-trace-worker-${process.pid}.json`) : undefined
  let pollQueries = 0
  // The preparation's counter deltas (tokens, jobs) are ingest's to fold, not the pipeline's.
  pollQueries += await compactAll(c)
  await adminQuery(pg.adminUrl, 'CHECKPOINT').catch(() => {}) // do not pay for the previous run's writes
  await host.reset()
  const before = await dbStats(c, dbName)
  const cpu0 = { postgres: pg.pid ? treeCpu(pg.pid) : 0, hardhat: chain ? treeCpu(chain.node.pid) : 0, host: treeCpu(host.child.pid ?? -1, 0) }
  const env = {
    DATABASE_URL: url,
    EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: p.rpcUrl, finality: 10 }]),
    FETCH_ALLOW_HOSTS: host.hostUrl.replace('http://', ''),
    WORKER_CONCURRENCY: String(opts.concurrency),
    HOST_MAX_CONCURRENCY: '100000',
    // the documents name ipfs:// images behind no reachable gateway: media is bench:media's to measure
    MEDIA_CACHE: 'false',
  }
  const children: Child[] = []
  for (let i = 0; i < workers; i++) {
    const t = traceOptions(i === 0 ? traceFile : undefined, 'worker')
    children.push(startChild('worker', [], env, { cpuProfDir: i === 0 ? profileDir : undefined, ...t }))
  }
  try {
    // first claim: the first job leaves QUEUED (polled every 10 ms)
    let tFirst = 0
    const startDeadline = Date.now() + 60_000
    for (;;) {
      pollQueries++
      const { rows } = await c.query(`SELECT 1 FROM metadata_job WHERE status <> 'QUEUED' LIMIT 1`)
      if (rows.length) {
        tFirst = Date.now()
        break
      }
      for (const w of children) if (w.child.exitCode !== null) throw new Error(`worker exited (${w.child.exitCode}):\n${w.output()}`)
      if (Date.now() > startDeadline) throw new Error(`no job claimed within 60 s:\n${children[0].output()}`)
      await sleep(10)
    }
    // until nothing is queued or running
    const limitMs = Math.max(120_000, p.jobs * 20) // >= 50 jobs/s or give up
    const end = Date.now() + limitMs
    let counts: Record<string, number> = {}
    for (;;) {
      await sleep(200)
      pollQueries++
      counts = await jobCounts(c)
      for (const w of children) w.sample()
      if ((counts.QUEUED ?? 0) + (counts.RUNNING ?? 0) === 0) break
      for (const w of children) if (w.child.exitCode !== null) throw new Error(`worker exited:\n${w.output()}`)
      if (Date.now() > end) throw new Error(`jobs not drained within ${limitMs} ms: ${JSON.stringify(counts)}\n${children[0].output()}`)
    }
    // What the workers' maintenance folds later (trait counts, rarity, trait sets of the stored
    // attributes) is the pipeline's cost too: folded now, inside the measurement, whether or not a
    // maintenance round came by during the run (one every JOB_LEASE_SECONDS / 3).
    pollQueries += await compactAll(c)
    const hostStats = await host.stats()
    for (const w of children) w.sample()
    const cpuWorkers = children.reduce((a, w) => a + w.cpuSeconds(), 0)
    const cpu1 = { postgres: pg.pid ? treeCpu(pg.pid) : 0, hardhat: chain ? treeCpu(chain.node.pid) : 0, host: treeCpu(host.child.pid ?? -1, 0) }
    await Promise.all(children.map((w) => w.stop()))
    pollQueries++
    const { rows } = await c.query(
      `SELECT (extract(epoch FROM max(finished_at)) * 1000)::float8 AS last,
              count(*) FILTER (WHERE status = 'DONE')::int AS done,
              count(*) FILTER (WHERE status IN ('FAILED', 'INVALID'))::int AS bad,
              (SELECT count(*)::int FROM token_metadata WHERE status = 'AVAILABLE') AS available
         FROM metadata_job`,
    )
    const last = rows[0].last as number
    await sleep(1200) // pg_stat_database is flushed by each backend at most once a second
    const after = await dbStats(c, dbName)
    await c.end()
    const d: DbStats = statsDelta(before, after)
    const jobs = p.jobs
    const seconds = (last - tFirst) / 1000
    const trace = traceFile ? readTrace(traceFile) : undefined
    const xacts = d.xact_commit + d.xact_rollback - pollQueries - 2 // our own polls and the two stats reads
    return {
      variant: p.variant,
      tokens: p.tokens,
      workers,
      jobs,
      seconds,
      rate: jobs / seconds,
      done: rows[0].done,
      available: rows[0].available,
      failedOrInvalid: rows[0].bad,
      perJob: { xacts: xacts / jobs, inserted: d.tup_inserted / jobs, updated: d.tup_updated / jobs, deleted: d.tup_deleted / jobs, fetched: d.tup_fetched / jobs },
      hwmKb: children.map((w) => w.peak.hwmKb),
      cpu: { workers: cpuWorkers, postgres: cpu1.postgres - cpu0.postgres, hardhat: cpu1.hardhat - cpu0.hardhat, host: cpu1.host - cpu0.host },
      host: hostStats,
      trace,
      profile: profileDir ? latestProfile(profileDir) : undefined,
    }
  } finally {
    await Promise.all(children.map((w) => w.stop('SIGKILL').catch(() => {})))
    await c.end().catch(() => {})
    await dropDatabase(pg, dbName)
  }
}

/** Folds the counter deltas as the workers' maintenance does (compactCounters); returns the transactions it took. */
async function compactAll(c: Client): Promise<number> {
  await c.query(`SELECT compact_counters()`)
  await c.query(`SELECT rebuild_trait_sets()`)
  return 2
}

/**
 * CPU milliseconds per job summed over every process of the pipeline (workers, Postgres, hardhat,
 * metadata host), and the rate that CPU alone would allow if all of this machine's CPUs did
 * nothing else: a bound the concurrency bound does not see on a small machine.
 */
function cpuCeiling(r: RunResult): string {
  if (!r.cpu.postgres) return '-'
  const ms = ((r.cpu.workers + r.cpu.postgres + r.cpu.hardhat + r.cpu.host) * 1000) / r.jobs
  return `${ms.toFixed(2)} → ${fmt((os.availableParallelism() * 1000) / ms)} jobs/s`
}

// ---------------------------------------------------------------------------------------------

export async function runPipeline(opts: PipelineOptions, pg?: PgServer): Promise<{ markdown: string; ratio: number }> {
  const m = machine()
  log(`pipeline: sizes ${opts.sizes.map((s) => fmt(s)).join(', ')}; workers ${opts.workers.join(', ')}; concurrency ${opts.concurrency}; host latency ${opts.latencyMs} ms`)
  const ownPg = !pg
  const needChain = opts.variants.includes('chain')
  const [server, chain, host] = await Promise.all([pg ? Promise.resolve(pg) : startPostgres(), needChain ? startChain() : Promise.resolve(undefined), startHost(opts.latencyMs)])
  const results: RunResult[] = []
  const ceilings = new Map<number, LoadResult & { avgInFlight: number }>()
  const prepared: Prepared[] = []
  let ethCall: { rate: number; calls: number } | undefined
  try {
    for (const variant of opts.variants) {
      // the stub variant isolates the worker from hardhat: the smallest size is enough for that
      // (and keeps `npm run bench` within its time budget)
      const sizes = variant === 'stub' && opts.variants.includes('chain') ? [Math.min(...opts.sizes)] : opts.sizes
      for (const size of sizes) {
        log(`${variant} ${fmt(size)}: preparing jobs…`)
        const p = variant === 'chain' ? await prepareChain(server, chain!, host, size) : await prepareStub(server, host, size)
        prepared.push(p)
        log(`  ${fmt(p.jobs)} jobs queued (${p.note})`)
        if (variant === 'chain' && !ethCall) {
          ethCall = await ethCallCeiling(chain!.node.rpcUrl, p.contracts, opts.concurrency, 1, 3)
          log(`  hardhat tokenURI eth_call ceiling (batches of ${opts.concurrency}): ${fmt(ethCall.rate)} calls/s`)
        }
        const workerCounts = size === Math.min(...opts.sizes) ? opts.workers : [1]
        for (const w of workerCounts) {
          const conc = opts.concurrency * w
          if (!ceilings.has(conc)) {
            const ceiling = await hostCeiling(host, conc, Math.min(20_000, Math.max(5_000, conc * 60)))
            ceilings.set(conc, ceiling)
            log(`  host ceiling at ${conc} in flight: ${fmt(ceiling.rate)} req/s (bare load, separate process)`)
          }
          const first = w === 1 && size === Math.min(...opts.sizes)
          const r = await runWorkers(server, host, variant === 'chain' ? chain : undefined, p, w, opts, { trace: opts.trace && first, profile: opts.profile && first })
          results.push(r)
          const bound = Math.min((conc * 1000) / opts.latencyMs, ceilings.get(conc)!.rate)
          log(
            `  ${w} worker(s): ${fmt(r.rate)} jobs/s (${r.seconds.toFixed(2)} s); ${pct(r.rate / bound)} of bound ${fmt(bound)}; host avg in flight ${r.host.avgInFlight.toFixed(1)}`,
          )
          if (r.done !== r.jobs) log(`  WARNING: ${r.done} of ${r.jobs} jobs DONE (${r.failedOrInvalid} failed/invalid)`)
        }
      }
    }
  } finally {
    for (const p of prepared) await dropDatabase(server, p.template)
    await host.stop().catch(() => {})
    await chain?.stop().catch(() => {})
    if (ownPg) await server.stop()
  }

  // ----------------------------------------------------------------------------- report
  const theoretical = (opts.concurrency * 1000) / opts.latencyMs
  const bound1 = Math.min(theoretical, ceilings.get(opts.concurrency)?.rate ?? theoretical)
  const main = results.find((r) => r.workers === 1 && r.tokens === Math.min(...opts.sizes) && r.variant === opts.variants[0])
  const ratio = main ? main.rate / bound1 : NaN
  const rows = results.map((r) => {
    const conc = opts.concurrency * r.workers
    const ceiling = ceilings.get(conc)!
    const bound = Math.min((conc * 1000) / opts.latencyMs, ceiling.rate)
    const base = results.find((x) => x.variant === r.variant && x.tokens === r.tokens && x.workers === 1)
    return [
      r.variant,
      fmt(r.tokens),
      r.workers,
      `**${fmt(r.rate)}**`,
      `${fmt((conc * 1000) / opts.latencyMs)} / ${fmt(ceiling.rate)}`,
      `**${pct(r.rate / bound)}**`,
      base && base !== r ? `${(r.rate / base.rate).toFixed(2)}x` : '',
      r.host.avgInFlight.toFixed(1),
      `${r.perJob.xacts.toFixed(2)} / ${r.perJob.inserted.toFixed(1)} / ${r.perJob.updated.toFixed(1)} / ${r.perJob.deleted.toFixed(1)}`,
      r.hwmKb.map((k) => mb(k)).join(', '),
      `${r.cpu.workers.toFixed(1)} / ${r.cpu.postgres.toFixed(1)} / ${r.variant === 'chain' ? r.cpu.hardhat.toFixed(1) : '-'} / ${r.cpu.host.toFixed(1)}`,
      cpuCeiling(r),
      r.done === r.jobs ? `${fmt(r.done)}` : `${fmt(r.done)} of ${fmt(r.jobs)}`,
    ]
  })
  let md = [
    machineTable(m, commandLine()),
    '',
    `Host latency ${opts.latencyMs} ms, WORKER_CONCURRENCY ${opts.concurrency}, HOST_MAX_CONCURRENCY 100000 (not a limit), collections of ${fmt(COLLECTION)} tokens (+1 contract job each). ` +
      `Rate = jobs / (first claim → last finished_at). Bound = min(concurrency / latency, host ceiling measured with bare HTTP load at the same concurrency from a separate process). ` +
      `"CPU ms per job" sums the CPU time of workers, Postgres, hardhat and the host over the run; its ceiling is nproc / that (what this machine could do if it ran nothing else); the preparation's counter deltas are folded before it starts, the run's own (trait counts, rarity, trait sets) inside it.` +
      (ethCall ? ` Hardhat tokenURI eth_call ceiling (JSON-RPC batches of ${opts.concurrency}, 1 in flight): **${fmt(ethCall.rate)} calls/s**.` : ''),
    '',
    mdTable(
      [
        'variant',
        'tokens',
        'workers',
        'jobs/s',
        'bound: theory / host ceiling',
        'of bound',
        'scaling',
        'host avg in flight',
        'per job: xacts / ins / upd / del',
        'peak RSS per worker',
        'CPU s: workers / pg / hardhat / host',
        'CPU ms per job → ceiling on this box',
        'DONE',
      ],
      rows,
    ),
    '',
    `**Target: ≥ ${pct(TARGET)} of the concurrency bound at ${fmt(Math.min(...opts.sizes))} tokens with one worker (${opts.variants[0]} variant): ${pct(ratio)} — ${ratio >= TARGET ? 'met' : 'MISSED'}.**`,
  ].join('\n')
  for (const p of prepared) md += `\n\n- ${p.variant} ${fmt(p.tokens)}: ${p.note}`
  for (const r of results) {
    if (r.trace) md += `\n\n${r.variant} ${fmt(r.tokens)}, ${r.workers} worker — ${traceTables(r.trace, 'worker', { n: r.jobs, unit: 'job' })}`
    if (r.profile) md += `\n\n${profileTables(summarizeProfile(r.profile))}`
  }
  process.stdout.write(`\n${md}\n\n`)
  if (opts.markdown) writeBenchResult(`Pipeline (${opts.sizes.map((s) => fmt(s)).join(' / ')} tokens)`, md)
  return { markdown: md, ratio }
}

if (require.main === module) runBenchMain('pipeline bench', () => runPipeline(pipelineOptions(process.argv.slice(2))), 30)
