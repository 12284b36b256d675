/**
 * Our metadata job run by graphile-worker instead of our queue (`npm run bench:peers`, pipeline
 * part): the same handler (src/queue/jobs: read the token URI, resolve, fetch, normalise) and the
 * same store code (writeResults: token_metadata, attributes, change events), one graphile job per
 * metadata job, graphile's defaults apart from the concurrency. Built by bench/peers/tsconfig.json
 * after the peers are installed. Environment: the worker's (DATABASE_URL, EVM_CHAINS,
 * FETCH_ALLOW_HOSTS, WORKER_CONCURRENCY, HOST_MAX_CONCURRENCY).
 */
import 'reflect-metadata'
import { run, type Task } from 'graphile-worker'
import { Pool } from 'pg'
import { loadConfig } from '../../../../src/config'
import type { ClaimedJob } from '../../../../src/core/jobOutcome'
import { createLogger } from '../../../../src/lib/logger'
import { buildChainReaders, buildLoaderOptions } from '../../../../src/main/wiring'
import { HostSlots } from '../../../../src/queue/hostSlots'
import { metadataJobHandler } from '../../../../src/queue/jobs'
import { writeResults } from '../../../../src/store/jobs/settleWrites'
import type { SqlExecutor } from '../../../../src/store/sql'
import type { TokenStandardName } from '../../../../src/core/standards'

/** The payload the bench enqueues: what our claim reads from metadata_job and contract. */
export interface MetadataPayload {
  id: string
  kind: 'TOKEN' | 'CONTRACT'
  chain: string
  contractId: string
  tokenRef: string | null
  standard: TokenStandardName
}

/** node-postgres answers a QueryResult; our store code expects the rows (TypeORM's shape). */
function executor(q: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> }): SqlExecutor {
  return { query: async (sql, params) => (await q.query(sql, params)).rows }
}

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const log = createLogger(config.LOG_LEVEL).child({ role: 'graphile-worker' })
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: config.DB_POOL_SIZE })
  const workerId = `graphile:${process.pid}`
  const hostSlots = new HostSlots(executor(pool), { workerId, capPerHost: config.HOST_MAX_CONCURRENCY, leaseMs: config.JOB_LEASE_SECONDS * 1000, waitMs: 2000 }, log)
  const handler = metadataJobHandler({ readers: buildChainReaders(config), loader: buildLoaderOptions(config), hostCooldownMs: config.HOST_COOLDOWN_MS })

  const metadata: Task = async (payload, helpers) => {
    const p = payload as MetadataPayload
    const job: ClaimedJob = { ...p, priority: 10, attempts: helpers.job.attempts, claimedVersion: 1, host: null, profile: null }
    const outcome = await handler(job, { hostSlots, log, lastAttempt: helpers.job.attempts >= helpers.job.max_attempts })
    // graphile retries a job whose task throws: a failed attempt is an error here, not a result
    if (!outcome.ok) throw new Error(`${p.id}: ${outcome.error.code}: ${outcome.error.message}`, { cause: outcome.error })
    await helpers.withPgClient(async (client) => {
      await client.query('BEGIN')
      try {
        const t = { outcome, status: 'DONE' as const, runAt: new Date(), attempts: job.attempts, rerun: false, settlesRefreshItems: false }
        // nothing locked beforehand: the writer inserts a placeholder token where one is missing
        await writeResults(executor(client), [t], new Date(), new Set())
        await client.query('COMMIT')
      } catch (e) {
        await client.query('ROLLBACK')
        throw e
      }
    })
  }

  const runner = await run({ pgPool: pool, concurrency: config.WORKER_CONCURRENCY, taskList: { metadata }, noHandleSignals: false })
  log.info({ concurrency: config.WORKER_CONCURRENCY }, 'graphile worker started')
  await runner.promise
  await pool.end()
}

main().catch((err: unknown) => {
  process.stderr.write(`graphile worker failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
