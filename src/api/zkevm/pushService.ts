import type { DataSource } from 'typeorm'
import type { Config } from '../../config'
import type { PreparedPush } from '../../metadata/pushedDocuments'
import { storePushedMetadata } from '../../store/jobs/pushedMetadata'
import { mediaQueueSettingsOf } from '../../media/mediaConfig'
import { consumeRefreshLimits } from '../auth/refreshLimits'

/**
 * Takes the key's refresh limits and stores the pushed documents (the workers' settle path) in
 * one transaction: a refused push writes nothing, an accepted one is stored whole.
 */
export function pushWithinLimits(ds: DataSource, config: Config, keyId: string, contractId: string, prepared: PreparedPush[], now: Date) {
  return ds.transaction('READ COMMITTED', async (em) => {
    const limits = await consumeRefreshLimits(em, config, keyId, prepared.length, now)
    if (!limits.allowed) return { limits, pushed: undefined }
    return { limits, pushed: await storePushedMetadata(em, contractId, prepared, now, mediaQueueSettingsOf(config)) }
  })
}
