/**
 * Turns a fetched body into either a JSON document or a pointer to media.
 *
 * Invariants:
 * - image/* is an image; video/*, audio/* and model/* are an animation_url. The URL recorded is
 *   the one that was requested (the first hop), not the redirect target, which is often a
 *   short-lived signed URL.
 * - When the type is missing or generic (application/octet-stream), magic bytes decide.
 * - Everything else must be UTF-8 (a BOM is dropped) and JSON, or it is a permanent
 *   `unable_to_decode_response`. Strict JSON is the fast path; text that is not strict JSON but
 *   is JSON5 (comments, trailing commas, single quotes: what real hosts serve) is accepted with a
 *   warning, as Hiro's indexer does. Any JSON value is returned (arrays and strings too): rejecting
 *   non-objects is the normaliser's business.
 * - Nesting deeper than `maxDepth` is refused before parsing, so no hostile document can exhaust
 *   the stack of JSON.parse or of anything that walks the result later.
 */
import JSON5 from 'json5'
import { PermanentError } from '../../core/errors'
import { truncatedBody, type FetchResult } from './safeFetch'

export type MediaField = 'image' | 'animation_url'

export type DecodedDocument = { kind: 'json'; document: unknown; warnings: string[] } | { kind: 'media'; field: MediaField; url: string }

export const JSON5_WARNING = 'the document is not strict JSON: it was parsed as JSON5 (comments, trailing commas or single quotes)'

/**
 * JSON text to a value: strict JSON first, then JSON5 with a warning. Throws the strict parser's
 * SyntaxError when neither accepts it. Callers check nesting first (jsonNestingExceeds): it counts
 * brackets outside double quotes only, so for JSON5 it can only overcount, never let deeper through.
 */
export function parseLenientJson(text: string): { document: unknown; warnings: string[] } {
  try {
    return { document: JSON.parse(text) as unknown, warnings: [] }
  } catch (strict) {
    try {
      return { document: JSON5.parse(text) as unknown, warnings: [JSON5_WARNING] }
    } catch {
      throw strict
    }
  }
}

export interface DecodeOptions {
  /** Deepest array/object nesting accepted. Default 64: real metadata stays far below that. */
  maxDepth?: number
}

export const DEFAULT_MAX_JSON_DEPTH = 64

/** Media type without parameters, lower case; '' when absent. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

function fieldForMediaType(type: string): MediaField | undefined {
  const top = type.split('/')[0]
  if (top === 'image') return 'image'
  if (top === 'video' || top === 'audio' || top === 'model') return 'animation_url'
  return undefined
}

function startsWith(body: Buffer, bytes: readonly number[], offset = 0): boolean {
  return body.length >= offset + bytes.length && bytes.every((b, i) => body[offset + i] === b)
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0))
}

/** ISO-BMFF brands that carry still images rather than video. */
const IMAGE_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'mif1', 'msf1'])

function sniffIsoBmff(body: Buffer): MediaField | undefined {
  if (!startsWith(body, ascii('ftyp'), 4)) return undefined
  const brand = body.subarray(8, 12).toString('latin1')
  return IMAGE_BRANDS.has(brand) ? 'image' : 'animation_url'
}

/** SVG is text: an optional BOM, XML declaration, comments or doctype, then an `<svg` root. */
function looksLikeSvg(body: Buffer): boolean {
  const head = body
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase()
  if (head.startsWith('<svg')) return true
  if (!head.startsWith('<?xml') && !head.startsWith('<!--') && !head.startsWith('<!doctype svg')) return false
  return head.includes('<svg') && !head.includes('<html')
}

/** Media kind from magic bytes, for bodies without a useful Content-Type. */
export function sniffMedia(body: Buffer): MediaField | undefined {
  if (startsWith(body, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image' // PNG
  if (startsWith(body, [0xff, 0xd8, 0xff])) return 'image' // JPEG
  if (startsWith(body, ascii('GIF87a')) || startsWith(body, ascii('GIF89a'))) return 'image'
  if (startsWith(body, ascii('RIFF')) && startsWith(body, ascii('WEBP'), 8)) return 'image'
  const isoBmff = sniffIsoBmff(body) // MP4, MOV, AVIF, HEIC
  if (isoBmff) return isoBmff
  if (looksLikeSvg(body)) return 'image'
  return undefined
}

function decodeError(result: FetchResult, message: string, cause?: unknown): PermanentError {
  return new PermanentError('unable_to_decode_response', message, {
    url: result.url,
    status: result.status,
    body: truncatedBody(result.body),
    cause,
  })
}

/** Strict UTF-8; a leading BOM is removed. */
function utf8Text(result: FetchResult): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(result.body)
  } catch (e) {
    throw decodeError(result, 'response body is not valid UTF-8', e)
  }
}

/**
 * Deepest array/object nesting in JSON text (string contents are skipped). Linear and
 * allocation-free, and stops as soon as the limit is passed.
 */
export function jsonNestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c /* \ */) i++
      else if (c === 0x22 /* " */) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--
    }
  }
  return false
}

function parseJson(result: FetchResult, text: string, maxDepth: number): { document: unknown; warnings: string[] } {
  if (jsonNestingExceeds(text, maxDepth)) throw decodeError(result, `JSON nested deeper than ${maxDepth} levels`)
  try {
    return parseLenientJson(text)
  } catch (e) {
    // SyntaxError for malformed text; RangeError would mean the stack ran out regardless.
    throw decodeError(result, 'response body is not valid JSON', e)
  }
}

/** The URL the token pointed at: the first hop, before any redirect. */
function requestedUrl(result: FetchResult): string {
  return result.redirects[0] ?? result.url
}

export function decodeDocument(result: FetchResult, options: DecodeOptions = {}): DecodedDocument {
  const type = mediaType(result.contentType)
  const declared = fieldForMediaType(type)
  if (declared) return { kind: 'media', field: declared, url: requestedUrl(result) }
  if (type === '' || type === 'application/octet-stream' || type === 'binary/octet-stream') {
    const sniffed = sniffMedia(result.body)
    if (sniffed) return { kind: 'media', field: sniffed, url: requestedUrl(result) }
  }
  const text = utf8Text(result)
  return { kind: 'json', ...parseJson(result, text, options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH) }
}
