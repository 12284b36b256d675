import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { IMMUTABLE_CACHE_CONTROL, type MediaStorage } from './storage'

export interface S3StorageOptions {
  bucket: string
  region: string
  /** An S3-compatible endpoint (MinIO, R2, a local server); unset = AWS. */
  endpoint?: string
  forcePathStyle: boolean
  /** Unset: the AWS SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string }
}

/** An S3-compatible bucket; files carry their type and immutable cache headers for the CDN in front. */
export class S3MediaStorage implements MediaStorage {
  readonly name = 's3' as const
  private readonly client: S3Client

  constructor(private readonly opts: S3StorageOptions) {
    this.client = new S3Client({ region: opts.region, endpoint: opts.endpoint, forcePathStyle: opts.forcePathStyle, credentials: opts.credentials })
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: key, Body: body, ContentType: contentType, CacheControl: IMMUTABLE_CACHE_CONTROL }))
  }

  destroy(): void {
    this.client.destroy()
  }
}
