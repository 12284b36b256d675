/**
 * JSON schemas of the Hiro surface: request validation (Fastify/ajv, so malformed input gets the
 * same 400 body Hiro's own Fastify server gives) and the OpenAPI document.
 */

/** `ADDRESS.contract-name`: c32 address of 28-41 characters, Clarity contract name. */
export const CONTRACT_PRINCIPAL_PATTERN = '^[0-9A-HJKMNP-TV-Z]{28,41}\\.[a-zA-Z][a-zA-Z0-9_-]{0,39}$'
const NO_NUL = '^[^\\u0000]*$'

const principal = (title: string, example: string) => ({
  type: 'string',
  pattern: CONTRACT_PRINCIPAL_PATTERN,
  title,
  description: 'Contract principal',
  examples: [example],
})

/** Validated by the handler (uint128 exceeds what ajv's integer coercion keeps exact). */
const tokenIdParam = { type: 'string', title: 'Token ID', description: 'Token ID to retrieve (unsigned 128-bit integer, decimal)', examples: ['35'] }

const localeQuery = {
  type: 'object',
  properties: { locale: { type: 'string', title: 'Localization', description: 'Metadata localization to retrieve', examples: ['es-MX', 'jp'] } },
}

const metadataSchema = {
  type: 'object',
  title: 'Metadata',
  required: ['sip'],
  properties: {
    sip: { type: 'integer', examples: [16] },
    name: { type: 'string' },
    description: { type: 'string' },
    image: { type: 'string' },
    cached_image: { type: 'string' },
    cached_thumbnail_image: { type: 'string' },
    attributes: {
      type: 'array',
      items: { type: 'object', properties: { trait_type: { type: 'string' }, display_type: { type: 'string' }, value: {} } },
    },
    properties: { type: 'object', additionalProperties: true },
    localization: {
      type: 'object',
      properties: { uri: { type: 'string' }, default: { type: 'string' }, locales: { type: 'array', items: { type: 'string' } } },
    },
  },
}

const errorResponses = {
  404: {
    description: 'Contract or token not found',
    type: 'object',
    properties: { error: { type: 'string', enum: ['Token not found', 'Contract not found'] } },
  },
  422: {
    description: 'Metadata not available: fetch in progress, locale not found, or a token error',
    type: 'object',
    properties: {
      error: { type: 'string', enum: ['Token metadata fetch in progress', 'Locale not found', 'Token error'] },
      message: { type: 'string' },
    },
  },
}

const tags = ['Hiro Token Metadata API']

/** A fungible token's fields, in the order the FT routes answer them: from its documents, then its origin. */
const ftDocumentFields = {
  name: { type: 'string' },
  symbol: { type: 'string' },
  decimals: { type: 'integer' },
  total_supply: { type: 'string' },
  token_uri: { type: 'string' },
  description: { type: 'string' },
}
const ftOriginFields = {
  image_canonical_uri: { type: 'string' },
  tx_id: { type: 'string' },
  sender_address: { type: 'string' },
}

export const ftListSchema = {
  tags,
  operationId: 'getFungibleTokens',
  summary: 'Fungible Tokens',
  description: 'Retrieves a list of Fungible Tokens',
  querystring: {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 256, pattern: NO_NUL },
      symbol: { type: 'string', maxLength: 256, pattern: NO_NUL },
      address: { type: 'string', maxLength: 128, pattern: '^[0-9A-HJKMNP-TV-Z]{28,41}[^\\u0000]*$', description: 'Stacks address (prefix of the contract principal)' },
      valid_metadata_only: { type: 'boolean', default: false, description: 'Only tokens whose metadata was fetched and is valid' },
      offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0, description: 'Result offset' },
      limit: { type: 'integer', minimum: 1, maximum: 60, default: 20, description: 'Results per page' },
      order_by: { type: 'string', enum: ['name', 'symbol'], default: 'name' },
      order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        limit: { type: 'integer' },
        offset: { type: 'integer' },
        total: { type: 'integer' },
        results: {
          type: 'array',
          items: {
            type: 'object',
            properties: { ...ftDocumentFields, ...ftOriginFields, contract_principal: { type: 'string' } },
          },
        },
      },
    },
  },
}

export const ftSchema = {
  tags,
  operationId: 'getFtMetadata',
  summary: 'Fungible Token Metadata',
  description: 'Retrieves metadata for a SIP-010 Fungible Token',
  params: {
    type: 'object',
    required: ['principal'],
    properties: { principal: principal('Fungible Token Contract Principal', 'SP32XCD69XPS3GKDEXAQ29PJRDSD5AR643GNEEBXZ.fari-token') },
  },
  querystring: localeQuery,
  response: {
    200: {
      type: 'object',
      properties: {
        ...ftDocumentFields,
        image_uri: { type: 'string', description: 'the cached image (absent until it is cached)' },
        image_thumbnail_uri: { type: 'string', description: 'its 300 px thumbnail' },
        ...ftOriginFields,
        asset_identifier: { type: 'string' },
        metadata: metadataSchema,
      },
    },
    ...errorResponses,
  },
}

export const nftSchema = {
  tags,
  operationId: 'getNftMetadata',
  summary: 'Non-Fungible Token Metadata',
  description: 'Retrieves metadata for a SIP-009 Non-Fungible Token',
  params: {
    type: 'object',
    required: ['principal', 'token_id'],
    properties: { principal: principal('Non-Fungible Token Contract Principal', 'SP497E7RX3233ATBS2AB9G4WTHB63X5PBSP5VGAQ.boomboxes-cycle-12'), token_id: tokenIdParam },
  },
  querystring: localeQuery,
  response: { 200: { type: 'object', properties: { token_uri: { type: 'string' }, metadata: metadataSchema } }, ...errorResponses },
}

export const sftSchema = {
  tags,
  operationId: 'getSftMetadata',
  summary: 'Semi-Fungible Token Metadata',
  description: 'Retrieves metadata for a SIP-013 Semi-Fungible Token',
  params: {
    type: 'object',
    required: ['principal', 'token_id'],
    properties: { principal: principal('Semi-Fungible Token Contract Principal', 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.key-alex-autoalex-v1'), token_id: tokenIdParam },
  },
  querystring: localeQuery,
  response: {
    200: {
      type: 'object',
      properties: { token_uri: { type: 'string' }, decimals: { type: 'integer' }, total_supply: { type: 'string' }, metadata: metadataSchema },
    },
    ...errorResponses,
  },
}

const count = { type: 'integer' }

export const statusSchema = {
  tags,
  operationId: 'getApiStatus',
  summary: 'API Status',
  description: 'Displays the status of the API and its current workload',
  response: {
    200: {
      type: 'object',
      properties: {
        server_version: { type: 'string' },
        status: { type: 'string', enum: ['ready', 'not_ready'], description: 'ready: database reachable and every migration applied' },
        chain_tip: { type: 'object', properties: { block_height: count } },
        tokens: { type: 'object', properties: { ft: count, nft: count, sft: count } },
        token_contracts: { type: 'object', properties: { 'sip-009': count, 'sip-010': count, 'sip-013': count } },
        job_queue: { type: 'object', properties: { pending: count, queued: count, done: count, failed: count, invalid: count } },
        sync: {
          type: 'object',
          description: 'Not in Hiro: chain head and lag as the processes recorded them',
          properties: {
            chain_height: { type: 'integer', nullable: true },
            lag_blocks: { type: 'integer', nullable: true },
            newest_block_age_seconds: { type: 'number', nullable: true },
            processor_last_seen_at: { type: 'string', format: 'date-time', nullable: true },
            blocks_per_second: { type: 'number', nullable: true },
            eta_seconds: { type: 'number', nullable: true },
          },
        },
      },
    },
  },
}
