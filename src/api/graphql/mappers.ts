import type { ContractView } from '../../store/read/contracts'
import type { AttributeRow } from '../../store/read/tokenDetails'
import type { TokenCore } from '../../store/read/tokenViews'
import { ContractType } from './types/contract'
import { TokenType, type AttributeType, type MetadataDocType } from './types/token'

/** Only tokens the processor has recorded are GraphQL tokens (null otherwise). */
export function tokenNode(view: TokenCore): TokenType | null {
  const t = view.token
  if (!t || !view.contract) return null
  const waiting = view.job && (view.job.status === 'QUEUED' || view.job.status === 'RUNNING')
  // An instance, not a plain object: type-graphql gives a field resolver's @Root() a TokenType,
  // and copies a plain object into a new one for every resolved field of every token.
  return Object.assign(new TokenType(), {
    id: view.ref,
    chain: view.contract.chain,
    contractId: view.contractId,
    contractAddress: view.contract.address,
    tokenId: view.tokenId,
    standard: t.standard,
    owner: t.owner,
    supply: t.supply,
    burned: t.burned,
    mintBlock: t.mintBlock,
    mintTx: t.mintTx,
    mintedAt: t.mintedAt,
    uri: view.metadata?.uri ?? t.chainUri,
    status: view.status,
    error: view.error,
    lastError: view.error,
    warnings: view.metadata?.warnings ?? [],
    queuedAt: waiting ? view.job!.queuedAt : null,
    lastFetchedAt: view.metadata?.lastFetchedAt ?? null,
    updatedAt: view.metadata?.updatedAt ?? null,
    view,
  })
}

type Doc = Record<string, unknown>

function str(doc: Doc, key: string): string | null {
  const v = doc[key]
  return typeof v === 'string' ? v : null
}

/** Our normalised document (snake_case keys, docs/architecture.md §5) as the Metadata type. */
export function metadataDoc(doc: Doc): MetadataDocType {
  const loc = doc.localization as { uri?: unknown; default?: unknown; locales?: unknown } | undefined
  return {
    locale: str(doc, 'locale'),
    name: str(doc, 'name'),
    description: str(doc, 'description'),
    image: str(doc, 'image'),
    imageData: str(doc, 'image_data'),
    externalUrl: str(doc, 'external_url'),
    animationUrl: str(doc, 'animation_url'),
    backgroundColor: str(doc, 'background_color'),
    youtubeUrl: str(doc, 'youtube_url'),
    decimals: typeof doc.decimals === 'number' && Number.isInteger(doc.decimals) ? doc.decimals : null,
    properties: doc.properties ?? null,
    attributes: Array.isArray(doc.attributes) ? doc.attributes.map(docAttribute) : [],
    localization:
      loc && typeof loc.uri === 'string' && Array.isArray(loc.locales)
        ? { uri: loc.uri, default: typeof loc.default === 'string' ? loc.default : null, locales: loc.locales.filter((l): l is string => typeof l === 'string') }
        : null,
  }
}

function docAttribute(a: unknown): AttributeType {
  const o = (a && typeof a === 'object' ? a : {}) as Doc
  return {
    traitType: str(o, 'trait_type'),
    value: o.value ?? null,
    displayType: str(o, 'display_type'),
    maxValue: typeof o.max_value === 'number' ? o.max_value : null,
  }
}

export function attributeRow(r: AttributeRow): AttributeType {
  return { traitType: r.traitType, value: r.valueJson ?? r.value, displayType: r.displayType, maxValue: r.maxValue }
}

export function contractNode(v: ContractView): ContractType {
  const fungible = v.standard === 'ERC20' || v.standard === 'SIP010'
  // ERC-20: the processor tracks supply from mints and burns; SIP-010: the chain read is authoritative.
  // One rule for every surface: the supply tracked from mint and burn events, the chain read only
  // where nothing was tracked.
  const totalSupply = !fungible ? null : (v.trackedSupply ?? v.read?.totalSupply ?? null)
  // an instance for the reason tokenNode gives
  return Object.assign(new ContractType(), {
    id: v.id,
    chain: v.chain,
    address: v.address,
    standard: v.standard,
    name: v.read?.name ?? null,
    symbol: v.read?.symbol ?? null,
    decimals: v.read?.decimals ?? null,
    totalSupply,
    deployer: v.deployer,
    deployTx: v.deployTx,
    deployBlock: v.deployBlock,
    firstSeenBlock: v.firstSeenBlock,
    updateMode: v.updateMode,
    createdAt: v.createdAt,
    metadataStatus: v.status,
    metadataError: v.error ? { code: v.error.code, message: v.error.message, httpStatus: null, url: v.error.url } : null,
    metadata: v.read
      ? {
          uri: v.read.uri,
          resolvedUrl: v.read.resolvedUrl,
          document: v.read.normalized ?? null,
          confirmedStandard: v.read.confirmedStandard,
          lastFetchedAt: v.read.lastFetchedAt,
          updatedAt: v.read.updatedAt,
        }
      : null,
    view: v,
  })
}
