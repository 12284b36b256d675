/**
 * What each surface shows of a token's (or contract's) cached media, from its media uses.
 */
import type { MediaStatusName, MediaView } from '../../store/media'
import type { MediaLinks } from './mediaLinks'

/** The thumbnail width Hiro's cached_thumbnail_image names (its indexer's 300 px). */
export const HIRO_THUMBNAIL_WIDTH = 300

export interface CachedImage {
  /** The document's value. */
  original: string
  /** The cached original's URL (AVAILABLE only). */
  cached: string | null
  width: number | null
  height: number | null
  mimeType: string | null
  placeholder: string | null
  thumbnails: { width: number; url: string }[]
  /** The thumbnail closest to 300 px wide (Hiro's cached_thumbnail_image). */
  thumbnail: string | null
  status: MediaStatusName
  error: { code: string; message: string | null } | null
}

/** The displayed image: the `image` field's, else `image_data`'s. */
export function displayedImage(media: readonly MediaView[] | undefined, links: MediaLinks): CachedImage | null {
  const use = media?.find((m) => m.field === 'image') ?? media?.find((m) => m.field === 'image_data')
  return use ? cachedImageOf(use, links) : null
}

export function cachedImageOf(m: MediaView, links: MediaLinks): CachedImage {
  const f = m.file
  const thumbnails = (f?.thumbnails ?? []).map((t) => ({ width: t.width, requested: t.requestedWidth, url: links.url(t.key) }))
  const nearest = [...thumbnails].sort((a, b) => Math.abs(a.requested - HIRO_THUMBNAIL_WIDTH) - Math.abs(b.requested - HIRO_THUMBNAIL_WIDTH))[0]
  return {
    original: m.value,
    cached: f ? links.url(f.originalKey) : null,
    width: f?.width ?? null,
    height: f?.height ?? null,
    mimeType: f?.mimeType ?? null,
    placeholder: f?.placeholder ?? null,
    thumbnails: thumbnails.map((t) => ({ width: t.width, url: t.url })),
    thumbnail: nearest?.url ?? null,
    status: m.status,
    error: m.error,
  }
}
