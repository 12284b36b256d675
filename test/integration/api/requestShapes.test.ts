// Each REST surface's request schemas, over HTTP: a wrong type, a missing field, an unknown field
// (ignored, as every surface always has) and an oversized list, each answered in the surface's
// own error shape with a message naming the field; and the OpenAPI document showing the same
// schemas that validate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'
import { seedCollection } from '../../helpers/fixtures'
import { call, newKey, type Reply } from '../../helpers/refreshApi'

const db = useTestDatabase()
const CHAIN = 'eip155:1'
const A = '0x00000000000000000000000000000000000000a1'

let api: RunningApi
let key: string

beforeAll(async () => {
  await seedCollection(db.ds.manager, { chain: CHAIN, address: A, count: 5 })
  api = await startApiServer(db, { env: { MAVIS_CHAIN: CHAIN, REFRESH_REQUESTS_PER_SECOND: '10000', REFRESH_TOKENS_PER_HOUR: '1000000' } })
  key = await newKey(db.ds, 'shapes')
})
afterAll(async () => api?.close())

const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i))
const webrpc = (error: string, code: number, msg: string, cause: string) => ({ error, code, msg, cause, status: 400 })
const TRACE_ID = expect.stringMatching(/^[0-9a-f]{32}$/)

function pushItem(tokenId: string) {
  return { token_id: tokenId, name: `Shaped #${tokenId}`, description: null, image: null, external_url: null, animation_url: null, youtube_url: null, attributes: null }
}

describe('Sequence GetTokenMetadata (webrpc)', () => {
  const read = (body: unknown): Promise<Reply> => call(api.url, 'POST', '/rpc/Metadata/GetTokenMetadata', { body })

  it('answers a token id of the wrong JSON type with WebrpcBadRequest naming the element', async () => {
    const r = await read({ chainID: '1', contractAddress: A, tokenIDs: [7] })
    expect([r.status, r.body]).toEqual([400, webrpc('WebrpcBadRequest', -4, 'bad request', 'tokenIDs[0] must be a string, got number')])
  })

  it('answers a missing contractAddress with RequiredArgument', async () => {
    const r = await read({ chainID: '1', tokenIDs: ['1'] })
    expect([r.status, r.body]).toEqual([400, webrpc('RequiredArgument', 2002, 'Required argument missing', 'contractAddress is required')])
  })

  it('ignores a field the method does not define', async () => {
    const r = await read({ chainID: '1', contractAddress: A, tokenIDs: ['1'], includeContract: true })
    expect(r.status).toBe(200)
    expect(r.body.tokenMetadata.map((t: { tokenId: string }) => t.tokenId)).toEqual(['1'])
  })

  it('answers 51 token ids with InvalidArgument', async () => {
    const r = await read({ chainID: '1', contractAddress: A, tokenIDs: ids(51) })
    expect([r.status, r.body]).toEqual([400, webrpc('InvalidArgument', 2001, 'Invalid argument', 'tokenIDs has 51 token ids; at most 50 are allowed per contract')])
  })
})

describe('Sequence RefreshTokenMetadata and GetTask (webrpc)', () => {
  const rpc = (method: string, body: unknown, headers: Record<string, string> = { 'X-Access-Key': key }): Promise<Reply> =>
    call(api.url, 'POST', `/rpc/Metadata/${method}`, { headers, body })

  it('answers a flag of the wrong JSON type with InvalidArgument naming it', async () => {
    const r = await rpc('RefreshTokenMetadata', { chainID: '1', contractAddress: A, refreshAll: 'yes' })
    expect([r.status, r.body]).toEqual([400, webrpc('InvalidArgument', 2001, 'Invalid argument', 'refreshAll must be a boolean, got string')])
  })

  it('answers a missing chainID with RequiredArgument', async () => {
    const r = await rpc('RefreshTokenMetadata', { contractAddress: A, tokenIDs: ['1'] })
    expect([r.status, r.body]).toEqual([400, webrpc('RequiredArgument', 2002, 'Required argument missing', 'chainID is required')])
  })

  it('answers GetTask without a task id with RequiredArgument', async () => {
    const r = await rpc('GetTask', {})
    expect([r.status, r.body]).toEqual([400, webrpc('RequiredArgument', 2002, 'Required argument missing', 'taskId is required')])
  })

  it('ignores a field the method does not define', async () => {
    const r = await rpc('RefreshTokenMetadata', { chainID: '1', contractAddress: A, tokenIDs: ['1'], priority: 'high' })
    expect(r.status).toBe(200)
    expect(r.body.taskID).toBe(r.body.taskId)
  })

  it('answers more token ids than REFRESH_MAX_TOKENS_PER_REQUEST with InvalidArgument', async () => {
    const r = await rpc('RefreshTokenMetadata', { chainID: '1', contractAddress: A, tokenIDs: ids(1001) })
    expect([r.status, r.body]).toEqual([400, webrpc('InvalidArgument', 2001, 'Invalid argument', 'tokenIDs has 1001 token ids; at most 1000 are allowed per request')])
  })

  it('answers a caller without a key Unauthorized before judging its body', async () => {
    const r = await rpc('RefreshTokenMetadata', { chainID: 1 }, {})
    expect([r.status, r.body]).toEqual([401, { error: 'Unauthorized', code: 1000, msg: 'Unauthorized access', cause: 'an API key is required', status: 401 }])
  })
})

describe('Immutable X /v1/metadata-refreshes', () => {
  const post = (body: unknown, headers: Record<string, string> = { 'x-immutable-api-key': key }): Promise<Reply> =>
    call(api.url, 'POST', '/v1/metadata-refreshes', { headers, body })

  it('answers an address of the wrong JSON type with validation_error naming it', async () => {
    const r = await post({ collection_address: 5, token_ids: ['1'] })
    expect([r.status, r.body]).toEqual([400, { code: 'validation_error', message: 'collection_address must be a string, got number' }])
  })

  it('answers missing token_ids with validation_error', async () => {
    const r = await post({ collection_address: A })
    expect([r.status, r.body]).toEqual([400, { code: 'validation_error', message: 'token_ids is required' }])
  })

  it('ignores a field the route does not define', async () => {
    const r = await post({ collection_address: A, token_ids: ['1'], priority: 'high' })
    expect(r.status).toBe(202)
    expect(r.body.refresh_id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers more than 1,000 token ids with validation_error', async () => {
    const r = await post({ collection_address: A, token_ids: ids(1001) })
    expect([r.status, r.body]).toEqual([400, { code: 'validation_error', message: 'token_ids has 1001 token ids; at most 1000 are allowed per request' }])
  })

  it('answers a query parameter given twice with validation_error', async () => {
    const r = await call(api.url, 'GET', '/v1/metadata-refreshes?page_size=1&page_size=2', { headers: { 'x-immutable-api-key': key } })
    expect([r.status, r.body]).toEqual([400, { code: 'validation_error', message: 'page_size must be given once' }])
  })

  it('answers a caller without a key unauthorised_request before judging its body', async () => {
    const r = await post({ collection_address: 5 }, {})
    expect([r.status, r.body]).toEqual([401, { code: 'unauthorised_request', message: 'an API key is required' }])
  })
})

describe('Immutable zkEVM refresh-metadata push', () => {
  const push = (body: unknown, chainName = 'ethereum'): Promise<Reply> =>
    call(api.url, 'POST', `/v1/chains/${chainName}/collections/${A}/nfts/refresh-metadata`, { headers: { 'x-immutable-api-key': key }, body })
  const validationError = (message: string, field: string) => ({ message, link: '/docs', trace_id: TRACE_ID, code: 'VALIDATION_ERROR', details: { field } })

  it('answers a name of the wrong JSON type with VALIDATION_ERROR whose details name the field', async () => {
    const r = await push({ nft_metadata: [{ ...pushItem('1'), name: 5 }] })
    expect([r.status, r.body]).toEqual([400, validationError('nft_metadata[0].name must be a string or null, got number', 'nft_metadata[0].name')])
  })

  it('answers a documented field left out (not null) with VALIDATION_ERROR', async () => {
    const { youtube_url: _left, ...item } = pushItem('1')
    const r = await push({ nft_metadata: [item] })
    expect([r.status, r.body]).toEqual([400, validationError('nft_metadata[0].youtube_url is required (null when absent)', 'nft_metadata[0].youtube_url')])
  })

  it('ignores a field of an item the route does not define, and stores the document without it', async () => {
    const r = await push({ nft_metadata: [{ ...pushItem('2'), rarity: 'legendary' }] })
    expect([r.status, r.body.unknown_token_ids]).toEqual([202, []])
    const [row] = await db.ds.query(`SELECT raw FROM token_metadata WHERE id = $1`, [`${CHAIN}:${A}:2`])
    expect(row.raw).toEqual({ name: 'Shaped #2' })
  })

  it('answers 251 items with VALIDATION_ERROR on nft_metadata', async () => {
    const r = await push({ nft_metadata: Array.from({ length: 251 }, (_, i) => pushItem(String(i))) })
    expect([r.status, r.body]).toEqual([400, validationError('nft_metadata must hold 1 to 250 items, got 251', 'nft_metadata')])
  })

  it('answers an unknown chain_name 404 before judging the body', async () => {
    const r = await push({}, 'dogecoin')
    expect([r.status, r.body]).toEqual([
      404,
      { message: 'chain dogecoin not found', link: '/docs', trace_id: TRACE_ID, code: 'RESOURCE_NOT_FOUND', details: { field: 'chain_name' } },
    ])
  })
})

describe('Mavis refresh_metadata', () => {
  const post = (body: unknown): Promise<Reply> => call(api.url, 'POST', `/mavis-market-partner/collections/${A}/refresh_metadata`, { headers: { 'X-API-Key': key }, body })

  it('answers token_ids of the wrong JSON type with a message naming it', async () => {
    const r = await post({ token_ids: '1' })
    expect([r.status, r.body]).toEqual([400, { message: 'token_ids must be an array, got string' }])
  })

  it('answers missing token_ids with a message naming it', async () => {
    const r = await post({})
    expect([r.status, r.body]).toEqual([400, { message: 'token_ids is required' }])
  })

  it('ignores a field the route does not define', async () => {
    const r = await post({ token_ids: ['1'], force: true })
    expect([r.status, r.body]).toEqual([200, { message: 'Metadata refresh initiated' }])
  })

  it("answers 101 token ids with Mavis' documented message", async () => {
    const r = await post({ token_ids: ids(101) })
    expect([r.status, r.body]).toEqual([400, { message: 'Too many token ids, max number of token ids allowed is 100' }])
  })
})

describe('the OpenAPI document', () => {
  const requestBody = (doc: any, path: string) => doc.paths[path].post.requestBody.content['application/json'].schema

  it('shows the request schemas that validate: limits, required fields and nullable fields', async () => {
    const { body: doc } = await call(api.url, 'GET', '/openapi.json')
    const batch = requestBody(doc, '/rpc/Metadata/GetTokenMetadataBatch')
    expect(batch.required).toEqual(['chainID', 'contractTokenMap'])
    expect(batch.properties.contractTokenMap).toMatchObject({ type: 'object', maxProperties: 50, additionalProperties: { type: 'array', maxItems: 50 } })
    const pushed = requestBody(doc, '/v1/chains/{chain_name}/collections/{contract_address}/nfts/refresh-metadata').properties.nft_metadata
    expect(pushed).toMatchObject({ type: 'array', minItems: 1, maxItems: 250 })
    expect(pushed.items.required).toEqual(['token_id', 'name', 'description', 'image', 'external_url', 'animation_url', 'youtube_url', 'attributes'])
    expect(pushed.items.properties.name).toEqual({ type: 'string', nullable: true })
    expect(requestBody(doc, '/mavis-market-partner/collections/{token_address}/refresh_metadata').properties.token_ids).toMatchObject({ minItems: 1, maxItems: 100 })
    expect(requestBody(doc, '/v1/metadata-refreshes').properties.token_ids).toMatchObject({ minItems: 1, maxItems: 1000 })
    const listed = doc.paths['/v1/metadata-refreshes'].get.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`)
    expect(listed).toEqual(expect.arrayContaining(['query:collection_address', 'query:cursor', 'query:page_size', 'header:x-immutable-api-key', 'header:x-imx-eth-signature']))
  })
})
