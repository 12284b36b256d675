import type { Config } from '../config'
import { LocalMediaStorage } from './localStorage'
import { S3MediaStorage } from './s3Storage'
import type { MediaQueueSettings } from './mediaSource'
import type { MediaStorage } from './storage'

/** The configured storage backend; refuses an s3 backend without a bucket by naming the variable. */
export function mediaStorageFrom(config: Config): MediaStorage {
  if (config.MEDIA_STORAGE === 'local') return new LocalMediaStorage(config.MEDIA_DIR)
  if (!config.MEDIA_S3_BUCKET) throw new Error('MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET')
  const credentials =
    config.MEDIA_S3_ACCESS_KEY_ID && config.MEDIA_S3_SECRET_ACCESS_KEY
      ? { accessKeyId: config.MEDIA_S3_ACCESS_KEY_ID, secretAccessKey: config.MEDIA_S3_SECRET_ACCESS_KEY }
      : undefined
  return new S3MediaStorage({
    bucket: config.MEDIA_S3_BUCKET,
    region: config.MEDIA_S3_REGION,
    endpoint: config.MEDIA_S3_ENDPOINT,
    forcePathStyle: config.MEDIA_S3_FORCE_PATH_STYLE,
    credentials,
  })
}

/**
 * Base of cached media URLs (no trailing slash): MEDIA_PUBLIC_BASE_URL, else the API's own
 * /media route (local storage) or the bucket's URL (s3).
 */
export function mediaPublicBase(config: Config, apiOrigin: string): string {
  if (config.MEDIA_PUBLIC_BASE_URL) return config.MEDIA_PUBLIC_BASE_URL.replace(/\/+$/, '')
  if (config.MEDIA_STORAGE === 'local') return `${apiOrigin}/media`
  const bucket = config.MEDIA_S3_BUCKET ?? ''
  if (config.MEDIA_S3_ENDPOINT) {
    const endpoint = config.MEDIA_S3_ENDPOINT.replace(/\/+$/, '')
    if (config.MEDIA_S3_FORCE_PATH_STYLE) return `${endpoint}/${bucket}`
    const u = new URL(endpoint)
    return `${u.protocol}//${bucket}.${u.host}`
  }
  return `https://${bucket}.s3.${config.MEDIA_S3_REGION}.amazonaws.com`
}

/** What the writers of documents (a worker's settle, a metadata push) need; undefined when MEDIA_CACHE is off. */
export function mediaQueueSettingsOf(config: Config): MediaQueueSettings | undefined {
  if (!config.MEDIA_CACHE) return undefined
  return { gateways: { ipfsGateway: config.IPFS_GATEWAY, arweaveGateway: config.ARWEAVE_GATEWAY, rewriteGateways: [...config.IPFS_REWRITE_GATEWAYS] } }
}
