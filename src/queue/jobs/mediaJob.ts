import { PermanentError, RetryableError, isMetadataError } from '../../core/errors'
import { cacheMedia, type CacheMediaDeps } from '../../media/cacheMedia'
import { mediaSourceUrl, storedMediaFile } from '../../store/media'
import type { SqlExecutor } from '../../store/sql'
import type { JobContext, JobHandler } from '../runner'
import type { ClaimedJob, JobOutcome } from '../../core/jobOutcome'
import { politeFetch } from './politeFetch'

export interface MediaJobDeps extends Omit<CacheMediaDeps, 'storedFile' | 'fetch'> {
  db: SqlExecutor
  fetch: Omit<CacheMediaDeps['fetch'], 'withHost'>
  /** Host pause after a 429 without Retry-After. */
  hostCooldownMs: number
}

/**
 * A media job: fetch one distinct media URL under the shared per-host politeness, sniff, render
 * and store it (or find its content already stored). The job's outcome goes through the same
 * settle as metadata jobs (retries, backoff, deferrals); it writes only media rows.
 */
export function mediaJobHandler(deps: MediaJobDeps): JobHandler {
  return async (job: ClaimedJob, ctx: JobContext): Promise<JobOutcome> => {
    let host: string | null = job.host
    const polite = politeFetch(ctx.hostSlots, deps.hostCooldownMs)
    try {
      const key = job.tokenRef ?? ''
      const url = await mediaSourceUrl(deps.db, key)
      if (url === null) throw new PermanentError('uri_missing', `media source ${key} is not recorded`)
      const cached = await cacheMedia(url, {
        ...deps,
        fetch: { ...deps.fetch, withHost: (h, f) => ((host = h), polite(h, f)) },
        storedFile: (hash) => storedMediaFile(deps.db, hash),
      })
      return { job, ok: true, kind: 'MEDIA', host: cached.host ?? host, media: { sourceKey: key, file: cached.file } }
    } catch (e) {
      const error = isMetadataError(e) ? e : new RetryableError('internal_error', `media job failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
      return { job, ok: false, host, error }
    }
  }
}
