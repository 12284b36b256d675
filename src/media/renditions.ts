/**
 * Decoding and resizing with sharp (libvips). Invariants:
 * - The pixel count (width x height x frames) is read from the header and judged before any
 *   pixel is decoded, so a decompression bomb is refused without allocating its pixels; sharp's
 *   own `limitInputPixels` guards the decode as well.
 * - Animated GIF / WebP thumbnails stay animated (animated WebP); stills become WebP.
 * - SVG is rasterised by librsvg, which has no script engine and, given a buffer with no base
 *   URL, loads no external reference (http:, file:); `unlimited` stays off.
 * - Truncated or corrupt images fail (`failOn: 'warning'`): nothing half-decoded is stored.
 */
import sharp, { type Metadata, type SharpOptions } from 'sharp'
import { rgbaToThumbHash } from 'thumbhash'
import { PermanentError } from '../core/errors'
import type { SniffedType } from './sniff'

export interface RenditionOptions {
  /** Largest width x height x frames accepted. */
  maxPixels: number
  /** Thumbnail widths, ascending. */
  thumbnailWidths: readonly number[]
}

export interface Thumbnail {
  /** The configured width asked for; `width` is smaller when the image itself is. */
  requestedWidth: number
  width: number
  height: number
  mimeType: 'image/webp'
  body: Buffer
}

export interface Renditions {
  width: number
  height: number
  frames: number
  thumbnails: Thumbnail[]
  /** ThumbHash of the image, base64. */
  placeholder: string
}

/** Formats sharp decodes here; anything else sniffed as an image is stored with no renditions. */
// (HEIC is recorded without renditions: the prebuilt libvips has no HEVC decoder.)
const DECODED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml', 'image/avif'])

export function decodable(type: SniffedType): boolean {
  return type.kind === 'image' && DECODED.has(type.mimeType)
}

function undecodable(e: unknown): PermanentError {
  const reason = e instanceof Error ? e.message : String(e)
  if (/pixel limit/i.test(reason)) return new PermanentError('media_too_many_pixels', `image exceeds the pixel limit: ${reason}`, { cause: e })
  return new PermanentError('media_undecodable', `image could not be decoded: ${reason}`, { cause: e })
}

export async function renderImage(body: Buffer, opts: RenditionOptions): Promise<Renditions> {
  const input = { limitInputPixels: opts.maxPixels, failOn: 'warning' as const }
  let meta: Metadata
  try {
    meta = await sharp(body, input).metadata()
  } catch (e) {
    throw undecodable(e)
  }
  const width = meta.width ?? 0
  const frames = meta.pages ?? 1
  const height = meta.pageHeight ?? meta.height ?? 0
  if (width <= 0 || height <= 0) throw new PermanentError('media_undecodable', 'image has no dimensions')
  if (width * height * frames > opts.maxPixels) {
    throw new PermanentError('media_too_many_pixels', `image of ${width} x ${height} pixels x ${frames} frames exceeds the limit of ${opts.maxPixels} pixels`)
  }
  const animated = frames > 1
  try {
    const thumbnails: Thumbnail[] = []
    for (const w of opts.thumbnailWidths) {
      const { data, info } = await sharp(body, { ...input, animated })
        .resize({ width: Math.min(w, width), withoutEnlargement: true })
        .webp({ quality: 80, effort: 2 })
        .toBuffer({ resolveWithObject: true })
      thumbnails.push({ requestedWidth: w, width: info.width, height: animated ? (info.pageHeight ?? info.height) : info.height, mimeType: 'image/webp', body: data })
    }
    return { width, height, frames, thumbnails, placeholder: await thumbHash(body, input) }
  } catch (e) {
    throw e instanceof PermanentError ? e : undecodable(e)
  }
}

/** ThumbHash of the first frame, from a copy at most 100 px on a side (the format's limit). */
async function thumbHash(body: Buffer, input: SharpOptions): Promise<string> {
  const { data, info } = await sharp(body, input).resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString('base64')
}
