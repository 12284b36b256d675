import { isFungible, idSubstitution, type TokenStandardName } from '../core/standards'
import type { LoadedMetadata } from '../metadata/loadMetadata'

export interface InspectWarningsInput {
  uri: string
  tokenId?: bigint
  standard?: TokenStandardName
}

/** `{id}` in any case, also percent-encoded, as the resolver substitutes it. */
const ID_PLACEHOLDER = /\{id\}|%7Bid%7D/i

/**
 * Things that are not errors but that an NFT team checking metadata before launch should know:
 * an `{id}` the indexer will not substitute, fields wallets show that are missing, a document
 * that is not strict JSON, announced locales that failed for good (recorded per locale).
 */
export function inspectWarnings(input: InspectWarningsInput, loaded?: LoadedMetadata): string[] {
  return [...placeholderWarnings(input), ...(loaded ? metadataWarnings(loaded) : [])]
}

function placeholderWarnings({ uri, tokenId, standard }: InspectWarningsInput): string[] {
  if (uri.trimStart().startsWith('{') || uri.trimStart().toLowerCase().startsWith('data:') || !ID_PLACEHOLDER.test(uri)) return []
  const substitutes = standard !== undefined && !isFungible(standard) && idSubstitution(standard) !== 'none'
  if (!substitutes) {
    const which = standard === undefined ? 'no --standard was given' : `${standard} does not substitute it`
    return [`the URI contains {id} but ${which}: {id} is replaced only for ERC1155 (64 hex digits) and SIP009/SIP013 (decimal), so it was fetched literally`]
  }
  if (tokenId === undefined) return ['the URI contains {id} but no --token-id was given, so it was fetched literally']
  return []
}

function metadataWarnings(loaded: LoadedMetadata): string[] {
  const m = loaded.normalized
  const warnings: string[] = []
  if (loaded.raw === null) return warnings // the URI itself is the media: there is no document to check
  if (m.name === undefined) warnings.push('no "name": wallets and explorers will show the token without a title')
  if (m.image === undefined && m.image_data === undefined && m.animation_url === undefined) {
    warnings.push('no "image" (nor image_data or animation_url): wallets will show a placeholder')
  }
  warnings.push(...loaded.warnings)
  for (const f of loaded.failedLocales) {
    warnings.push(`the ${f.locale} variant failed (${f.error.code}: ${f.error.message}); the indexer records that locale as ${f.status} and keeps the rest`)
  }
  return warnings
}
