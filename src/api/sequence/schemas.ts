/** OpenAPI descriptions of the Sequence surface (validation is done by request.ts). */

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

const accessKey = {
  type: 'object',
  properties: { 'x-access-key': { type: 'string', description: 'Sequence project access key (accepted, not required)' } },
}

export const getTokenMetadataSchema = {
  tags,
  summary: 'GetTokenMetadata',
  description: 'Token metadata of one contract and up to 50 token ids. Unknown tokens are answered NOT_AVAILABLE and queued for a fetch.',
  headers: accessKey,
  body: {
    type: 'object',
    required: ['chainID', 'contractAddress', 'tokenIDs'],
    properties: {
      chainID: { type: 'string', examples: ['1', '80002'] },
      contractAddress: { type: 'string' },
      tokenIDs: { type: 'array', maxItems: 50, items: { type: 'string' } },
    },
  },
  response: {
    200: { type: 'object', properties: { tokenMetadata: { type: 'array', items: tokenMetadata } } },
    '4xx': webrpcError,
  },
}

export const getTokenMetadataBatchSchema = {
  tags,
  summary: 'GetTokenMetadataBatch',
  description: 'Token metadata of up to 50 contracts and 50 token ids per contract (contractAddress -> []tokenID).',
  headers: accessKey,
  body: {
    type: 'object',
    required: ['chainID', 'contractTokenMap'],
    properties: {
      chainID: { type: 'string', examples: ['80002'] },
      contractTokenMap: { type: 'object', maxProperties: 50, additionalProperties: { type: 'array', maxItems: 50, items: { type: 'string' } } },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: { contractTokenMetadata: { type: 'object', additionalProperties: { type: 'array', items: tokenMetadata } } },
    },
    '4xx': webrpcError,
  },
}
