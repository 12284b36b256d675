import { z } from 'zod'
import { isEvmAddress, clip, contractIdOf } from '../validation'
import { evmAddress, tokenIdList } from '../shapes/formats'
import { shapeIssue } from '../shapes/validation'
import { SEQUENCE_NAMESPACE, sequenceChainId } from './chainId'

/**
 * The Sequence read methods: request shapes (zod: they validate the request, coerce it into a
 * MetadataRequest and are its OpenAPI description) and the OpenAPI descriptions of the answers.
 */

/** Sequence's documented limits: 50 contracts per batch, 50 token ids per contract. */
const MAX_CONTRACTS = 50
const MAX_TOKENS_PER_CONTRACT = 50

const tags = ['Sequence Metadata (webrpc)']

const tokenMetadata = {
  type: 'object',
  required: ['tokenId', 'name', 'attributes', 'status'],
  properties: {
    chainId: { type: 'number' },
    contractAddress: { type: 'string' },
    tokenId: { type: 'string' },
    source: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    image: { type: 'string' },
    video: { type: 'string', description: "the document's video, or its animation_url when that is a video file" },
    audio: { type: 'string', description: "the document's audio, or its animation_url when that is an audio file" },
    properties: { type: 'object', nullable: true, additionalProperties: true },
    attributes: { type: 'array', nullable: true, items: { type: 'object', additionalProperties: true } },
    imageData: { type: 'string' },
    externalUrl: { type: 'string' },
    backgroundColor: { type: 'string' },
    animationUrl: { type: 'string' },
    decimals: { type: 'number' },
    updatedAt: { type: 'string' },
    assets: {
      type: 'array',
      description: 'cached media files of the token (Asset): its image and animation_url once stored',
      items: {
        type: 'object',
        required: ['id', 'collectionId', 'metadataField'],
        properties: {
          id: { type: 'number' },
          collectionId: { type: 'number' },
          tokenId: { type: 'string' },
          url: { type: 'string' },
          metadataField: { type: 'string' },
          filename: { type: 'string' },
          filesize: { type: 'number' },
          mimeType: { type: 'string' },
          width: { type: 'number' },
          height: { type: 'number' },
          updatedAt: { type: 'string' },
        },
      },
    },
    status: { type: 'string', enum: ['NOT_AVAILABLE', 'STALE', 'AVAILABLE'] },
    queuedAt: { type: 'string' },
    lastFetched: { type: 'string' },
  },
}

const webrpcError = {
  description: 'webrpc error (InvalidArgument, RequiredArgument, ChainNotFound, WebrpcBadRequest, …)',
  type: 'object',
  required: ['error', 'code', 'msg', 'status'],
  properties: { error: { type: 'string' }, code: { type: 'number' }, msg: { type: 'string' }, cause: { type: 'string' }, status: { type: 'number' } },
}

const accessKey = z.looseObject({ 'x-access-key': z.string().optional().describe('Sequence project access key (accepted, not required)') })

/** A contract's token ids: at most 50, each a uint256 decimal string, duplicates dropped. */
const tokenIdsOfContract = tokenIdList(SEQUENCE_NAMESPACE, {
  max: MAX_TOKENS_PER_CONTRACT,
  tooMany: (field, n) => `${field} has ${n} token ids; at most ${MAX_TOKENS_PER_CONTRACT} are allowed per contract`,
})

/** One contract of a request: the address as the caller wrote it (the response key) and its token ids. */
function contractRequest(chain: string, key: string, tokenIds: string[]) {
  return { key, address: key.toLowerCase(), contractId: contractIdOf(chain, key), tokenIds }
}

function getTokenMetadataBody(knownChains: ReadonlySet<string>) {
  return z
    .object({
      chainID: sequenceChainId(knownChains),
      contractAddress: evmAddress(),
      tokenIDs: tokenIdsOfContract.nullish(),
    })
    .transform((b) => ({ chain: b.chainID.chain, chainNumber: b.chainID.number, contracts: [contractRequest(b.chainID.chain, b.contractAddress, b.tokenIDs ?? [])] }))
}

/** contractAddress -> []tokenID, at most 50 contracts (counted before their lists are read). */
const contractTokenMap = z.preprocess(
  (map, ctx) => {
    const n = map !== null && typeof map === 'object' && !Array.isArray(map) ? Object.keys(map).length : 0
    if (n > MAX_CONTRACTS) ctx.addIssue({ ...shapeIssue('invalid', (field) => `${field} has ${n} contracts; at most ${MAX_CONTRACTS} are allowed per request`), input: map })
    return map
  },
  z.record(z.string(), tokenIdsOfContract).meta({ maxProperties: MAX_CONTRACTS, description: 'contract address -> token ids' }),
)

function getTokenMetadataBatchBody(knownChains: ReadonlySet<string>) {
  return z.object({ chainID: sequenceChainId(knownChains), contractTokenMap }).transform((b, ctx) => {
    const { chain, number } = b.chainID
    const bad = Object.keys(b.contractTokenMap).find((address) => !isEvmAddress(address))
    if (bad !== undefined) {
      const problem = `contract address "${clip(bad)}" is not an EVM address (0x followed by 40 hex digits)`
      ctx.addIssue({ ...shapeIssue('invalid', (field) => `${field}: ${problem}`, ['contractTokenMap', bad]), input: bad })
      return z.NEVER
    }
    return { chain, chainNumber: number, contracts: Object.entries(b.contractTokenMap).map(([address, ids]) => contractRequest(chain, address, ids)) }
  })
}

/** A read request, checked and coerced: a known EVM chain, its contracts (addresses valid) and their canonical token ids. */
export type MetadataRequest = z.output<ReturnType<typeof getTokenMetadataBatchBody>>

export function getTokenMetadataSchema(knownChains: ReadonlySet<string>) {
  return {
    tags,
    summary: 'GetTokenMetadata',
    description: 'Token metadata of one contract and up to 50 token ids. Unknown tokens are answered NOT_AVAILABLE and queued for a fetch.',
    headers: accessKey,
    body: getTokenMetadataBody(knownChains),
    response: {
      200: { type: 'object', properties: { tokenMetadata: { type: 'array', items: tokenMetadata } } },
      '4xx': webrpcError,
    },
  }
}

export function getTokenMetadataBatchSchema(knownChains: ReadonlySet<string>) {
  return {
    tags,
    summary: 'GetTokenMetadataBatch',
    description: 'Token metadata of up to 50 contracts and 50 token ids per contract (contractAddress -> []tokenID).',
    headers: accessKey,
    body: getTokenMetadataBatchBody(knownChains),
    response: {
      200: {
        type: 'object',
        properties: { contractTokenMetadata: { type: 'object', additionalProperties: { type: 'array', items: tokenMetadata } } },
      },
      '4xx': webrpcError,
    },
  }
}
