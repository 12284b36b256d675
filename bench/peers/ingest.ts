/**
 * bench:peers, part 1: the same backfill (N ERC-721 mints + M transfers of minted ids, from the
 * emitter chain of bench/emitterChain.ts) indexed by our evm-processor, by a plain Subsquid squid
 * (bench/peers/squid) and by Ponder (bench/peers/app/ponder), each into its own database on the
 * same Postgres server. Each run is timed from spawning the process to its indexed height = head,
 * and checked afterwards: N token rows, M of them owned by the transfer recipient.
 */
import path from 'node:path'
import { runProcessor } from '../ingest'
import { startEmitterChain, type EmitterChain } from '../emitterChain'
import { ROOT, adminQuery, connect, dropDatabase, fmt, log, mb, sleep, startScript, treeCpu, withDatabase, type Child, type PgClient as Client, type PgServer } from '../common'
import { PEERS_DIR, peerBin } from './install'

const FINALITY = 10
/** ponder/dist/esm/utils/finality.js: confirmations for a chain id it has no entry for */
const PONDER_FINALITY = 30
const LIMIT_MS = 10 * 60_000

export interface IngestRun {
  indexer: string
  seconds: number
  /** spawn → ready to index: our migrations applied, the squid's state schema, Ponder's status route (its build and schema set-up) */
  startupSeconds: number
  hwmKb: number
  cpu: { indexer: number; postgres: number; hardhat: number }
  tokens: number
  transferred: number
}

export interface IngestPart {
  mints: number
  transfers: number
  blocks: number
  emitSeconds: number
  runs: IngestRun[]
}

/** The plain squid's table, as its codegen + migration would create it (bench/peers/squid/lib/model.ts). */
const SQUID_DDL = `CREATE TABLE token (id character varying PRIMARY KEY, contract text NOT NULL, token_id numeric NOT NULL, owner text NOT NULL,
                    mint_block integer NOT NULL, updated_block integer NOT NULL);
                  CREATE INDEX ON token (contract); CREATE INDEX ON token (owner)`

async function freshDatabase(pg: PgServer, name: string): Promise<string> {
  await dropDatabase(pg, name)
  await adminQuery(pg.adminUrl, `CREATE DATABASE "${name}"`)
  return withDatabase(pg.adminUrl, name)
}

/**
 * Polls `height` until it reaches `head`, sampling the child's memory; the child must stay up.
 * `height` throws until the indexer is ready to index (its state table or status route exists):
 * returns when that first happened (performance.now()).
 */
async function untilHead(child: Child, head: number, height: () => Promise<number>): Promise<number> {
  const end = Date.now() + LIMIT_MS
  let ready: number | undefined
  for (;;) {
    child.sample()
    const h = await height().catch(() => undefined)
    if (h !== undefined) ready ??= performance.now()
    if (h !== undefined && h >= head) return ready!
    if (child.child.exitCode !== null) throw new Error(`${child.name} exited (${child.child.exitCode}):\n${child.output()}`)
    if (Date.now() > end) throw new Error(`${child.name} did not reach block ${head} within ${LIMIT_MS} ms:\n${child.output()}`)
    await sleep(50)
  }
}

async function counted(c: Client, table: string, recipient: string): Promise<{ tokens: number; transferred: number }> {
  const { rows } = await c.query(`SELECT count(*)::int AS tokens, count(*) FILTER (WHERE lower(owner) = $1)::int AS transferred FROM ${table}`, [recipient])
  return rows[0] as { tokens: number; transferred: number }
}

/** Runs one peer process from spawn to head; `height` reads its progress, `table` its rows. */
async function timedPeer(pg: PgServer, chain: EmitterChain, head: number, indexer: string, start: () => Child, height: (c: Client) => Promise<number>, db: Client, table: string) {
  const cpu0 = { hardhat: treeCpu(chain.node.pid), postgres: pg.pid ? treeCpu(pg.pid) : 0 }
  const t0 = performance.now()
  const child = start()
  try {
    const ready = await untilHead(child, head, () => height(db))
    const seconds = (performance.now() - t0) / 1000
    const startupSeconds = (ready - t0) / 1000
    child.sample()
    const cpu = { indexer: child.cpuSeconds(), hardhat: treeCpu(chain.node.pid) - cpu0.hardhat, postgres: pg.pid ? treeCpu(pg.pid) - cpu0.postgres : 0 }
    await child.stop()
    const rows = await counted(db, table, chain.driver.accounts[2].toLowerCase())
    return { indexer, seconds, startupSeconds, hwmKb: child.peak.hwmKb, cpu, ...rows }
  } finally {
    await child.stop('SIGKILL').catch(() => {})
  }
}

async function plainSquid(pg: PgServer, chain: EmitterChain, head: number): Promise<IngestRun> {
  const url = await freshDatabase(pg, 'tms_peers_squid')
  const db = await connect(url)
  try {
    await db.query(SQUID_DDL)
    const script = path.join(ROOT, '.cache/bench/bench/peers/squid/main.js')
    const env = { DB_URL: url, RPC_URL: chain.node.rpcUrl, CONTRACT: chain.address, FINALITY: String(FINALITY), HEAD_POLL_MS: '50' }
    const height = async (c: Client) => {
      const { rows } = await c.query(`SELECT greatest((SELECT height FROM squid_processor.status WHERE id = 0), (SELECT max(height) FROM squid_processor.hot_block))::int AS h`)
      return (rows[0]?.h as number | null) ?? -1
    }
    return await timedPeer(pg, chain, head, 'plain squid', () => startScript(script, [], env, ROOT), height, db, 'token')
  } finally {
    await db.end()
  }
}

async function ponder(pg: PgServer, chain: EmitterChain, head: number, port: number): Promise<IngestRun> {
  const url = await freshDatabase(pg, 'tms_peers_ponder')
  const db = await connect(url)
  try {
    const root = path.join(PEERS_DIR, 'app/ponder')
    const args = ['--root', root, '--log-level', 'warn', '--log-format', 'json', 'start', '--schema', 'bench', '--port', String(port), '--hostname', '127.0.0.1']
    const env = { DATABASE_URL: url, PONDER_RPC_URL_31337: chain.node.rpcUrl, CONTRACT: chain.address, NODE_ENV: 'production' }
    const height = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/status`)
      if (!res.ok) throw new Error(`ponder /status answered ${res.status}`)
      const s = (await res.json()) as Record<string, { block?: { number: number } }>
      return s.hardhat?.block?.number ?? -1
    }
    return await timedPeer(pg, chain, head, 'Ponder', () => startScript(peerBin('ponder', 'dist/esm/bin/ponder.js'), args, env, root), height, db, 'bench.token')
  } finally {
    await db.end()
  }
}

/** Our evm-processor (bench/ingest.ts runProcessor: real process, empty database it migrates). */
async function ours(pg: PgServer, chain: EmitterChain, head: number): Promise<IngestRun> {
  const r = await runProcessor(pg, chain, head, undefined, undefined)
  const db = await connect(withDatabase(pg.adminUrl, 'tms_bench_ingest'))
  try {
    const rows = await counted(db, 'token', chain.driver.accounts[2].toLowerCase())
    return {
      indexer: 'ours (evm-processor)',
      seconds: r.seconds,
      startupSeconds: r.startupSeconds,
      hwmKb: r.hwmKb,
      cpu: { indexer: r.cpu.processor, postgres: r.cpu.postgres, hardhat: r.cpu.hardhat },
      ...rows,
    }
  } finally {
    await db.end()
    await dropDatabase(pg, 'tms_bench_ingest')
  }
}

export async function runIngestPart(pg: PgServer, mints: number, transfers: number, ponderPort: number): Promise<IngestPart> {
  const chain = await startEmitterChain()
  try {
    log(`ingest: emitting ${fmt(mints)} mints + ${fmt(transfers)} transfers…`)
    const t0 = performance.now()
    await chain.emitUpTo(mints)
    await chain.emitTransfers(transfers)
    // Every block with events is final for all three: Ponder takes 30 confirmations on a chain it
    // does not know (ours and the squid take FINALITY = 10), so the backfill is a backfill for each.
    const head = Number(await chain.driver.mine(PONDER_FINALITY))
    const emitSeconds = (performance.now() - t0) / 1000
    log(`  head ${head} (${emitSeconds.toFixed(1)} s)`)
    const runs: IngestRun[] = []
    for (const run of [() => ours(pg, chain, head), () => plainSquid(pg, chain, head), () => ponder(pg, chain, head, ponderPort)]) {
      await adminQuery(pg.adminUrl, 'CHECKPOINT').catch(() => {}) // one run does not pay for the previous one's writes
      const r = await run()
      if (r.tokens !== mints || r.transferred !== transfers) throw new Error(`${r.indexer} wrote ${r.tokens} tokens, ${r.transferred} transferred; expected ${mints}, ${transfers}`)
      log(`  ${r.indexer}: ${r.seconds.toFixed(2)} s = ${fmt((mints + transfers) / r.seconds)} events/s, peak RSS ${mb(r.hwmKb)}`)
      runs.push(r)
    }
    return { mints, transfers, blocks: head + 1, emitSeconds, runs }
  } finally {
    await chain.stop().catch(() => {})
    await dropDatabase(pg, 'tms_peers_squid')
    await dropDatabase(pg, 'tms_peers_ponder')
  }
}
