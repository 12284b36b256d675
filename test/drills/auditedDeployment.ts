/**
 * The deployment the crash and database-restart drills run: a collection on the local chain whose
 * documents `host` serves, a database with the done audit installed, and the environment of its
 * processes (a port for the API included).
 */
import { freePort } from '../../src/lib/net'
import { startMetadataHost, type MetadataHost } from '../helpers/metadataHost'
import { installDoneAudit } from './audit'
import { EVM_CHAIN, evmChainsEnv, type EvmChain } from './chains'
import { waitQuiet, type DrillContext } from './context'
import { DrillCollection } from './evmCollection'
import type { DrillDb } from './postgres'
import { Fleet } from './processes'
import { check, type Check, type DrillResult } from './report'
import { compareDatabases } from './dump'
import { fmt } from './runtime'
import { deploymentEnv, roleSpecs } from './roles'

export interface AuditedDeployment {
  col: DrillCollection
  db: DrillDb
  env: Record<string, string>
  apiPort: number
}

export async function auditedDeployment(
  ctx: DrillContext,
  chain: EvmChain,
  host: MetadataHost,
  opts: { label: string; database: string; delayMs: (id: number) => number; workerConcurrency: number },
): Promise<AuditedDeployment> {
  const col = await DrillCollection.deploy(chain, host, opts.label, { delayMs: opts.delayMs })
  const chainsEnv = evmChainsEnv(chain.rpcUrl, { finality: 5, startBlock: col.deployBlock, contracts: [col.address] })
  const apiPort = await freePort()
  const db = await ctx.pg.createDatabase(opts.database)
  try {
    await installDoneAudit(db)
  } catch (e) {
    await db.close()
    throw e
  }
  const env = deploymentEnv({
    databaseUrl: db.url,
    evmChains: chainsEnv,
    allowHosts: [`127.0.0.1:${host.port}`],
    extra: { WORKER_CONCURRENCY: String(opts.workerConcurrency), HOST_MAX_CONCURRENCY: '32' },
  })
  return { col, db, env, apiPort }
}

/** What the crash and database-restart drills hold while they run; released by withAuditedRun. */
export interface AuditedRun {
  started: number
  r: ReturnType<DrillContext['rng']>
  log: (m: string) => void
  checks: Check[]
  figures: DrillResult['figures']
  logDir: string
  chain: EvmChain
  host: MetadataHost
  /** Fleets and databases the run starts: stopped and closed when it ends, however it ends. */
  fleets: Fleet[]
  dbs: DrillDb[]
}

export async function withAuditedRun(ctx: DrillContext, name: string, body: (run: AuditedRun) => Promise<DrillResult>): Promise<DrillResult> {
  const started = Date.now()
  const chain = await ctx.evm()
  const host = await startMetadataHost()
  const run: AuditedRun = {
    started,
    r: ctx.rng(name),
    log: (m) => ctx.log(`[${name}] ${m}`),
    checks: [],
    figures: [],
    logDir: ctx.logDir(name),
    chain,
    host,
    fleets: [],
    dbs: [],
  }
  try {
    return await body(run)
  } finally {
    for (const f of run.fleets) await f.stopAll().catch(() => undefined)
    for (const db of run.dbs) await db.close()
    await host.close()
  }
}

/**
 * The clean run: the same chain indexed into a second database (`database`) by a fleet with the
 * same settings and no faults, until it is quiet at `head`. Its database is left open for the
 * comparison (closed with the run).
 */
export async function cleanRun(
  ctx: DrillContext,
  run: AuditedRun,
  opts: { database: string; env: Record<string, string>; workers: number; head: number; timeoutMs: number },
): Promise<{ clean: DrillDb; cleanMs: number }> {
  const clean = await ctx.pg.createDatabase(opts.database)
  run.dbs.push(clean)
  const fleet = new Fleet(`${run.logDir}/clean`, run.log)
  run.fleets.push(fleet)
  for (const spec of roleSpecs({ env: { ...opts.env, DATABASE_URL: clean.url }, evmProcessor: true, workers: opts.workers })) fleet.add(spec)
  const started = Date.now()
  fleet.startAll()
  await waitQuiet(clean, 'clean run', { [EVM_CHAIN]: opts.head }, opts.timeoutMs, () => fleet.tails())
  const cleanMs = Date.now() - started
  await fleet.stopAll()
  return { clean, cleanMs }
}

/** The verdict both drills end on: the faulty run's database equals the clean run's (the comparison is returned). */
export async function checkEqualToClean(checks: Check[], db: DrillDb, clean: DrillDb): Promise<Awaited<ReturnType<typeof compareDatabases>>> {
  const cmp = await compareDatabases(db, clean, EVM_CHAIN)
  check(
    checks,
    'final database equals the clean run (normalised dumps of 9 tables)',
    cmp.equal,
    cmp.equal ? cmp.tables.map((t) => `${t.table} ${fmt(t.a)}`).join(', ') : cmp.differences.join(' / '),
  )
  return cmp
}
