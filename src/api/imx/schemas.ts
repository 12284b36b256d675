/** OpenAPI descriptions of the refresh surfaces (validation is done by the handlers, input.ts). */

const imxTags = ['Immutable X metadata refreshes']
const zkevmTags = ['Immutable zkEVM metadata refresh']
const mavisTags = ['Mavis Market metadata refresh']

const imxError = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
}

const imxKeyHeaders = {
  type: 'object',
  properties: {
    'x-immutable-api-key': { type: 'string', description: 'API key (created with `token-metadata keys create`)' },
    authorization: { type: 'string', description: 'Bearer <API key> (instead of x-immutable-api-key)' },
  },
}

/** Immutable X metadata-refresh routes also take project-owner authentication instead of a key. */
const imxOwnerHeaders = {
  type: 'object',
  properties: {
    ...imxKeyHeaders.properties,
    'x-imx-eth-address': { type: 'string', description: 'project owner: its address (owner() of the collection, or bound to an API key with keys create --eth-address)' },
    'x-imx-eth-timestamp': { type: 'string', description: 'Unix seconds as a decimal string, within IMX_SIGNATURE_WINDOW_SECONDS of the server clock' },
    'x-imx-eth-signature': { type: 'string', description: "the owner's EIP-191 personal_sign of the timestamp: r + s + recovery id (00/01 or 1b/1c), 0x optional" },
  },
}

const imxLimitHeaders = {
  'x-imx-refreshes-limit': { type: 'string', description: 'tokens that can be refreshed per hour' },
  'x-imx-remaining-refreshes': { type: 'string', description: 'tokens remaining in the current hour window' },
  'x-imx-refresh-limit-reset': { type: 'string', description: 'UNIX timestamp (seconds) when the window rolls over' },
}

const refreshListItem = {
  type: 'object',
  properties: {
    refresh_id: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'in_progress', 'completed'] },
    collection_address: { type: 'string' },
    started_at: { type: 'string', nullable: true },
    completed_at: { type: 'string', nullable: true },
  },
}

const paging = {
  cursor: { type: 'string', description: 'cursor of the previous page' },
  page_size: { type: 'integer', minimum: 1, maximum: 200, default: 100 },
}

export const imxSchemas = {
  create: {
    tags: imxTags,
    summary: 'Request a metadata refresh',
    description: 'Queues a refresh of up to REFRESH_MAX_TOKENS_PER_REQUEST (1,000) tokens of a collection on REFRESH_DEFAULT_CHAIN at the highest priority.',
    headers: imxOwnerHeaders,
    body: {
      type: 'object',
      required: ['collection_address', 'token_ids'],
      properties: { collection_address: { type: 'string' }, token_ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string' } } },
    },
    response: {
      202: { description: 'Accepted', headers: imxLimitHeaders, type: 'object', properties: { refresh_id: { type: 'string' } } },
      400: imxError,
      401: imxError,
      403: imxError,
      429: { description: 'Refresh limit exceeded', headers: imxLimitHeaders, ...imxError },
    },
  },
  list: {
    tags: imxTags,
    summary: 'List metadata refreshes, newest first',
    headers: imxOwnerHeaders,
    querystring: { type: 'object', properties: { collection_address: { type: 'string' }, ...paging } },
    response: {
      200: { type: 'object', properties: { result: { type: 'array', items: refreshListItem }, cursor: { type: 'string' }, remaining: { type: 'integer' } } },
      400: imxError,
      401: imxError,
      403: imxError,
    },
  },
  get: {
    tags: imxTags,
    summary: 'Status of a metadata refresh',
    headers: imxOwnerHeaders,
    params: { type: 'object', properties: { refresh_id: { type: 'string' } } },
    response: {
      200: {
        type: 'object',
        properties: {
          ...refreshListItem.properties,
          summary: { type: 'object', properties: { succeeded: { type: 'integer' }, failed: { type: 'integer' }, pending: { type: 'integer' } } },
        },
      },
      401: imxError,
      404: imxError,
    },
  },
  errors: {
    tags: imxTags,
    summary: 'Per-token errors of a metadata refresh',
    headers: imxOwnerHeaders,
    params: { type: 'object', properties: { refresh_id: { type: 'string' } } },
    querystring: { type: 'object', properties: paging },
    response: {
      200: {
        type: 'object',
        properties: {
          result: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                token_id: { type: 'string' },
                collection_address: { type: 'string' },
                client_token_metadata_url: { type: 'string', nullable: true },
                client_response_status_code: { type: 'integer', nullable: true },
                client_response_body: { type: 'string', nullable: true, description: 'at most 1 KiB' },
                error_code: { type: 'string', enum: ['unable_to_retrieve_metadata', 'invalid_response_status_code', 'unable_to_decode_response', 'token_not_found'] },
                created_at: { type: 'string' },
              },
            },
          },
          cursor: { type: 'string' },
          remaining: { type: 'integer' },
        },
      },
      400: imxError,
      401: imxError,
      404: imxError,
    },
  },
}

const zkevmError = {
  type: 'object',
  required: ['message', 'link', 'trace_id', 'code', 'details'],
  properties: {
    message: { type: 'string' },
    link: { type: 'string' },
    trace_id: { type: 'string' },
    code: { type: 'string' },
    details: { type: 'object', nullable: true, additionalProperties: true },
  },
}

const zkevmLimit = {
  'imx-refreshes-limit': { type: 'string', description: 'pushed tokens per one-hour window' },
  'imx-refresh-limit-reset': { type: 'string', description: 'end of the current window (ISO-8601)' },
  'imx-remaining-refreshes': { type: 'string', description: 'remaining in the current window' },
  'retry-after': { type: 'string', description: 'seconds until the next request can be made' },
}

const attribute = {
  type: 'object',
  required: ['trait_type', 'value'],
  properties: {
    display_type: { type: 'string', nullable: true, enum: ['number', 'boost_percentage', 'boost_number', 'date'] },
    trait_type: { type: 'string' },
    value: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
  },
}

export const zkevmSchema = {
  tags: zkevmTags,
  summary: 'Push NFT metadata (Immutable zkEVM RefreshNFTMetadataByTokenID)',
  description:
    'Stores the pushed metadata of indexed tokens directly (normalised like fetched metadata); tokens the indexer does not know are listed in unknown_token_ids and not stored. 1 to 250 items, each at most 16 KiB, the body at most 228 KiB.',
  headers: imxKeyHeaders,
  params: { type: 'object', properties: { chain_name: { type: 'string' }, contract_address: { type: 'string' } } },
  body: {
    type: 'object',
    required: ['nft_metadata'],
    properties: {
      nft_metadata: {
        type: 'array',
        minItems: 1,
        maxItems: 250,
        items: {
          type: 'object',
          required: ['token_id', 'name', 'description', 'image', 'external_url', 'animation_url', 'youtube_url', 'attributes'],
          properties: {
            token_id: { type: 'string' },
            name: { type: 'string', nullable: true },
            description: { type: 'string', nullable: true },
            image: { type: 'string', nullable: true },
            external_url: { type: 'string', nullable: true },
            animation_url: { type: 'string', nullable: true },
            youtube_url: { type: 'string', nullable: true },
            attributes: { type: 'array', nullable: true, items: attribute },
          },
        },
      },
    },
  },
  response: {
    202: {
      description: 'Accepted',
      headers: zkevmLimit,
      type: 'object',
      properties: {
        imx_refreshes_limit: { type: 'string' },
        imx_refresh_limit_reset: { type: 'string' },
        imx_remaining_refreshes: { type: 'string' },
        retry_after: { type: 'string' },
        unknown_token_ids: { type: 'array', items: { type: 'string' } },
      },
    },
    400: zkevmError,
    401: zkevmError,
    403: zkevmError,
    404: zkevmError,
    429: { headers: zkevmLimit, ...zkevmError },
  },
}

const mavisMessage = { type: 'object', properties: { message: { type: 'string' } } }

export const mavisSchema = {
  tags: mavisTags,
  summary: 'Refresh NFT metadata (up to 100 token ids)',
  description: 'Queues a refresh on MAVIS_CHAIN; the refresh id is in the x-refresh-id response header.',
  headers: { type: 'object', properties: { 'x-api-key': { type: 'string' }, authorization: { type: 'string', description: 'Bearer <API key>' } } },
  params: { type: 'object', properties: { token_address: { type: 'string' } } },
  body: { type: 'object', properties: { token_ids: { type: 'array', maxItems: 100, items: { type: 'string' } } } },
  response: { 200: mavisMessage, 400: mavisMessage, 401: mavisMessage, 403: mavisMessage, 429: mavisMessage },
}
