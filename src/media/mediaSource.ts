/**
 * A document's media field -> the one URL its bytes come from. Media jobs and stored files are
 * keyed by it: 10,000 tokens naming one image (in any spelling that resolves to the same URL)
 * make one job.
 */
import { createHash } from 'node:crypto'
import { PermanentError } from '../core/errors'
import { resolveUri } from '../metadata/resolveUri'
import type { GatewayConfig } from '../metadata/types'

/** What the writers of documents need to queue their media: how URIs resolve. */
export interface MediaQueueSettings {
  gateways: GatewayConfig
}

/** Document fields whose media is cached. */
export const MEDIA_FIELDS = ['image', 'image_data', 'animation_url'] as const
export type MediaField = (typeof MEDIA_FIELDS)[number]

export interface MediaSource {
  /** sha256 of `url`, hex: the media job's and the source row's key. */
  key: string
  /** An http(s) URL (gateways applied) or a `data:` URI. */
  url: string
}

export function mediaKeyOf(url: string): string {
  return createHash('sha256').update(url).digest('hex')
}

/**
 * Where a field's media is, or a PermanentError (`uri_*`) when the value names nothing fetchable.
 * `image_data` is inline SVG markup (OpenSea's field), carried as a `data:` URI.
 */
export function mediaSourceOf(field: MediaField, value: string, gateways: GatewayConfig): MediaSource {
  const text = value.trim()
  let url: string
  if (/^data:/i.test(text)) url = text
  else if (field === 'image_data') {
    if (!text.startsWith('<')) throw new PermanentError('uri_invalid', 'image_data is neither SVG markup nor a data: URI')
    url = `data:image/svg+xml;base64,${Buffer.from(text, 'utf8').toString('base64')}`
  } else {
    const plan = resolveUri(text, { gateways })
    if (plan.kind !== 'http') throw new PermanentError('uri_invalid', `${field} carries a document, not a media URL`)
    url = plan.url
  }
  return { key: mediaKeyOf(url), url }
}

const IMAGE_EXTENSIONS = new Set(['png', 'apng', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'avif'])

/**
 * Whether an `animation_url` names an image (by a `data:image/…` type or the path's extension):
 * only those are cached. Most animation_urls are web pages or videos; fetching 25 MiB of each to
 * learn that would cost every worker its bandwidth for nothing.
 */
export function namesAnImage(value: string): boolean {
  const v = value.trim()
  if (/^data:/i.test(v)) return /^data:image\//i.test(v)
  const path = v.split(/[?#]/, 1)[0]!
  const dot = path.lastIndexOf('.')
  return dot > path.lastIndexOf('/') && IMAGE_EXTENSIONS.has(path.slice(dot + 1).toLowerCase())
}
