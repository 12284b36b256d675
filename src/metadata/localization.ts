/**
 * Localized metadata (SIP-016 and ERC-1155 `localization` blocks).
 *
 * A base document says `localization: { uri: "…/{locale}.json", default: "en", locales: [...] }`.
 * The worker fetches one document per locale other than the default (the base document already
 * is the default locale), normalises it and merges it over the base:
 *
 * - ERC-1155 rule: every field present in the localized document overrides the base field as a
 *   whole (attributes and properties included); absent fields keep the base value.
 * - SIP-016 rule (as this project applies it, compatible with the Hiro Token Metadata API):
 *   scalar fields present in the localized document override the base; `properties` merge key
 *   by key with the localized keys winning; `attributes` merge by trait type: the localized
 *   attributes of a trait type replace the base attributes of that trait type (at the position
 *   of the first base one), localized trait types the base lacks, and trait-less localized
 *   attributes, are appended. (The SIP text itself says a localized attributes array replaces
 *   the whole default list; merging by trait type gives the same result whenever the localized
 *   document translates values and lists every trait.)
 *
 * In both rules the merged result keeps the base's `localization` block (a localized document's
 * own block is ignored, so localization never chains) and records the locale it is in.
 */
import { isStacksStandard } from '../core'
import { isLocaleTag, normalizeMetadata, parseLocalizationInfo, type NormalizeContext } from './normalize'
import { substituteTokenId } from './resolveUri'
import type { LocalizationInfo, NormalizedMetadata } from './types'

export type LocalizationRule = 'sip016' | 'erc1155'

export interface LocaleUri {
  locale: string
  /** The URI with `{locale}` and `{id}` substituted; resolve it with resolveUri like a token URI. */
  uri: string
}

/** The usable `localization` block of a raw document, or undefined. */
export function readLocalization(doc: unknown): LocalizationInfo | undefined {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined
  return parseLocalizationInfo((doc as Record<string, unknown>).localization)
}

/**
 * One URI per locale to fetch, in the document's order. The default locale is skipped (the base
 * document is that locale). Locales that are not locale tags are skipped too: they are pasted
 * into a URI and must not be able to add path segments or a query.
 */
export function localeUris(info: LocalizationInfo, ctx: NormalizeContext = {}): LocaleUri[] {
  const fallback = info.default?.toLowerCase()
  const uris: LocaleUri[] = []
  for (const locale of info.locales) {
    if (!isLocaleTag(locale) || locale.toLowerCase() === fallback) continue
    uris.push({ locale, uri: substituteTokenId(info.uri.replace(/\{locale\}/gi, locale), ctx) })
  }
  return uris
}

/**
 * SIP-016 for Stacks standards; ERC-1155 for EVM standards. With no standard, a localized
 * document carrying a `sip` field is taken as SIP-016.
 */
export function localizationRule(standard: NormalizeContext['standard'], localizedDoc?: unknown): LocalizationRule {
  if (standard !== undefined) return isStacksStandard(standard) ? 'sip016' : 'erc1155'
  const hasSip = localizedDoc !== null && typeof localizedDoc === 'object' && 'sip' in localizedDoc
  return hasSip ? 'sip016' : 'erc1155'
}

/**
 * The base metadata seen in `locale`. `localizedDoc` is the raw localized document; it is
 * normalised with the same context (so `{id}` rules apply) and throws metadata_invalid like a
 * base document would. Neither input is mutated.
 */
export function mergeLocalized(base: NormalizedMetadata, localizedDoc: unknown, locale: string, ctx: NormalizeContext = {}): NormalizedMetadata {
  const localized = normalizeMetadata(localizedDoc, ctx)
  const rule = localizationRule(ctx.standard, localizedDoc)
  const merged = rule === 'sip016' ? mergeSip016(structuredClone(base), localized) : mergeErc1155(structuredClone(base), localized)
  delete merged.localization
  if (base.localization !== undefined) merged.localization = structuredClone(base.localization)
  merged.locale = locale
  return merged
}

/** ERC-1155: present localized fields replace base fields whole. */
function mergeErc1155(base: NormalizedMetadata, localized: NormalizedMetadata): NormalizedMetadata {
  return { ...base, ...localized }
}

/**
 * SIP-016: scalars override, properties merge by key (localized keys win), and a localized
 * `attributes` list replaces the default list whole: SIP-016 localizes trait names too ("hair"
 * becomes "Haare"), so merging by trait type would keep both languages side by side.
 */
function mergeSip016(base: NormalizedMetadata, localized: NormalizedMetadata): NormalizedMetadata {
  const merged: NormalizedMetadata = { ...base, ...localized }
  if (base.properties !== undefined && localized.properties !== undefined) {
    merged.properties = { ...base.properties, ...localized.properties }
  }
  return merged
}
