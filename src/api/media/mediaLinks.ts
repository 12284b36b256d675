import type { AddressInfo } from 'node:net'
import type { Config } from '../../config'
import { mediaPublicBase } from '../../media/mediaConfig'

/**
 * Public URLs of cached files: MEDIA_PUBLIC_BASE_URL (a CDN) when set, else the bucket's URL
 * (s3) or this server's own /media route at the address it listens on (local).
 */
export class MediaLinks {
  private base: string | undefined

  constructor(
    private readonly config: Config,
    private readonly address: () => AddressInfo | string | null,
  ) {}

  url(key: string): string {
    this.base ??= mediaPublicBase(this.config, this.origin())
    return `${this.base}/${key}`
  }

  private origin(): string {
    const a = this.address()
    if (!a || typeof a === 'string') return ''
    const host = a.address === '0.0.0.0' || a.address === '::' ? '127.0.0.1' : a.family === 'IPv6' ? `[${a.address}]` : a.address
    return `http://${host}:${a.port}`
  }
}
