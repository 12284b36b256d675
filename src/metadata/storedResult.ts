import type { MetadataError } from '../core/errors'
import type { StoredAttribute, StoredError, StoredMetadata, TokenFetchResult } from '../core/jobOutcome'
import type { LoadedMetadata } from './loadMetadata'
import type { NormalizedMetadata } from './types'

/** A loaded document in the form the store writes: columns, attributes, locales and errors. */
export function toResult(uri: string | null, loaded: LoadedMetadata, symbol?: string | null): TokenFetchResult {
  const n = loaded.normalized
  const normalized = symbol ? { ...n, symbol } : n
  return {
    uri,
    resolvedUrl: loaded.resolvedUrl,
    contentHash: loaded.contentHash,
    metadata: toStoredMetadata(n),
    normalized,
    raw: loaded.raw,
    attributes: (n.attributes ?? []).map(toStoredAttribute),
    locales: loaded.locales.map((l) => ({ locale: l.locale, normalized: l.normalized, raw: l.raw })),
    failedLocales: loaded.failedLocales.map((l) => ({ locale: l.locale, status: l.status, error: storedError(l.error) })),
    warnings: loaded.warnings,
  }
}

export function storedError(e: MetadataError): StoredError {
  return { code: e.code, message: e.message.slice(0, 1000), httpStatus: e.status ?? null, url: e.url ?? null }
}

export function toStoredMetadata(n: NormalizedMetadata): StoredMetadata {
  return {
    name: n.name ?? null,
    description: n.description ?? null,
    image: n.image ?? null,
    imageData: n.image_data ?? null,
    externalUrl: n.external_url ?? null,
    animationUrl: n.animation_url ?? null,
    backgroundColor: n.background_color ?? null,
    youtubeUrl: n.youtube_url ?? null,
    decimals: n.decimals ?? null,
    properties: n.properties ?? null,
    localization: n.localization ?? null,
  }
}

function toStoredAttribute(a: NonNullable<NormalizedMetadata['attributes']>[number]): StoredAttribute {
  const v = a.value
  return {
    traitType: a.trait_type ?? null,
    value: v === null ? null : String(v),
    valueNumber: typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : null,
    valueJson: v,
    displayType: a.display_type ?? null,
    maxValue: a.max_value ?? null,
  }
}
