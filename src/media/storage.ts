/**
 * Where cached media files live, behind one interface: a local directory (the default, served by
 * the API under /media/...) or an S3-compatible bucket. Keys are content-addressed
 * (`<2 hex>/<sha256>[-w<width>].<ext>`), so a stored file never changes and every copy of one
 * image is stored once.
 */
export interface MediaStorage {
  readonly name: 'local' | 's3'
  put(key: string, body: Buffer, contentType: string): Promise<void>
}

/** Key of a stored original, and of its thumbnail at `width`. */
export function originalKey(contentHash: string, ext: string): string {
  return `${contentHash.slice(0, 2)}/${contentHash}.${ext}`
}

export function thumbnailKey(contentHash: string, width: number): string {
  return `${contentHash.slice(0, 2)}/${contentHash}-w${width}.webp`
}

/** What a key may look like; the API serves nothing else (no path traversal by construction). */
export const MEDIA_KEY = /^[0-9a-f]{2}\/[0-9a-f]{64}(-w\d{1,5})?\.[a-z0-9]{2,5}$/

/** Cache headers of every stored file: content-addressed, so cacheable forever. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable'
