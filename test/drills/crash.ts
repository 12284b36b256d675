/**
 * Crash drill. A live run of the whole pipeline (the real evm-processor, workers and the API as
 * processes over one Postgres; ERC-721 mints on hardhat in waves, with transfers and ERC-4906
 * refreshes of changed documents) during which random processes are SIGKILLed at random moments
 * and restarted by the drill's supervisor, as an orchestrator would. Then a clean run indexes the
 * same chain into a second database without faults, and the two normalised dumps must be equal;
 * an audit trigger proves that no job version was completed twice.
 */
import { ApiProbe } from './apiProbe'
import { checkEveryJobDoneOnce, readDoneAudit } from './audit'
import { auditedDeployment, checkEqualToClean, cleanRun, withAuditedRun } from './auditedDeployment'
import { EVM_CHAIN } from './chains'
import { indexedHeight, jobCounts, waitQuiet, type DrillContext } from './context'
import { counterMismatches } from './dump'
import { runWaves } from './evmCollection'
import { Fleet } from './processes'
import { check, type DrillResult } from './report'
import { roleSpecs } from './roles'
import { runHotRestartProbe } from './hotRestart'
import { fmt, seconds, sleep, waitFor } from './runtime'

export interface CrashOptions {
  tokens: number
  waves: number
  /** pause between mint waves */
  waveGapMs: number
  kills: number
  workers: number
  workerConcurrency: number
  /** bound on the faulty run and on the clean run each */
  timeoutMs: number
}

export const CRASH_PROFILES: Record<'full' | 'quick' | 'test', CrashOptions> = {
  full: { tokens: 10_000, waves: 20, waveGapMs: 1500, kills: 10, workers: 2, workerConcurrency: 32, timeoutMs: 300_000 },
  quick: { tokens: 3_000, waves: 10, waveGapMs: 1200, kills: 6, workers: 2, workerConcurrency: 32, timeoutMs: 180_000 },
  test: { tokens: 400, waves: 4, waveGapMs: 500, kills: 3, workers: 2, workerConcurrency: 16, timeoutMs: 120_000 },
}

interface Kill {
  atMs: number
  victim: string
  pid: number | undefined
  progress: string
}

export async function runCrashDrill(ctx: DrillContext, opt: CrashOptions): Promise<DrillResult> {
  return withAuditedRun(ctx, 'crash', async (run) => {
    const { started, r, log, checks, figures, logDir, chain, host, fleets, dbs } = run
    const jitter = r.fork('delays')
    const delays = Array.from({ length: opt.tokens }, () => jitter.int(2, 12))
    const { col, db, env, apiPort } = await auditedDeployment(ctx, chain, host, {
      label: 'Crash',
      database: 'drill_crash',
      delayMs: (id) => delays[id] ?? 5,
      workerConcurrency: opt.workerConcurrency,
    })
    dbs.push(db)
    const restarts = r.fork('restarts')
    const fleet = new Fleet(`${logDir}/faulty`, log)
    fleets.push(fleet)
    for (const spec of roleSpecs({ env, evmProcessor: true, workers: opt.workers, apiPort, restartDelayMs: (why) => (why === 'killed' ? restarts.int(200, 1500) : 1000) }))
      fleet.add(spec)
    const runStart = Date.now()
    fleet.startAll()
    const probe = new ApiProbe(() => `http://127.0.0.1:${apiPort}`, { chain: EVM_CHAIN, contract: col.address, tokenIds: () => col.minted })
    probe.start()

    // The chain activity of the run: waves of mints, transfers of earlier tokens, refreshes.
    const activity = runWaves(col, { tokens: opt.tokens, waves: opt.waves, gapMs: opt.waveGapMs, transfersPerWave: 3, refreshEvery: 2 }, r.fork('chain'))
    const owners = activity.owners

    // The killer: kill moments at random points of the run's progress (jobs done out of the
    // final total), a random victim each time (every kind at least once), restarted by the fleet.
    const killRng = r.fork('kills')
    const roles = [...fleet.roles.values()]
    const kinds = ['evm-processor', 'worker', 'api']
    const victims: string[] = []
    for (let i = 0; i < opt.kills; i++) {
      const kind = i < kinds.length ? kinds[i] : killRng.pick(kinds)
      const candidates = roles.filter((p) => p.name.startsWith(kind))
      victims.push(killRng.pick(candidates).name)
    }
    for (let i = victims.length - 1; i > 0; i--) {
      const j = killRng.int(0, i)
      ;[victims[i], victims[j]] = [victims[j], victims[i]]
    }
    const thresholds = Array.from({ length: opt.kills }, () => 0.03 + killRng.next() * 0.9).sort((a, b) => a - b)
    const total = opt.tokens + 1
    const kills: Kill[] = []
    const killer = (async () => {
      let lastKill = 0
      for (let i = 0; i < opt.kills; i++) {
        await waitFor(`progress ${Math.round(thresholds[i] * 100)}% for kill ${i + 1}`, async () => ((await jobCounts(db)).DONE ?? 0) >= thresholds[i] * total, opt.timeoutMs, 100)
        // At least a second apart, so the victims of neighbouring thresholds are not killed together.
        await sleep(Math.max(killRng.int(0, 400), lastKill + 1000 - Date.now()))
        lastKill = Date.now()
        const victim = fleet.get(victims[i])
        await waitFor(`${victim.name} to be up again`, async () => victim.alive, 30_000, 50)
        const c = await jobCounts(db)
        const progress = `done ${c.DONE ?? 0}/${total}, running ${c.RUNNING ?? 0}, indexed ${await indexedHeight(db, EVM_CHAIN)}/${await chain.head()}`
        kills.push({ atMs: Date.now() - started, victim: victim.name, pid: victim.pid, progress })
        log(`kill ${i + 1}/${opt.kills}: SIGKILL ${victim.name} (pid ${victim.pid}) at ${progress}`)
        await victim.kill('SIGKILL')
      }
    })()
    await activity.done
    await killer
    const head = await chain.head()
    const quiet = await waitQuiet(db, 'faulty run', { [EVM_CHAIN]: head }, opt.timeoutMs, () => fleet.tails())
    const faultyMs = Date.now() - runStart
    // The last victim may still be in its restart delay; the supervisor must have brought it back.
    const aliveAtEnd = await waitFor('every role up again', async () => roles.every((p) => p.alive), 15_000, 100).then(
      () => true,
      () => false,
    )
    await sleep(300) // a last probe round after the final restart
    const probeStats = await probe.stop()
    await fleet.stopAll()
    log(`faulty run quiet after ${seconds(faultyMs)}: ${JSON.stringify(quiet)}`)

    // The clean run: same chain, same settings, a second database, no faults.
    const { clean, cleanMs } = await cleanRun(ctx, run, { database: 'drill_crash_clean', env, workers: opt.workers, head, timeoutMs: opt.timeoutMs })

    // Verdicts.
    const cmp = await checkEqualToClean(checks, db, clean)
    const audit = await readDoneAudit(db)
    let dupDetail = `${fmt(audit.completions)} transitions to DONE, all distinct`
    if (audit.duplicates.length > 0) {
      const ids = audit.duplicates.map((x) => x.job_id)
      const hist = await db.q<{ job_id: string; claimed_version: number; request_version: number; worker: string; at: Date }>(
        `SELECT job_id, claimed_version, request_version, worker, at FROM drill_done_audit WHERE job_id = ANY($1::text[]) ORDER BY job_id, at`,
        [ids],
      )
      const tokenIds = ids.map((id) => Number(id.split(':').pop()))
      const notices = await db.q<{ id: string; block_number: number }>(`SELECT token_id AS id, block_number FROM update_notice WHERE token_id = ANY($1::text[])`, [
        ids.map((id) => id.slice('token:'.length)),
      ])
      dupDetail = `${audit.duplicates.length} job version(s) completed twice: ${hist.map((h) => `${h.job_id.split(':').pop()} v${h.claimed_version}/${h.request_version} by ${h.worker} at ${h.at.toISOString().slice(11, 23)}`).join('; ')}; MetadataUpdate in block(s) ${notices.map((n) => `${n.id.split(':').pop()}@${n.block_number}`).join(', ') || 'none'} (tokens ${tokenIds.join(', ')}); processor restarts re-applied the head block: ${
        fleet
          .get('evm-processor')
          .tail(300)
          .match(/navigating a fork[^"]*/g)
          ?.join(' | ') ?? 'not seen'
      }`
    }
    check(checks, 'no job version completed twice (audit trigger)', audit.duplicates.length === 0, dupDetail)
    const available = await checkEveryJobDoneOnce(checks, db, audit, { chain: EVM_CHAIN, jobs: total, contractId: col.contractId, tokens: opt.tokens })
    const revRows = await db.q<{ id: string; d: string }>(`SELECT token_id AS id, description AS d FROM token_metadata WHERE contract_id = $1 AND token_id = ANY($2::text[])`, [
      col.contractId,
      [...col.revs.keys()].map((id) => `${col.contractId}:${id}`),
    ])
    const stale = revRows.filter((x) => !x.d.endsWith(`revision ${col.revs.get(Number(x.id.split(':').pop()))}`))
    check(
      checks,
      'refreshed tokens carry the latest document',
      stale.length === 0 && revRows.length === col.revs.size,
      `${col.revs.size} tokens changed + MetadataUpdate; stale: ${stale.map((s) => s.id.split(':').pop()).join(', ') || 'none'}`,
    )
    const ownerRows = await db.q<{ id: string; owner: string }>(`SELECT token_id::text AS id, owner FROM token WHERE contract_id = $1`, [col.contractId])
    const wrongOwners = ownerRows.filter((o) => owners.get(Number(o.id))?.toLowerCase() !== o.owner)
    check(
      checks,
      'owners equal the chain',
      wrongOwners.length === 0 && ownerRows.length === opt.tokens,
      `${fmt(ownerRows.length)} tokens, ${activity.stats.transfers} transfers, wrong: ${wrongOwners.length}`,
    )
    const counters = await counterMismatches(db)
    check(checks, 'status counters equal COUNT(*)', counters.length === 0, counters.join('; ') || 'job, token, contract and per-collection counters match')
    const unexpected = roles.flatMap((p) => p.unexpectedExits.map((e) => `${p.name} code ${e.code} signal ${e.signal}${p.lastError() ? ` (${p.lastError()})` : ''}`))
    check(
      checks,
      'no process exited unless killed; all up at the end',
      unexpected.length === 0 && aliveAtEnd,
      unexpected.join('; ') || `${roles.map((p) => `${p.name} ${p.starts} starts`).join(', ')}`,
    )
    check(
      checks,
      'API: no 5xx while up',
      probeStats.serverErrors === 0 && probeStats.unavailable === 0,
      `${fmt(probeStats.requests)} requests: ${fmt(probeStats.ok)} ok, ${probeStats.clientErrors} 4xx, ${probeStats.down} refused while down, ${probeStats.serverErrors + probeStats.unavailable} 5xx ${probeStats.samples5xx.join(' / ')}`,
    )
    check(checks, `${opt.kills} kills delivered`, kills.length === opt.kills, kills.map((k) => k.victim).join(', '))

    // The mechanism behind a double completion, made deterministic.
    const hot = await runHotRestartProbe(ctx, `${logDir}/hot-restart`)
    checks.push(...hot.checks)

    const fetches = host.requests.filter((q) => q.url.startsWith(col.pathPrefix)).length
    figures.push([
      'tokens minted',
      fmt(opt.tokens),
      `${opt.waves} waves, ${activity.stats.transfers} transfers, ${activity.stats.refreshes} MetadataUpdate after a document change; chain head ${head}`,
    ])
    figures.push([
      'faulty run (kills → queue drained)',
      seconds(faultyMs),
      `${opt.workers} workers × ${opt.workerConcurrency}, lease 5 s; ${fmt(total / (faultyMs / 1000), 0)} jobs/s overall`,
    ])
    figures.push(['clean run (second database)', seconds(cleanMs), `${fmt(total / (cleanMs / 1000), 0)} jobs/s`])
    figures.push([
      'metadata fetches (faulty + clean run)',
      fmt(fetches),
      `${fmt(fetches - 2 * opt.tokens - 2 * activity.stats.refreshes)} beyond one per token per run (attempts cut short by kills, refreshes mid-fetch)`,
    ])
    figures.push(['transitions to DONE (faulty run)', fmt(audit.completions), `${fmt(total)} jobs + re-runs after MetadataUpdate`])
    figures.push(['API probe', `${fmt(probeStats.requests)} requests`, `${fmt(probeStats.ok)} ok, ${probeStats.down} refused while the API was down`])
    figures.push(...hot.figures)
    const dataLost =
      cmp.equal && available === opt.tokens && stale.length === 0
        ? 'nothing from the random kills'
        : `differences from the clean run: ${cmp.differences.slice(0, 3).join(' / ') || 'see checks'}`
    const refreshLost = hot.checks.slice(0, 2).some((x) => !x.ok)
      ? `; the hot-restart probe lost a user refresh (its jobs fell back to the mint request's version and priority; the refresh never completes: ${hot.figures[0][2].split('refresh ').pop()})`
      : ''
    const refetched = hot.checks[2] && !hot.checks[2].ok ? `; restart behind the head: fetched metadata of hot-block tokens deleted and fetched again (${hot.figures[1][2]})` : ''
    const lost = `${dataLost}${refreshLost}${refetched}`
    return {
      drill: 'crash',
      setup: `${fmt(opt.tokens)} ERC-721 tokens (prefix URIs on a local metadata host, 2-12 ms per document) minted live in ${opt.waves} waves; evm-processor (finality 5), ${opt.workers} workers and the API as processes over one embedded Postgres; ${opt.kills} SIGKILLs at random progress points, victim restarted after 0.2-1.5 s; clean run = a second database indexed and fetched without faults.`,
      durationMs: Date.now() - started,
      figures,
      faults: [...kills.map((k) => `+${seconds(k.atMs)} SIGKILL ${k.victim} (${k.progress})`), ...hot.faults],
      checks,
      lost,
      logDir,
    }
  })
}
