/**
 * One media source -> stored files: fetch, sniff, dedupe by content hash, render, store.
 */
import { createHash } from 'node:crypto'
import { PermanentError } from '../core/errors'
import { fetchMedia, type MediaFetchOptions } from './fetchMedia'
import { decodable, renderImage, type RenditionOptions } from './renditions'
import type { MediaFile, StoredThumbnail } from '../core/mediaFile'
import { sniffMediaType } from './sniff'
import { originalKey, thumbnailKey, type MediaStorage } from './storage'

export type { MediaFile, StoredThumbnail }

export interface CachedMedia {
  file: MediaFile
  host: string | null
  /** false when the bytes were already stored under another source (no decoding, no writes). */
  stored: boolean
}

export interface CacheMediaDeps {
  fetch: MediaFetchOptions
  renditions: RenditionOptions
  storage: MediaStorage
  /** The file already stored for a content hash, if any. */
  storedFile(contentHash: string): Promise<MediaFile | null>
}

export async function cacheMedia(url: string, deps: CacheMediaDeps): Promise<CachedMedia> {
  const { body, host } = await fetchMedia(url, deps.fetch)
  const type = sniffMediaType(body)
  if (!type) {
    const start = body
      .subarray(0, 16)
      .toString('latin1')
      .replace(/[^\x20-\x7e]/g, '.')
    throw new PermanentError('unsupported_content_type', `not an image, video or audio file (${body.length} bytes starting "${start}")`, { url })
  }
  const contentHash = createHash('sha256').update(body).digest('hex')
  const known = await deps.storedFile(contentHash)
  if (known) return { file: known, host, stored: false }
  const file: MediaFile = {
    contentHash,
    kind: type.kind,
    mimeType: type.mimeType,
    ext: type.ext,
    size: body.length,
    width: null,
    height: null,
    frames: null,
    originalKey: originalKey(contentHash, type.ext),
    thumbnails: [],
    placeholder: null,
  }
  // Video and audio are recorded by type with no renditions (a poster frame needs a video decoder).
  if (decodable(type)) {
    const r = await renderImage(body, deps.renditions)
    Object.assign(file, { width: r.width, height: r.height, frames: r.frames, placeholder: r.placeholder })
    for (const t of r.thumbnails) {
      const key = thumbnailKey(contentHash, t.requestedWidth)
      await deps.storage.put(key, t.body, t.mimeType)
      file.thumbnails.push({ requestedWidth: t.requestedWidth, width: t.width, height: t.height, key, mimeType: t.mimeType, size: t.body.length })
    }
  }
  // The original last: a file row is written only after every part of it is stored.
  await deps.storage.put(file.originalKey, body, type.mimeType)
  return { file, host, stored: true }
}
