import 'reflect-metadata'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { loadConfig } from '../config'
import { createLogger } from '../lib/logger'
import { Metrics } from '../lib/metrics'
import { startMetricsServer } from '../lib/metricsServer'
import { Shutdown } from '../lib/shutdown'
import { cleanupRetention, startPeriodicCleanup } from '../queue/cleanup'
import { metadataJobHandler } from '../queue/jobs'
import { JobRunner } from '../queue/runner'
import { mediaQueueSettingsOf } from '../media/mediaConfig'
import { HeadWatch } from '../ingest/headWatch'
import { openDatabase } from './database'
import { startMediaRunner } from './mediaWorker'
import { buildChainReaders, buildHeadReaders, buildLoaderOptions, stacksApiAccess } from './wiring'
import { runMain } from './runMain'

/**
 * A metadata worker: `node lib/main/worker.js`. Scale by running more of them; they share the
 * queue, the per-host caps and the 429 cooldowns through Postgres. Workers also prune the
 * housekeeping tables (one at a time, see runCleanup).
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const log = createLogger(config.LOG_LEVEL).child({ role: 'worker', worker: workerId })
  const shutdown = new Shutdown(log, 30_000)
  shutdown.installSignalHandlers()
  const { url, ds } = await openDatabase(config, log, shutdown)
  const metrics = new Metrics({ role: 'worker' })
  if (config.METRICS_PORT) {
    const server = await startMetricsServer(metrics, config.METRICS_PORT)
    shutdown.register('metrics server', () => server.close())
  }
  const loader = buildLoaderOptions(config)
  shutdown.register('http agent', () => loader.agent.close())
  // one Stacks budget for every Stacks read of this process: jobs and the head watch
  const stacks = stacksApiAccess(config, config.STACKS_WORKER_REQUESTS_PER_MINUTE)
  const handler = metadataJobHandler(
    { readers: buildChainReaders(config, { ds, stacks }), loader, hostCooldownMs: config.HOST_COOLDOWN_MS },
    {
      db: ds,
      agent: loader.agent,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      maxRedirects: config.FETCH_MAX_REDIRECTS,
      batch: config.WEBHOOK_BATCH,
      concurrency: config.WEBHOOK_CONCURRENCY,
    },
  )
  const runner = new JobRunner(
    ds,
    url,
    handler,
    {
      workerId,
      concurrency: config.WORKER_CONCURRENCY,
      leaseMs: config.JOB_LEASE_SECONDS * 1000,
      maxAttempts: config.JOB_MAX_ATTEMPTS,
      backoffBaseMs: config.JOB_BACKOFF_BASE_MS,
      backoffMaxMs: config.JOB_BACKOFF_MAX_MS,
      delivery: { maxAttempts: config.WEBHOOK_PAUSE_AFTER_FAILURES, backoffBaseMs: config.WEBHOOK_BACKOFF_BASE_MS },
      hostCap: config.HOST_MAX_CONCURRENCY,
      dynamicTtlSeconds: config.STACKS_DYNAMIC_TTL_SECONDS,
      media: mediaQueueSettingsOf(config),
    },
    log,
    metrics,
  )
  await runner.start()
  shutdown.register('job runner', () => runner.stop())
  if (config.MEDIA_CACHE) await startMediaRunner({ config, ds, url, workerId, log, metrics, shutdown, agent: loader.agent })
  const heads = new HeadWatch({ heads: buildHeadReaders(config, stacks), db: ds, intervalMs: config.PROGRESS_INTERVAL_MS, log })
  heads.start()
  shutdown.register('head watch', () => heads.stop())
  const cleanup = startPeriodicCleanup(ds, cleanupRetention(config), config.CLEANUP_INTERVAL_SECONDS * 1000, log)
  shutdown.register('housekeeping cleanup', () => cleanup.stop())
  log.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker started')
}

runMain(main)
