/**
 * Metadata document -> NormalizedMetadata (docs/architecture.md §5).
 *
 * Invariants:
 * - the input is never mutated; everything returned is a fresh copy (the caller keeps the raw
 *   document as it came);
 * - only JSON objects are metadata; arrays, strings, numbers and null are `metadata_invalid`;
 * - nesting depth is measured iteratively before anything recurses, so a 100,000-deep document
 *   is rejected without touching the call stack; after that check recursion is bounded by
 *   MAX_METADATA_DEPTH;
 * - strings are trimmed, capped, and free of NUL characters (Postgres text and jsonb refuse
 *   U+0000); `{id}` in string values is substituted by the standard's rule (ERC-1155 hex64,
 *   SIP-016 decimal);
 * - absent or unusable fields are left out, never set to empty strings.
 */
import { PermanentError, type TokenStandardName } from '../core'
import { substituteTokenId, type TokenIdContext } from './resolveUri'
import type { LocalizationInfo, NormalizedAttribute, NormalizedMetadata } from './types'

export interface NormalizeContext {
  tokenId?: bigint
  standard?: TokenStandardName
}

/** Deeper documents are refused; real metadata rarely nests beyond 5 levels. */
export const MAX_METADATA_DEPTH = 64
/** Attributes kept per token; more is a malformed or hostile document. */
export const MAX_ATTRIBUTES = 1000
/** Locales kept per document: each one costs a fetch. */
export const MAX_LOCALES = 64

/** Truncation limits (characters) for free text. */
const NAME_MAX = 1024
const DESCRIPTION_MAX = 65_536
const SHORT_MAX = 256
const VALUE_MAX = 4096
/** URLs and raw SVG are dropped above this length rather than truncated: a cut URL is wrong. */
const URL_MAX = 1_048_576

/** BCP 47 / CLDR-style locale tags (`en`, `pt-BR`, `zh_Hant_TW`); they end up inside URLs. */
const LOCALE_TAG = /^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$/

type JsonObject = { [key: string]: JsonValue }
type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject

export function normalizeMetadata(doc: unknown, ctx: NormalizeContext = {}): NormalizedMetadata {
  if (!isPlainObject(doc)) {
    throw new PermanentError('metadata_invalid', `metadata is ${describe(doc)}, not a JSON object`)
  }
  assertDepth(doc)
  return mapDocument(copyJson(doc, ctx) as JsonObject, ctx)
}

export function isLocaleTag(value: string): boolean {
  return LOCALE_TAG.test(value)
}

/**
 * Reads a `localization` object (SIP-016, ERC-1155): `uri` must contain `{locale}` (otherwise
 * every locale would fetch the same document); `default` and each locale must be locale tags;
 * locales are deduplicated and capped at MAX_LOCALES. Undefined when unusable.
 */
export function parseLocalizationInfo(value: unknown): LocalizationInfo | undefined {
  if (!isPlainObject(value)) return undefined
  const uri = typeof value.uri === 'string' ? stripNul(value.uri).trim() : ''
  if (!/\{locale\}/i.test(uri)) return undefined
  const info: LocalizationInfo = { uri, locales: readLocales(value.locales) }
  const fallback = typeof value.default === 'string' ? value.default.trim() : ''
  if (isLocaleTag(fallback)) info.default = fallback
  return info
}

function readLocales(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  const seen = new Set<string>()
  for (const item of value) {
    if (typeof item !== 'string') continue
    const tag = item.trim()
    if (isLocaleTag(tag)) seen.add(tag)
    if (seen.size >= MAX_LOCALES) break
  }
  return [...seen]
}

// ---------------------------------------------------------------------------------------------
// Field mapping

function mapDocument(doc: JsonObject, ctx: NormalizeContext): NormalizedMetadata {
  const props = readProperties(doc.properties, ctx)
  const out: NormalizedMetadata = {}
  assign(out, 'name', freeText(doc.name, NAME_MAX) ?? propertyText(props, 'name', NAME_MAX))
  assign(out, 'description', freeText(doc.description, DESCRIPTION_MAX) ?? propertyText(props, 'description', DESCRIPTION_MAX))
  assign(out, 'image', firstUrl(doc.image, doc.image_url, doc.imageUrl) ?? propertyUrl(props, 'image'))
  assign(out, 'image_data', urlText(doc.image_data) ?? propertyUrl(props, 'image_data'))
  assign(out, 'external_url', firstUrl(doc.external_url, doc.externalUrl, doc.external_link) ?? propertyUrl(props, 'external_url'))
  assign(out, 'animation_url', firstUrl(doc.animation_url, doc.animationUrl) ?? propertyUrl(props, 'animation_url'))
  assign(out, 'background_color', shortText(doc.background_color))
  assign(out, 'youtube_url', urlText(doc.youtube_url))
  assign(out, 'attributes', readAttributes(doc.attributes, ctx))
  assign(out, 'properties', props)
  assign(out, 'decimals', readDecimals(doc.decimals))
  const localization = parseLocalizationInfo(doc.localization)
  assign(out, 'localization', localization)
  assign(out, 'locale', localization?.default)
  return out
}

function assign<K extends keyof NormalizedMetadata>(out: NormalizedMetadata, key: K, value: NormalizedMetadata[K] | undefined): void {
  if (value !== undefined) out[key] = value
}

/** Names and descriptions: strings trimmed and truncated; numbers and booleans stringified. */
function freeText(value: unknown, max: number): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value === 'boolean') return String(value)
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  return text === '' ? undefined : truncate(text, max)
}

/** Short labels (trait types, display types, colours): strings, numbers stringified, truncated. */
function shortText(value: unknown): string | undefined {
  return freeText(value, SHORT_MAX)
}

/** URLs and raw SVG: strings only, trimmed, dropped (not cut) when implausibly long. */
function urlText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  return text === '' || text.length > URL_MAX ? undefined : text
}

function firstUrl(...candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    const url = urlText(candidate)
    if (url !== undefined) return url
  }
  return undefined
}

/**
 * A property's scalar value: SIP-016 puts it directly (`"image": "ipfs://…"`) or in a property
 * object's `value`; documents copied from the ERC-721/1155 JSON *schema* carry it in
 * `description` of a `{"type": "string", "description": …}` object.
 */
function propertyScalar(props: JsonObject | undefined, key: string): unknown {
  const entry = props?.[key]
  if (!isPlainObject(entry)) return entry
  if (entry.value !== undefined) return entry.value
  return entry.type === 'string' ? entry.description : undefined
}

function propertyText(props: JsonObject | undefined, key: string, max: number): string | undefined {
  return freeText(propertyScalar(props, key), max)
}

function propertyUrl(props: JsonObject | undefined, key: string): string | undefined {
  return urlText(propertyScalar(props, key))
}

/** `properties` as an object; a JSON string holding an object is parsed. */
function readProperties(value: unknown, ctx: NormalizeContext): JsonObject | undefined {
  const source = typeof value === 'string' ? parseEmbeddedJson(value, ctx) : value
  return isPlainObject(source) ? (source as JsonObject) : undefined
}

/** Integer 0..255 (also as a decimal string); anything else is not a decimals value. */
function readDecimals(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,3}$/.test(value.trim()) ? Number(value.trim()) : value
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined
}

// ---------------------------------------------------------------------------------------------
// Attributes

/**
 * Accepted shapes: the array form; the object form `{"Eyes": "Big"}` (one attribute per key,
 * in key order); a single attribute object not wrapped in an array; any of these as a JSON
 * string. Undefined when the document has no usable attributes field.
 */
function readAttributes(value: unknown, ctx: NormalizeContext): NormalizedAttribute[] | undefined {
  const source = typeof value === 'string' ? parseEmbeddedJson(value, ctx) : value
  if (Array.isArray(source)) return source.flatMap(attributeFromItem).slice(0, MAX_ATTRIBUTES)
  if (!isPlainObject(source)) return undefined
  if ('trait_type' in source && 'value' in source) return attributeFromItem(source)
  return Object.entries(source)
    .slice(0, MAX_ATTRIBUTES)
    .map(([key, v]) => attributeFromEntry(key, v))
}

/** One element of the array form. Bare scalars become trait-less values; junk is skipped. */
function attributeFromItem(item: unknown): NormalizedAttribute[] {
  if (item === null || item === undefined || Array.isArray(item)) return []
  if (!isPlainObject(item)) return [{ value: attributeValue(item) }]
  const trait = shortText(item.trait_type ?? item.traitType)
  if (trait === undefined && !('value' in item)) return []
  return [withDetails({ ...(trait === undefined ? {} : { trait_type: trait }), value: attributeValue(item.value) }, item)]
}

/** One key of the object form; `{"Level": {"value": 5, "display_type": "number"}}` is honoured. */
function attributeFromEntry(key: string, value: unknown): NormalizedAttribute {
  const trait = shortText(key)
  const base = trait === undefined ? {} : { trait_type: trait }
  if (isPlainObject(value) && 'value' in value) return withDetails({ ...base, value: attributeValue(value.value) }, value)
  return { ...base, value: attributeValue(value) }
}

function withDetails(attribute: NormalizedAttribute, source: Record<string, unknown>): NormalizedAttribute {
  const displayType = shortText(source.display_type)
  if (displayType !== undefined) attribute.display_type = displayType
  const maxValue = finiteNumber(source.max_value)
  if (maxValue !== undefined) attribute.max_value = maxValue
  return attribute
}

/**
 * Values keep their JSON type: a numeric string stays a string, a date stays a number (unix
 * seconds, as OpenSea's `date` display type has it). Objects and arrays (allowed by SIP-016)
 * become their JSON text, since an attribute row holds one scalar.
 */
function attributeValue(value: unknown): NormalizedAttribute['value'] {
  if (typeof value === 'string') return truncate(value.trim(), VALUE_MAX)
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'boolean') return value
  if (value === null || value === undefined) return null
  return truncate(JSON.stringify(value), VALUE_MAX)
}

/** A number, or a plain decimal string (`"100"`, `"2.5"`) that spells one. */
function finiteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' && /^-?\d+(?:\.\d+)?$/.test(value.trim())) return Number(value.trim())
  return undefined
}

// ---------------------------------------------------------------------------------------------
// JSON plumbing

/** Parses a field given as JSON text; the result passes the same depth check and cleaning. */
function parseEmbeddedJson(text: string, ctx: NormalizeContext): unknown {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object') return undefined
  try {
    assertDepth(parsed)
  } catch {
    return undefined
  }
  return copyJson(parsed, ctx)
}

/**
 * Throws metadata_invalid when containers nest deeper than MAX_METADATA_DEPTH. Iterative (an
 * explicit stack), so its own stack use does not grow with the document; a cyclic object graph
 * (only possible for inputs not produced by JSON.parse) also ends here instead of looping.
 */
export function assertDepth(root: unknown, limit: number = MAX_METADATA_DEPTH): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 1 }]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.depth > limit) {
      throw new PermanentError('metadata_invalid', `metadata nests deeper than ${limit} levels`)
    }
    const children = Array.isArray(item.value) ? item.value : isPlainObject(item.value) ? Object.values(item.value) : []
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: item.depth + 1 })
    }
  }
}

/**
 * A fresh JSON copy: strings cleaned (NUL removed, `{id}` substituted), non-JSON values
 * dropped (undefined, functions, symbols, bigints and non-finite numbers, as JSON.stringify
 * would), keys cleaned of NUL. Recursion is safe: callers ran assertDepth first.
 */
function copyJson(value: unknown, ctx: TokenIdContext): JsonValue | undefined {
  if (typeof value === 'string') return substituteTokenId(stripNul(value), ctx)
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'boolean' || value === null) return value
  if (Array.isArray(value)) return value.map((v) => copyJson(v, ctx) ?? null)
  if (!isPlainObject(value)) return undefined
  const out: JsonObject = {}
  for (const [key, v] of Object.entries(value)) {
    const copied = copyJson(v, ctx)
    // defineProperty: a "__proto__" key from JSON.parse must stay data, not become a prototype.
    if (copied !== undefined) Object.defineProperty(out, stripNul(key), { value: copied, enumerable: true, writable: true, configurable: true })
  }
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'not a plain object' : `a ${typeof value}`
}

function stripNul(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '') : text
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  const cut = text.slice(0, max)
  const last = cut.charCodeAt(cut.length - 1)
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut
}
