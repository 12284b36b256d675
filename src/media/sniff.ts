/**
 * The type of a media file, read from its first bytes. A host's Content-Type is never trusted:
 * HTML served as `image/png` is HTML (docs/architecture.md §10).
 */
import type { MediaKind } from '../core/mediaFile'

export type { MediaKind }

export interface SniffedType {
  kind: MediaKind
  mimeType: string
  /** File extension of stored originals. */
  ext: string
}

const at = (b: Buffer, offset: number, ascii: string) => b.length >= offset + ascii.length && b.toString('latin1', offset, offset + ascii.length) === ascii
const bytes = (b: Buffer, sig: number[]) => b.length >= sig.length && sig.every((v, i) => b[i] === v)

/** ISO base media (`ftyp` box): the brand tells AVIF / HEIC images from MP4 / QuickTime video. */
function isoMedia(b: Buffer): SniffedType | undefined {
  if (!at(b, 4, 'ftyp')) return undefined
  const brand = b.toString('latin1', 8, 12)
  if (brand === 'avif' || brand === 'avis') return { kind: 'image', mimeType: 'image/avif', ext: 'avif' }
  if (brand === 'heic' || brand === 'heix' || brand === 'mif1') return { kind: 'image', mimeType: 'image/heic', ext: 'heic' }
  if (brand === 'M4A ') return { kind: 'audio', mimeType: 'audio/mp4', ext: 'm4a' }
  if (brand === 'qt  ') return { kind: 'video', mimeType: 'video/quicktime', ext: 'mov' }
  return { kind: 'video', mimeType: 'video/mp4', ext: 'mp4' }
}

/** An SVG document: optional BOM / whitespace / XML declaration / comments, then an `<svg` root. */
function isSvg(b: Buffer): boolean {
  const head = b
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
  const rest = head.replace(/^\s*(<\?xml[^>]*\?>\s*)?((<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)\s*)*/i, '')
  return /^<svg[\s>]/i.test(rest)
}

export function sniffMediaType(b: Buffer): SniffedType | undefined {
  if (bytes(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', mimeType: 'image/png', ext: 'png' }
  if (bytes(b, [0xff, 0xd8, 0xff])) return { kind: 'image', mimeType: 'image/jpeg', ext: 'jpg' }
  if (at(b, 0, 'GIF87a') || at(b, 0, 'GIF89a')) return { kind: 'image', mimeType: 'image/gif', ext: 'gif' }
  if (at(b, 0, 'RIFF') && at(b, 8, 'WEBP')) return { kind: 'image', mimeType: 'image/webp', ext: 'webp' }
  if (at(b, 0, 'RIFF') && at(b, 8, 'WAVE')) return { kind: 'audio', mimeType: 'audio/wav', ext: 'wav' }
  const iso = isoMedia(b)
  if (iso) return iso
  if (bytes(b, [0x1a, 0x45, 0xdf, 0xa3])) return { kind: 'video', mimeType: 'video/webm', ext: 'webm' }
  if (at(b, 0, 'OggS')) return { kind: 'audio', mimeType: 'audio/ogg', ext: 'ogg' }
  if (at(b, 0, 'fLaC')) return { kind: 'audio', mimeType: 'audio/flac', ext: 'flac' }
  if (at(b, 0, 'ID3') || (b.length > 1 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0)) return { kind: 'audio', mimeType: 'audio/mpeg', ext: 'mp3' }
  if (isSvg(b)) return { kind: 'image', mimeType: 'image/svg+xml', ext: 'svg' }
  return undefined
}
