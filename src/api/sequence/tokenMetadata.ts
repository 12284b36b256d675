import { isFungible } from '../../core/standards'
import { servesMetadata } from '../../store/read/metadataStatus'
import type { TokenView } from '../../store/read/tokenViews'
import { mediaFields } from './media'

/** Sequence's ResourceStatus (seeds/000). */
export type ResourceStatus = 'NOT_AVAILABLE' | 'STALE' | 'AVAILABLE'

/**
 * Sequence's TokenMetadata. The OpenAPI document names the media fields in camelCase
 * (imageData, externalUrl, backgroundColor, animationUrl) while Sequence's published TypeScript
 * client reads snake_case (image_data, external_url, …); both are sent so either reader finds
 * them. `chainId`, `contractAddress` and `source` are what the client types also expect.
 * `video` / `audio` come from media.ts; `assets` are the cached files (assets.ts) while `image`
 * stays the document's.
 */
export interface SequenceTokenMetadata {
  chainId: number
  contractAddress: string
  tokenId: string
  source: string
  name: string
  description?: string
  image?: string
  video?: string
  audio?: string
  properties: Record<string, unknown> | null
  attributes: Record<string, unknown>[] | null
  imageData?: string
  image_data?: string
  externalUrl?: string
  external_url?: string
  backgroundColor?: string
  background_color?: string
  animationUrl?: string
  animation_url?: string
  decimals?: number
  updatedAt?: string
  assets: SequenceAsset[]
  status: ResourceStatus
  queuedAt?: string
  lastFetched?: string
}

/** Sequence's Asset (seeds/000). */
export interface SequenceAsset {
  id: number
  collectionId: number
  tokenId?: string
  url?: string
  metadataField: string
  filename?: string
  filesize?: number
  mimeType?: string
  width?: number
  height?: number
  updatedAt?: string
}

/** PENDING, FAILED and INVALID have nothing current to serve: NOT_AVAILABLE. */
export function resourceStatus(view: TokenView): ResourceStatus {
  return view.status === 'AVAILABLE' ? 'AVAILABLE' : view.status === 'STALE' ? 'STALE' : 'NOT_AVAILABLE'
}

type Doc = Record<string, unknown>

function text(doc: Doc | null, key: string): string | undefined {
  const v = doc?.[key]
  return typeof v === 'string' ? v : undefined
}

/**
 * Builds the object for one token. `queuedAt` overrides the job's time for a fetch this request
 * has just queued.
 */
export function sequenceTokenMetadata(view: TokenView, chainNumber: number, address: string, queuedAt?: Date, assets: SequenceAsset[] = []): SequenceTokenMetadata {
  const doc: Doc | null = servesMetadata(view.status) ? (view.metadata?.normalized ?? null) : null
  const waiting = view.job && (view.job.status === 'QUEUED' || view.job.status === 'RUNNING') ? view.job.queuedAt : undefined
  const imageData = text(doc, 'image_data')
  const externalUrl = text(doc, 'external_url')
  const backgroundColor = text(doc, 'background_color')
  const animationUrl = text(doc, 'animation_url')
  // A fungible token is its contract: the contract reads stand in until the document is fetched.
  const contractReads = view.token && view.contract && isFungible(view.contract.standard) ? view.contractRead : null
  const decimals = typeof doc?.decimals === 'number' ? doc.decimals : (view.metadata?.decimals ?? contractReads?.decimals ?? undefined)
  const attributes = Array.isArray(doc?.attributes) && doc.attributes.length > 0 ? (doc.attributes as Record<string, unknown>[]) : null
  const properties = doc?.properties && typeof doc.properties === 'object' && !Array.isArray(doc.properties) ? (doc.properties as Record<string, unknown>) : null
  const out: SequenceTokenMetadata = {
    chainId: chainNumber,
    contractAddress: address,
    tokenId: view.tokenId,
    source: 'FETCHER',
    name: text(doc, 'name') ?? contractReads?.name ?? '',
    description: text(doc, 'description'),
    image: text(doc, 'image'),
    ...mediaFields(doc),
    properties,
    attributes,
    imageData,
    image_data: imageData,
    externalUrl,
    external_url: externalUrl,
    backgroundColor,
    background_color: backgroundColor,
    animationUrl,
    animation_url: animationUrl,
    decimals,
    updatedAt: view.metadata?.updatedAt?.toISOString(),
    assets,
    status: resourceStatus(view),
    queuedAt: (queuedAt ?? waiting)?.toISOString(),
    lastFetched: view.metadata?.lastFetchedAt?.toISOString(),
  }
  for (const k of Object.keys(out) as (keyof SequenceTokenMetadata)[]) if (out[k] === undefined) delete out[k]
  return out
}
