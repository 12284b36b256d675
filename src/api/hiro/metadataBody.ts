/**
 * Hiro's `metadata` object (SIP-016 shape) from our normalised document. Absent fields stay
 * absent. `sip` is 16: every SIP-009/010/013 metadata document follows SIP-016.
 * `cached_image` / `cached_thumbnail_image` are the cached original and its 300 px thumbnail, once
 * the media job has stored them (absent before, as Hiro leaves them out).
 */
import type { CachedImage } from '../media/cachedImage'

export interface HiroMetadata {
  sip: number
  name?: string
  description?: string
  image?: string
  cached_image?: string
  cached_thumbnail_image?: string
  attributes?: { trait_type?: string; display_type?: string; value: unknown }[]
  properties?: Record<string, unknown>
  localization?: { uri: string; default?: string; locales: string[] }
}

type Doc = Record<string, unknown>

function str(doc: Doc, key: string): string | undefined {
  const v = doc[key]
  return typeof v === 'string' ? v : undefined
}

export function hiroMetadata(doc: Doc | null | undefined, cached: CachedImage | null = null): HiroMetadata | undefined {
  if (!doc) return undefined
  const out: HiroMetadata = { sip: 16 }
  const name = str(doc, 'name')
  const description = str(doc, 'description')
  const image = str(doc, 'image')
  if (name !== undefined) out.name = name
  if (description !== undefined) out.description = description
  if (image !== undefined) out.image = image
  if (cached?.cached) out.cached_image = cached.cached
  if (cached?.thumbnail) out.cached_thumbnail_image = cached.thumbnail
  if (Array.isArray(doc.attributes) && doc.attributes.length > 0) out.attributes = doc.attributes.map(attribute)
  if (doc.properties && typeof doc.properties === 'object' && !Array.isArray(doc.properties) && Object.keys(doc.properties).length > 0) {
    out.properties = doc.properties as Record<string, unknown>
  }
  const loc = doc.localization as { uri?: unknown; default?: unknown; locales?: unknown } | undefined
  if (loc && typeof loc.uri === 'string' && Array.isArray(loc.locales)) {
    out.localization = {
      uri: loc.uri,
      ...(typeof loc.default === 'string' ? { default: loc.default } : {}),
      locales: loc.locales.filter((l): l is string => typeof l === 'string'),
    }
  }
  return out
}

function attribute(a: unknown): { trait_type?: string; display_type?: string; value: unknown } {
  const o = (a && typeof a === 'object' ? a : {}) as Record<string, unknown>
  return {
    ...(typeof o.trait_type === 'string' ? { trait_type: o.trait_type } : {}),
    ...(typeof o.display_type === 'string' ? { display_type: o.display_type } : {}),
    value: o.value ?? null,
  }
}

/** The locale the base document is in (its localization default), when it says. */
export function baseLocale(doc: Doc | null | undefined): string | undefined {
  if (!doc) return undefined
  const loc = doc.localization as { default?: unknown } | undefined
  if (loc && typeof loc.default === 'string') return loc.default
  return typeof doc.locale === 'string' ? doc.locale : undefined
}
