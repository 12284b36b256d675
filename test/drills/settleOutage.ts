/**
 * A targeted probe the database-restart drill runs after its random restart, on the mechanism a
 * random restart can hit or miss depending on timing (here it is forced):
 *
 * While Postgres is away a worker cannot settle; it keeps finished attempts in memory and retries
 * the batch with backoff, extending only the leases of jobs still running. The leases of finished
 * but unsettled jobs expire; when Postgres is back the sweep returns those jobs to the queue and
 * the same worker may claim them again while their first outcomes still wait in memory. The
 * worker then holds two outcomes for one job. (Before settle kept one outcome per job, the batch
 * failed on every retry — "ON CONFLICT DO UPDATE command cannot affect row a second time" — until
 * lease expiry exhausted the attempts and healthy tokens ended FAILED.)
 *
 * Forced deterministically: one worker, every fetch held by the host until the drill releases it;
 * Postgres stopped while ten jobs are running; half of them released (their batch starts failing),
 * then the other half (their outcomes wait behind it); Postgres started again right after the
 * worker logs its 6th failed attempt, i.e. just before a 5 s backoff, which leaves the sweep and
 * the re-claim time to happen first. Every token must end with its metadata, and no settle batch
 * may fail for any reason but the database being away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { json, startMetadataHost } from '../helpers/metadataHost'
import { evmChainsEnv } from './chains'
import { jobCounts, live, waitForProcessorAt, type DrillContext } from './context'
import { DrillCollection } from './evmCollection'
import { Fleet } from './processes'
import { check, type Check } from './report'
import { deploymentEnv, roleSpecs } from './roles'
import { fmt, sleep, waitFor } from './runtime'

export interface SettleOutageOutcome {
  checks: Check[]
  figures: [string, string, string][]
  faults: string[]
  lost: string
}

const TOKENS = 10

export async function runSettleOutageProbe(ctx: DrillContext, logDir: string): Promise<SettleOutageOutcome> {
  const log = (m: string) => ctx.log(`[db-restart/settle-outage] ${m}`)
  const checks: Check[] = []
  const chain = await ctx.evm()
  const host = await startMetadataHost()
  const fleet = new Fleet(logDir, log)
  const db = await ctx.pg.createDatabase('drill_settle_outage')
  // Held responses: released by group, and answered at once after `open`.
  const held: { id: number; send: () => void }[] = []
  let open = false
  try {
    const col = await DrillCollection.deploy(chain, host, 'Outage')
    await col.mint(chain.driver.accounts[1], TOKENS)
    for (let id = 0; id < TOKENS; id++) {
      const answer = (req: IncomingMessage, res: ServerResponse) => json(col.doc(id))(req, res)
      host.route(`${col.pathPrefix}${id}`, (req, res) => {
        if (open) return answer(req, res)
        return new Promise<void>((resolve) => {
          let sent = false
          held.push({ id, send: () => (sent ? undefined : ((sent = true), void Promise.resolve(answer(req, res)).finally(resolve))) })
        })
      })
    }
    const head = await chain.head()
    const env = deploymentEnv({
      databaseUrl: db.url,
      evmChains: evmChainsEnv(chain.rpcUrl, { finality: 5, startBlock: col.deployBlock, contracts: [col.address] }),
      allowHosts: [`127.0.0.1:${host.port}`],
      extra: { WORKER_CONCURRENCY: '20', JOB_MAX_ATTEMPTS: '3' },
    })
    const [procSpec, workerSpec] = roleSpecs({ env, evmProcessor: true, workers: 1 })
    const proc = fleet.add({ ...procSpec, restart: 'never' })
    proc.start()
    await waitForProcessorAt(db, proc, head)
    await proc.stop()
    const worker = fleet.add({ ...workerSpec, restart: 'never' })
    worker.start()
    await waitFor(
      `all ${TOKENS} fetches waiting at the host`,
      async () => held.length >= TOKENS,
      60_000,
      50,
      () => worker.tail(),
    )

    const started = Date.now()
    await ctx.pg.down()
    held.filter((h) => h.id < TOKENS / 2).forEach((h) => h.send())
    await sleep(300)
    held.filter((h) => h.id >= TOKENS / 2).forEach((h) => h.send())
    open = true
    const sixth = await waitFor(
      "the worker's 6th failed settle attempt",
      async () =>
        worker
          .tail(60)
          .split('\n')
          .some((l) => l.includes('settling outcomes failed') && /"attempt":([6-9]|\d\d)/.test(l)),
      30_000,
      50,
    ).then(
      () => true,
      () => false,
    )
    await ctx.pg.up()
    log(`Postgres back after ${((Date.now() - started) / 1000).toFixed(1)} s (6th failed attempt seen: ${sixth})`)
    const settledBy = await waitFor(
      'every job settled',
      async () => live(await jobCounts(db)) === 0 && Date.now(),
      120_000,
      200,
      () => worker.tail(),
    )
    const c = await jobCounts(db)
    const failed = await db.q<{ id: string; error_code: string; error_message: string; attempts: number }>(
      `SELECT token_ref AS id, error_code, error_message, attempts FROM metadata_job WHERE kind = 'TOKEN' AND status <> 'DONE' ORDER BY id`,
    )
    const [{ available }] = await db.q<{ available: number }>(`SELECT count(*)::int AS available FROM token_metadata WHERE status = 'AVAILABLE'`)
    const poison = worker
      .tail(300)
      .split('\n')
      .filter((l) => l.includes('settling outcomes failed') && !/ECONN|terminat|shutting down|starting up|connect|Connection/i.test(l))
    const poisonMsg = poison.length ? (/"message":"([^"]*)"/.exec(poison[0])?.[1] ?? '?') : ''
    await fleet.stopAll()

    check(
      checks,
      'an outage longer than the lease: every finished attempt is settled once Postgres is back (no healthy token lost)',
      failed.length === 0 && available === TOKENS,
      `${JSON.stringify(c)}; metadata ${available}/${TOKENS}${failed.length ? `; not DONE: ${failed.map((f) => `${f.id.split(':').pop()} ${f.error_code} "${f.error_message}" after ${f.attempts} attempts`).join(', ')}` : ''}`,
    )
    check(
      checks,
      'an outage longer than the lease: no settle batch fails for any reason but the database being away',
      poison.length === 0,
      poison.length === 0 ? 'none' : `${poison.length}× "${poisonMsg}"`,
    )
    return {
      checks,
      figures: [
        [
          'settle-outage probe',
          `${TOKENS} tokens, 1 worker`,
          `Postgres down ${((Date.now() - started) / 1000).toFixed(0)} s incl. recovery; queue settled ${((settledBy - started) / 1000).toFixed(1)} s after the stop; ${fmt(failed.length)} healthy tokens ended ${failed[0]?.error_code ? `FAILED (${failed[0].error_code})` : 'not DONE'}`,
        ],
      ],
      faults: ['Postgres stopped with 10 fetches in flight on one worker, started again after its 6th failed settle attempt'],
      lost: failed.length ? `${failed.length} of ${TOKENS} healthy tokens without metadata (jobs FAILED: ${failed[0].error_message})` : 'nothing',
    }
  } finally {
    open = true
    held.forEach((h) => h.send())
    await fleet.stopAll().catch(() => undefined)
    await ctx.pg.up().catch(() => undefined)
    await db.close()
    await host.close()
  }
}
