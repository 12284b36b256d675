import sharp from 'sharp'
import type { DataSource } from 'typeorm'
import type { Config } from '../config'
import type { Logger } from '../lib/logger'
import type { Metrics } from '../lib/metrics'
import type { Shutdown } from '../lib/shutdown'
import { mediaStorageFrom } from '../media/mediaConfig'
import type { SafeAgent } from '../metadata/fetcher/safeFetch'
import { mediaJobHandler } from '../queue/jobs/mediaJob'
import { JobRunner } from '../queue/runner'

export interface MediaRunnerParts {
  config: Config
  ds: DataSource
  url: string
  workerId: string
  log: Logger
  metrics: Metrics
  shutdown: Shutdown
  /** The worker's safe agent (same IP policy and allow-list as metadata fetches). */
  agent: SafeAgent
}

/**
 * The worker's media lane: a second runner claiming only MEDIA jobs, MEDIA_CONCURRENCY at a time,
 * so metadata jobs never wait behind images. sharp's operation cache is off: each job's memory
 * is released when it ends (bounded worker memory under hostile images).
 */
export async function startMediaRunner(p: MediaRunnerParts): Promise<JobRunner> {
  const { config } = p
  sharp.cache(false)
  const storage = mediaStorageFrom(config)
  const handler = mediaJobHandler({
    db: p.ds.manager,
    storage,
    hostCooldownMs: config.HOST_COOLDOWN_MS,
    fetch: { agent: p.agent, timeoutMs: config.MEDIA_FETCH_TIMEOUT_MS, maxBytes: config.MEDIA_MAX_BYTES, maxRedirects: config.FETCH_MAX_REDIRECTS },
    renditions: { maxPixels: config.MEDIA_MAX_PIXELS, thumbnailWidths: config.MEDIA_THUMBNAIL_WIDTHS },
  })
  const runner = new JobRunner(
    p.ds,
    p.url,
    handler,
    {
      workerId: `${p.workerId}:media`,
      lane: 'media',
      sharedMaintenance: false,
      concurrency: config.MEDIA_CONCURRENCY,
      leaseMs: config.JOB_LEASE_SECONDS * 1000,
      maxAttempts: config.JOB_MAX_ATTEMPTS,
      backoffBaseMs: config.JOB_BACKOFF_BASE_MS,
      backoffMaxMs: config.JOB_BACKOFF_MAX_MS,
      hostCap: config.HOST_MAX_CONCURRENCY,
    },
    p.log.child({ lane: 'media' }),
    p.metrics,
  )
  await runner.start()
  p.shutdown.register('media runner', () => runner.stop())
  return runner
}
