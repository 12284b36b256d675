/**
 * Database-restart drill. The same live pipeline as the crash drill (evm-processor, workers and
 * the API over one embedded Postgres, mints in waves), and in the middle of it the Postgres server
 * itself is stopped (fast shutdown: every session is cut) and started again on the same data
 * directory and port. Workers and the API must ride it out on their own, without a restart; the
 * processor may exit (Subsquid treats a lost database as fatal) and is then restarted by the
 * drill's supervisor, as the orchestrator does in production. Nothing may be lost: the final
 * database equals a clean run's, and no job version completes twice.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ApiProbe } from './apiProbe'
import { checkEveryJobDoneOnce, readDoneAudit } from './audit'
import { auditedDeployment, checkEqualToClean, cleanRun, withAuditedRun } from './auditedDeployment'
import { EVM_CHAIN } from './chains'
import { jobCounts, waitQuiet, type DrillContext } from './context'
import { counterMismatches } from './dump'
import { runWaves } from './evmCollection'
import { Fleet } from './processes'
import { check, type DrillResult } from './report'
import { roleSpecs } from './roles'
import { fmt, seconds, sleep, waitFor } from './runtime'
import { runSettleOutageProbe } from './settleOutage'

export interface DbRestartOptions {
  tokens: number
  waves: number
  waveGapMs: number
  /** one restart per entry: how long the server stays down */
  downtimeMs: number[]
  workers: number
  workerConcurrency: number
  timeoutMs: number
  /** how soon after Postgres is back each worker must complete a job, and the API answer /health */
  recoveryBoundMs: number
}

export const DB_RESTART_PROFILES: Record<'full' | 'quick' | 'test', DbRestartOptions> = {
  full: { tokens: 4_000, waves: 10, waveGapMs: 1200, downtimeMs: [3_000, 12_000], workers: 2, workerConcurrency: 32, timeoutMs: 240_000, recoveryBoundMs: 15_000 },
  quick: { tokens: 1_500, waves: 6, waveGapMs: 1000, downtimeMs: [6_000], workers: 2, workerConcurrency: 32, timeoutMs: 150_000, recoveryBoundMs: 15_000 },
  // npm test runs beside other test files on 2 cores: recovery bounds are loose there.
  test: { tokens: 300, waves: 5, waveGapMs: 800, downtimeMs: [6_000], workers: 2, workerConcurrency: 16, timeoutMs: 120_000, recoveryBoundMs: 45_000 },
}

interface Outage {
  atMs: number
  /** wall clock when the server was up again */
  upAt?: number
  downtimeMs: number
  before: string
  /** Jobs queued, and jobs each worker held (by worker id), when the server stopped. */
  queued: number
  held: { worker: string; n: number }[]
  apiBackMs?: number
  workersBackMs?: number
  processorExits: number
}

export async function runDbRestartDrill(ctx: DrillContext, opt: DbRestartOptions): Promise<DrillResult> {
  return withAuditedRun(ctx, 'db-restart', async (run) => {
    const { started, r, log, checks, figures, logDir, chain, host, fleets, dbs } = run
    const { col, db, env, apiPort } = await auditedDeployment(ctx, chain, host, {
      label: 'Restart',
      database: 'drill_db_restart',
      delayMs: (id) => 2 + (id % 9),
      workerConcurrency: opt.workerConcurrency,
    })
    dbs.push(db)
    const fleet = new Fleet(`${logDir}/faulty`, log)
    fleets.push(fleet)
    // The orchestrator's policy: restart whatever exits, after a second (more after repeated exits).
    for (const spec of roleSpecs({ env, evmProcessor: true, workers: opt.workers, apiPort, restartDelayMs: (_why, n) => Math.min(5000, 1000 * n) })) fleet.add(spec)
    const runStart = Date.now()
    fleet.startAll()
    const workerPids = new Map([...fleet.roles.values()].filter((p) => p.spec.script === 'worker').map((p) => [p.name, p.pid]))
    const probe = new ApiProbe(() => `http://127.0.0.1:${apiPort}`, { chain: EVM_CHAIN, contract: col.address, tokenIds: () => col.minted })
    probe.start()
    const activity = runWaves(col, { tokens: opt.tokens, waves: opt.waves, gapMs: opt.waveGapMs, transfersPerWave: 2, refreshEvery: 2 }, r.fork('chain'))

    const total = opt.tokens + 1
    const outages: Outage[] = []
    const proc = fleet.get('evm-processor')
    const thresholds = opt.downtimeMs.map((_, i) => (i + 1) / (opt.downtimeMs.length + 1) + (r.next() - 0.5) * 0.1)
    for (const [i, downtimeMs] of opt.downtimeMs.entries()) {
      await waitFor(
        `progress ${Math.round(thresholds[i] * 100)}%`,
        async () => ((await jobCounts(db)).DONE ?? 0) >= thresholds[i] * total,
        opt.timeoutMs,
        100,
        () => fleet.tails(),
      )
      await sleep(r.int(0, 500))
      const c = await jobCounts(db)
      const held = await db.q<{ worker: string; n: number }>(`SELECT locked_by AS worker, count(*)::int AS n FROM metadata_job WHERE status = 'RUNNING' GROUP BY 1`)
      const outage: Outage = {
        atMs: Date.now() - started,
        downtimeMs,
        before: `done ${c.DONE ?? 0}/${total}, running ${c.RUNNING ?? 0}, queued ${c.QUEUED ?? 0}`,
        queued: c.QUEUED ?? 0,
        held,
        processorExits: proc.exits.length,
      }
      log(`restart ${i + 1}: stopping Postgres for ${seconds(downtimeMs)} at ${outage.before}`)
      probe.dbDown = true
      await ctx.pg.restart(downtimeMs)
      const upAt = Date.now()
      outage.upAt = upAt
      outage.apiBackMs = await probe.waitHealthy(60_000)
      probe.dbDown = false
      const doneBefore = c.DONE ?? 0
      // Workers are back when jobs complete again (or nothing was left to do).
      await waitFor(
        'workers to settle jobs again',
        async () => {
          const now = await jobCounts(db)
          return (now.DONE ?? 0) > doneBefore || ((now.QUEUED ?? 0) === 0 && (now.RUNNING ?? 0) === 0)
        },
        60_000,
        100,
        () => fleet.tails(),
      ).then(
        () => (outage.workersBackMs = Date.now() - upAt),
        () => undefined,
      )
      outage.processorExits = proc.exits.length - outage.processorExits
      outages.push(outage)
      log(`restart ${i + 1}: API healthy after ${outage.apiBackMs ?? '∞'} ms, workers settling after ${outage.workersBackMs ?? '∞'} ms; processor exits: ${outage.processorExits}`)
    }
    await activity.done
    const head = await chain.head()
    const quiet = await waitQuiet(db, 'faulty run', { [EVM_CHAIN]: head }, opt.timeoutMs, () => fleet.tails())
    const faultyMs = Date.now() - runStart
    await sleep(300)
    const probeStats = await probe.stop()
    const roles = [...fleet.roles.values()]
    const aliveAtEnd = roles.every((p) => p.alive)
    await fleet.stopAll()
    log(`faulty run quiet after ${seconds(faultyMs)}: ${JSON.stringify(quiet)}`)

    const { clean, cleanMs } = await cleanRun(ctx, run, { database: 'drill_db_restart_clean', env, workers: opt.workers, head, timeoutMs: opt.timeoutMs })

    // Per worker: its first completion after each restart (the audit records the worker that held the job).
    const workerRoles = roles.filter((p) => p.spec.script === 'worker')
    const perWorker: string[] = []
    let stalled = false
    for (const [i, o] of outages.entries()) {
      const [{ after }] = await db.q<{ after: number }>(`SELECT count(*)::int AS after FROM drill_done_audit WHERE at > $1`, [new Date(o.upAt ?? Date.now())])
      if (after === 0) {
        perWorker.push(`restart ${i + 1}: nothing was left to do after it`)
        continue
      }
      for (const w of workerRoles) {
        const pid = w.starts === 1 ? workerPids.get(w.name) : undefined
        if (!pid || !o.upAt) continue
        const [first] = await db.q<{ at: Date | null }>(`SELECT min(at) AS at FROM drill_done_audit WHERE worker LIKE $1 AND at > $2`, [`%:${pid}:%`, new Date(o.upAt)])
        const ms = first?.at ? first.at.getTime() - o.upAt : undefined
        // A worker that held nothing when nothing was queued has nothing to complete afterwards
        // (near the end of a run one worker may hold every job left): not a stall.
        const heldAny = o.held.some((h) => h.worker?.includes(`:${pid}:`) && h.n > 0)
        if (ms === undefined && o.queued === 0 && !heldAny) {
          perWorker.push(`restart ${i + 1}: ${w.name} held no job and none was queued`)
          continue
        }
        if (ms === undefined || ms > opt.recoveryBoundMs) stalled = true
        perWorker.push(`restart ${i + 1}: ${w.name} first completion +${ms === undefined ? '∞' : `${(ms / 1000).toFixed(1)} s`}`)
      }
    }
    // Why a worker stalls: settle transactions that fail for a reason other than the database being away.
    const settleErrors = new Map<string, number>()
    let dropped = 0
    for (const w of workerRoles) {
      for (const line of fs.readFileSync(path.join(fleet.logDir, `${w.name}.log`), 'utf8').split('\n')) {
        if (!line.startsWith('{')) continue
        let rec: { msg?: string; err?: { message?: string }; lost?: number }
        try {
          rec = JSON.parse(line)
        } catch {
          continue
        }
        if (rec.msg === 'outcomes dropped: jobs no longer held by this worker') dropped += rec.lost ?? 0
        if (rec.msg !== 'settling outcomes failed; retrying') continue
        const m = rec.err?.message ?? '?'
        if (/ECONNREFUSED|ECONNRESET|terminat|shutting down|starting up|Connection terminated|connect|closed|released/i.test(m)) continue
        settleErrors.set(m, (settleErrors.get(m) ?? 0) + 1)
      }
    }

    const cmp = await checkEqualToClean(checks, db, clean)
    const audit = await readDoneAudit(db)
    check(
      checks,
      'no job version completed twice (audit trigger)',
      audit.duplicates.length === 0,
      audit.duplicates.length === 0
        ? `${fmt(audit.completions)} transitions to DONE, all distinct`
        : `${audit.duplicates.length}${audit.duplicates.length === 20 ? '+' : ''} job versions, e.g. ${audit.duplicates
            .slice(0, 4)
            .map((x) => `${x.job_id.split(':').pop()} v${x.claimed_version} ×${x.n}`)
            .join(', ')} (ids minted in one block: the processor re-applied its hot blocks after a restart)`,
    )
    const available = await checkEveryJobDoneOnce(checks, db, audit, { chain: EVM_CHAIN, jobs: total, contractId: col.contractId, tokens: opt.tokens })
    const counters = await counterMismatches(db)
    check(checks, 'status counters equal COUNT(*)', counters.length === 0, counters.join('; ') || 'job, token, contract and per-collection counters match')
    const survivors = roles.filter((p) => p.name !== 'evm-processor')
    const died = survivors.flatMap((p) =>
      p.exits.filter((e) => !e.expected).map((e) => `${p.name} exited (code ${e.code}, signal ${e.signal})${p.lastError() ? `: ${p.lastError()}` : ''}`),
    )
    check(
      checks,
      'workers and the API survive every restart without a restart of their own',
      died.length === 0 && survivors.every((p) => p.starts === 1),
      died.join('; ') || survivors.map((p) => `${p.name}: 1 start, 0 exits`).join(', '),
    )
    check(
      checks,
      `the API serves again after each restart (within ${seconds(opt.recoveryBoundMs)})`,
      outages.every((o) => o.apiBackMs !== undefined && o.apiBackMs < opt.recoveryBoundMs),
      outages.map((o) => `${o.apiBackMs ?? '∞'} ms`).join(', '),
    )
    check(checks, `every worker completes jobs again within ${seconds(opt.recoveryBoundMs)} of each restart`, !stalled, perWorker.join('; '))
    check(
      checks,
      'settle transactions fail only while the database is away',
      settleErrors.size === 0,
      settleErrors.size === 0 ? 'only connection errors while Postgres was down' : [...settleErrors].map(([m, n]) => `${n}× "${m}"`).join('; '),
    )
    check(
      checks,
      'the processor is up at the end (restarted by the supervisor when it exited)',
      aliveAtEnd && proc.unexpectedExits.every((e) => e.code !== null),
      `${proc.unexpectedExits.length} exit(s): ${proc.unexpectedExits.map((e) => `code ${e.code}`).join(', ') || 'none'}; ${proc.starts} starts`,
    )
    check(
      checks,
      'API: no 5xx while the database is up',
      probeStats.serverErrors === 0,
      `${fmt(probeStats.requests)} requests: ${fmt(probeStats.ok)} ok; while the database was down: ${probeStats.unavailable} × 503, ${probe.serverErrorsWhileDbDown} × 500; while up: ${probeStats.serverErrors} 5xx ${probeStats.samples5xx.join(' / ')}`,
    )

    // The mechanism behind a stalled worker, made deterministic.
    const probe2 = await runSettleOutageProbe(ctx, path.join(logDir, 'settle-outage'))
    checks.push(...probe2.checks)
    figures.push(['tokens minted', fmt(opt.tokens), `${opt.waves} waves, ${activity.stats.transfers} transfers, ${activity.stats.refreshes} MetadataUpdate; chain head ${head}`])
    for (const [i, o] of outages.entries()) {
      figures.push([
        `restart ${i + 1}: Postgres down ${seconds(o.downtimeMs)}`,
        `API healthy +${o.apiBackMs ?? '∞'} ms, jobs settling +${o.workersBackMs ?? '∞'} ms`,
        `at ${o.before}; processor exited ${o.processorExits}× and was restarted by the supervisor`,
      ])
    }
    figures.push(['faulty run (start → queue drained)', seconds(faultyMs), `${opt.workers} workers × ${opt.workerConcurrency}, lease 5 s`])
    figures.push(['finished attempts thrown away', fmt(dropped), 'outcomes a worker could no longer settle because its lease had expired meanwhile (the job ran again elsewhere)'])
    figures.push(['clean run (second database)', seconds(cleanMs), ''])
    figures.push(...probe2.figures)
    figures.push([
      'API probe',
      `${fmt(probeStats.requests)} requests`,
      `${fmt(probeStats.ok)} ok; while the database was down: ${probeStats.unavailable} × 503 (/health and others), ${probe.serverErrorsWhileDbDown} × 500`,
    ])
    return {
      drill: 'db-restart',
      setup: `${fmt(opt.tokens)} ERC-721 tokens minted live in ${opt.waves} waves; evm-processor, ${opt.workers} workers and the API as processes; the embedded Postgres stopped (fast shutdown) and started again on the same data directory and port ${opt.downtimeMs.length}× (down ${opt.downtimeMs.map(seconds).join(', ')}); the supervisor restarts the processor when it exits (in production the orchestrator does); workers and the API must survive on their own.`,
      durationMs: Date.now() - started,
      figures,
      faults: [...outages.map((o) => `+${seconds(o.atMs)} Postgres stop/start, down ${seconds(o.downtimeMs)} (${o.before})`), ...probe2.faults],
      checks,
      lost: `${cmp.equal && available === opt.tokens ? 'nothing in the random restart' : `random restart: ${opt.tokens - available} tokens without metadata (${cmp.differences.slice(-1).join('') || 'see checks'})`}; settle-outage probe: ${probe2.lost}`,
      logDir,
    }
  })
}
