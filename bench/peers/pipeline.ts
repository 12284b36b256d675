/**
 * bench:peers, part 2: the same metadata jobs (the stub variant of bench/pipeline.ts: N tokens in
 * collections of 2,000, token URIs from the stub JSON-RPC, documents from the local host at 20 ms)
 * drained by our worker (bench/pipeline.ts runWorkers) and by graphile-worker running our job
 * handler and store code (bench/peers/app/graphile/worker.ts), one process each at the same
 * concurrency, each on its own copy of the same queued database. CPU is summed over the worker,
 * Postgres and the host (stub RPC + metadata host) from the first job to the last.
 */
import path from 'node:path'
import { prepareStub, runWorkers, startHost, type Host, type Prepared, type RunResult } from '../pipeline'
import { PEERS_DIR } from './install'
import {
  ROOT,
  adminQuery,
  connect,
  createDatabase,
  cpuOf,
  dbStats,
  dropDatabase,
  fmt,
  log,
  sleep,
  startScript,
  statsDelta,
  treeCpu,
  type Child,
  type PgClient as Client,
  type PgServer,
} from '../common'

const CHAIN = 'eip155:31337'

export interface QueueRun {
  queue: string
  jobs: number
  seconds: number
  done: number
  hwmKb: number
  cpu: { worker: number; postgres: number; host: number }
  /** pg_stat_database: transactions committed per job (the queue's own and the stored results') */
  xactsPerJob: number
}

export interface PipelinePart {
  tokens: number
  concurrency: number
  latencyMs: number
  runs: QueueRun[]
}

function fromOurs(r: RunResult): QueueRun {
  return {
    queue: 'ours (worker)',
    jobs: r.jobs,
    seconds: r.seconds,
    done: r.done,
    hwmKb: r.hwmKb[0] ?? 0,
    cpu: { worker: r.cpu.workers, postgres: r.cpu.postgres, host: r.cpu.host },
    xactsPerJob: r.perJob.xacts,
  }
}

/** Every queued metadata_job as one graphile job carrying what our claim would have read. */
const ENQUEUE = `SELECT graphile_worker.add_jobs(array_agg(ROW('metadata',
    json_build_object('id', j.id, 'kind', j.kind, 'chain', j.chain, 'contractId', j.contract_id, 'tokenRef', j.token_ref, 'standard', c.standard),
    NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec))
  FROM metadata_job j JOIN contract c ON c.id = j.contract_id WHERE j.status = 'QUEUED'`

async function graphileSchemaReady(c: Client): Promise<boolean> {
  const { rows } = await c.query(`SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'graphile_worker' AND p.proname = 'add_jobs'`)
  return rows.length > 0
}

/** Polls until graphile's queue is empty; counts its polls in `polls` (their transactions are ours). */
async function untilDrained(c: Client, child: Child, jobs: number, polls: { n: number }): Promise<void> {
  const end = Date.now() + Math.max(120_000, jobs * 20)
  for (;;) {
    child.sample()
    polls.n++
    const { rows } = await c.query(`SELECT count(*)::int AS n, max(last_error) AS err FROM graphile_worker._private_jobs`)
    if (rows[0].n === 0) return
    if (child.child.exitCode !== null) throw new Error(`graphile worker exited:\n${child.output()}`)
    if (Date.now() > end) throw new Error(`graphile jobs not drained: ${rows[0].n} left (${rows[0].err})\n${child.output()}`)
    await sleep(20)
  }
}

async function graphile(pg: PgServer, host: Host, p: Prepared, concurrency: number): Promise<QueueRun> {
  const dbName = 'tms_peers_graphile'
  const url = await createDatabase(pg, dbName, p.template)
  const c = await connect(url)
  const script = path.join(ROOT, '.cache/peers/bench/peers/app/graphile/worker.js')
  const env = {
    DATABASE_URL: url,
    EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: p.rpcUrl, finality: 10 }]),
    FETCH_ALLOW_HOSTS: host.hostUrl.replace('http://', ''),
    WORKER_CONCURRENCY: String(concurrency),
    HOST_MAX_CONCURRENCY: '100000',
    // graphile-worker from bench/peers/node_modules; everything else from the root's, as for our worker
    NODE_PATH: path.join(PEERS_DIR, 'node_modules'),
  }
  const child = startScript(script, [], env, ROOT)
  try {
    // graphile migrates its schema at start; the jobs go in once it can take them
    const end = Date.now() + 60_000
    while (!(await graphileSchemaReady(c))) {
      if (child.child.exitCode !== null || Date.now() > end) throw new Error(`graphile worker did not start:\n${child.output()}`)
      await sleep(50)
    }
    await adminQuery(pg.adminUrl, 'CHECKPOINT').catch(() => {})
    await host.reset()
    const cpu0 = { postgres: pg.pid ? treeCpu(pg.pid) : 0, host: treeCpu(host.child.pid ?? -1, 0) }
    const stats0 = await dbStats(c, dbName)
    const t0 = performance.now()
    await c.query(ENQUEUE)
    const polls = { n: 0 }
    await untilDrained(c, child, p.jobs, polls)
    const seconds = (performance.now() - t0) / 1000
    child.sample()
    // the worker's whole process, start-up included, as bench/pipeline.ts counts ours
    const cpu = { worker: cpuOf(child.pid), postgres: pg.pid ? treeCpu(pg.pid) - cpu0.postgres : 0, host: treeCpu(host.child.pid ?? -1, 0) - cpu0.host }
    const { rows } = await c.query(
      `SELECT (SELECT count(*)::int FROM token_metadata WHERE status = 'AVAILABLE') + (SELECT count(*)::int FROM contract_metadata WHERE status = 'AVAILABLE') AS done`,
    )
    await sleep(1200) // pg_stat_database is flushed by each backend at most once a second
    const d = statsDelta(stats0, await dbStats(c, dbName))
    // our own statements: the enqueue, the drain polls (~one per 20 ms), the two reads here
    const xacts = d.xact_commit + d.xact_rollback - polls.n - 3
    return { queue: 'graphile-worker (our handler)', jobs: p.jobs, seconds, done: rows[0].done, hwmKb: child.peak.hwmKb, cpu, xactsPerJob: xacts / p.jobs }
  } finally {
    await child.stop('SIGKILL').catch(() => {})
    await c.end().catch(() => {})
    await dropDatabase(pg, dbName)
  }
}

export async function runPipelinePart(pg: PgServer, tokens: number, concurrency: number, latencyMs: number): Promise<PipelinePart> {
  const host = await startHost(latencyMs)
  let p: Prepared | undefined
  try {
    log(`pipeline: ${fmt(tokens)} token jobs, concurrency ${concurrency}, host latency ${latencyMs} ms`)
    p = await prepareStub(pg, host, tokens)
    const opts = { sizes: [tokens], workers: [1], concurrency, latencyMs, variants: ['stub' as const], profile: false, trace: false, markdown: false }
    const runs: QueueRun[] = []
    runs.push(fromOurs(await runWorkers(pg, host, undefined, p, 1, opts, { trace: false, profile: false })))
    runs.push(await graphile(pg, host, p, concurrency))
    for (const r of runs) {
      if (r.done !== r.jobs) throw new Error(`${r.queue}: ${r.done} of ${r.jobs} jobs done`)
      log(`  ${r.queue}: ${fmt(r.jobs / r.seconds)} jobs/s, ${(((r.cpu.worker + r.cpu.postgres + r.cpu.host) * 1000) / r.jobs).toFixed(2)} CPU ms per job`)
    }
    return { tokens, concurrency, latencyMs, runs }
  } finally {
    if (p) await dropDatabase(pg, p.template)
    await host.stop().catch(() => {})
  }
}
