export type {
  FetchPlan,
  GatewayConfig,
  HttpFetchPlan,
  InlineFetchPlan,
  LocalizationInfo,
  NormalizedAttribute,
  NormalizedMetadata,
} from './types'
export { DEFAULT_REWRITE_GATEWAYS } from './types'
export { cleanUriText, resolveUri, substituteTokenId, type ResolveUriOptions, type TokenIdContext } from './resolveUri'
export {
  assertDepth,
  isLocaleTag,
  MAX_ATTRIBUTES,
  MAX_LOCALES,
  MAX_METADATA_DEPTH,
  normalizeMetadata,
  parseLocalizationInfo,
  type NormalizeContext,
} from './normalize'
export {
  localeUris,
  localizationRule,
  mergeLocalized,
  readLocalization,
  type LocaleUri,
  type LocalizationRule,
} from './localization'
