// The refresh surfaces without workers: API keys (401 / 403) and per-key limits shared by two
// API servers through Postgres (429 with each surface's headers and body), bad input answered
// with 4xx in each surface's own shape (never 5xx), list pagination and visibility, Sequence
// tasks and GraphQL refresh reads of refreshes nobody has processed yet.
import { SequenceMetadata } from '@0xsequence/metadata'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revokeApiKey } from '../../../src/store/apiKeys'
import { getRefresh } from '../../../src/store/refreshes'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'
import { seedCollection } from '../../helpers/fixtures'
import { bearer, call, gql, newKey, type Reply } from '../../helpers/refreshApi'
import { fuzzFailure, fuzzGenerator, sendFuzzRequest } from '../../helpers/fuzzRequests'
import { rng } from '../../helpers/prng'

const db = useTestDatabase()
const CHAIN = 'eip155:1'
const A = '0x00000000000000000000000000000000000000a1'
const B = '0x00000000000000000000000000000000000000b2'
const NOT_INDEXED = '0x00000000000000000000000000000000000000c3'
const UINT256_OVER = (1n << 256n).toString()

let api: RunningApi
let tight1: RunningApi
let tight2: RunningApi
let admin: string
let onlyA: string

beforeAll(async () => {
  await seedCollection(db.ds.manager, { chain: CHAIN, address: A, count: 40 })
  await seedCollection(db.ds.manager, { chain: CHAIN, address: B, count: 5 })
  // Mavis on the same chain as Immutable X here (its own default is Ronin mainnet).
  const generous = { REFRESH_REQUESTS_PER_SECOND: '10000', REFRESH_TOKENS_PER_HOUR: '1000000', MAVIS_CHAIN: CHAIN }
  const tight = { REFRESH_REQUESTS_PER_SECOND: '2', REFRESH_TOKENS_PER_HOUR: '10', MAVIS_CHAIN: CHAIN }
  ;[api, tight1, tight2] = await Promise.all([startApiServer(db, { env: generous }), startApiServer(db, { env: tight }), startApiServer(db, { env: tight })])
  admin = await newKey(db.ds, 'admin')
  onlyA = await newKey(db.ds, 'only A', [`${CHAIN}:${A}`])
})
afterAll(async () => {
  await Promise.all([api?.close(), tight1?.close(), tight2?.close()])
})

/** One refresh request per surface, with the key in the surface's own header (or none). */
type Surface = 'imx' | 'zkevm' | 'mavis' | 'sequence' | 'graphql'
const SURFACES: Surface[] = ['imx', 'zkevm', 'mavis', 'sequence', 'graphql']

function pushItem(tokenId: string, name = `Pushed #${tokenId}`) {
  return { token_id: tokenId, name, description: null, image: null, external_url: null, animation_url: null, youtube_url: null, attributes: null }
}

async function refreshOn(base: string, surface: Surface, key: string | undefined, address: string, ids: string[], useBearer = false): Promise<Reply> {
  const header = (name: string): Record<string, string> => (key === undefined ? {} : useBearer ? bearer(key) : { [name]: key })
  switch (surface) {
    case 'imx':
      return call(base, 'POST', '/v1/metadata-refreshes', { headers: header('x-immutable-api-key'), body: { collection_address: address, token_ids: ids } })
    case 'zkevm':
      return call(base, 'POST', `/v1/chains/ethereum/collections/${address}/nfts/refresh-metadata`, {
        headers: header('x-immutable-api-key'),
        body: { nft_metadata: ids.map((id) => pushItem(id)) },
      })
    case 'mavis':
      return call(base, 'POST', `/mavis-market-partner/collections/${address}/refresh_metadata`, { headers: header('X-API-Key'), body: { token_ids: ids } })
    case 'sequence':
      return call(base, 'POST', '/rpc/Metadata/RefreshTokenMetadata', { headers: header('X-Access-Key'), body: { chainID: '1', contractAddress: address, tokenIDs: ids } })
    case 'graphql': {
      const r = await gql(
        base,
        `mutation($c: String!, $ids: [BigInt!]!) { refreshTokens(chain: "eip155:1", contract: $c, tokenIds: $ids) { id status tokenCount } }`,
        { c: address, ids },
        key === undefined ? {} : bearer(key),
      )
      return r
    }
  }
}

/** The error body of each surface, reduced to what identifies it. */
function errorOf(surface: Surface, r: Reply): string {
  const b = r.body
  switch (surface) {
    case 'imx':
      expect(Object.keys(b).sort()).toEqual(['code', 'message'])
      return b.code
    case 'zkevm':
      expect(Object.keys(b).sort()).toEqual(['code', 'details', 'link', 'message', 'trace_id'])
      expect(b.trace_id).toMatch(/^[0-9a-f]{32}$/)
      return b.code
    case 'mavis':
      expect(Object.keys(b)).toEqual(['message'])
      return b.message
    case 'sequence':
      expect(b).toMatchObject({ error: expect.any(String), code: expect.any(Number), msg: expect.any(String), status: r.status })
      return b.error
    case 'graphql':
      expect(b.errors).toHaveLength(1)
      return b.errors[0].extensions.code
  }
}

const ACCEPTED: Record<Surface, number> = { imx: 202, zkevm: 202, mavis: 200, sequence: 200, graphql: 200 }
const UNAUTHORIZED: Record<Surface, string> = {
  imx: 'unauthorised_request',
  zkevm: 'UNAUTHORISED_REQUEST',
  mavis: 'Invalid authentication credentials',
  sequence: 'Unauthorized',
  graphql: 'UNAUTHENTICATED',
}
const FORBIDDEN: Record<Surface, string> = {
  imx: 'forbidden_request',
  zkevm: 'AUTHENTICATION_ERROR',
  mavis: 'You cannot consume this service',
  sequence: 'PermissionDenied',
  graphql: 'FORBIDDEN',
}
const LIMITED: Record<Surface, string> = {
  imx: 'refresh_limit_exceeded',
  zkevm: 'TOO_MANY_REQUESTS_ERROR',
  mavis: 'API rate limit exceeded',
  sequence: 'RateLimited',
  graphql: 'RATE_LIMITED',
}

describe('API keys on every refresh surface', () => {
  it.each(SURFACES)('%s: 401 without a key or with an unknown / revoked one, 403 for another collection, accepted with its header or a Bearer token', async (surface) => {
    const revoked = await newKey(db.ds, `revoked ${surface}`)
    await revokeApiKey(db.ds, revoked, new Date())
    for (const key of [undefined, 'tms_' + 'x'.repeat(32), 'not-a-key', revoked]) {
      const r = await refreshOn(api.url, surface, key, A, ['1'])
      expect(r.status, `${surface} ${key}`).toBe(401)
      expect(errorOf(surface, r)).toBe(UNAUTHORIZED[surface])
    }
    const denied = await refreshOn(api.url, surface, onlyA, B, ['1'])
    expect(denied.status).toBe(403)
    expect(errorOf(surface, denied)).toBe(FORBIDDEN[surface])

    if (surface !== 'graphql') expect((await refreshOn(api.url, surface, onlyA, A, ['1'])).status).toBe(ACCEPTED[surface])
    const viaBearer = await refreshOn(api.url, surface, onlyA, A, ['2'], true)
    expect(viaBearer.status).toBe(ACCEPTED[surface])
    if (surface === 'graphql') expect(viaBearer.body.data.refreshTokens).toMatchObject({ status: 'QUEUED', tokenCount: 1 })
  })

  it('reads of refreshes need a key too, and a key sees only the refreshes of its collections', async () => {
    const created = await call(api.url, 'POST', '/v1/metadata-refreshes', { headers: bearer(admin), body: { collection_address: B, token_ids: ['3'] } })
    expect(created.status).toBe(202)
    const id = created.body.refresh_id
    expect((await call(api.url, 'GET', `/v1/metadata-refreshes/${id}`)).status).toBe(401)
    expect((await call(api.url, 'GET', `/v1/metadata-refreshes/${id}`, { headers: bearer(admin) })).status).toBe(200)
    const hidden = await call(api.url, 'GET', `/v1/metadata-refreshes/${id}`, { headers: { 'x-immutable-api-key': onlyA } })
    expect(hidden.status).toBe(404)
    expect(hidden.body.code).toBe('resource_not_found')
    expect((await call(api.url, 'GET', `/v1/metadata-refreshes/${id}/errors`, { headers: bearer(onlyA) })).status).toBe(404)
    expect((await call(api.url, 'GET', `/v1/metadata-refreshes?collection_address=${B}`, { headers: bearer(onlyA) })).status).toBe(403)
    const mine = await call(api.url, 'GET', '/v1/metadata-refreshes?page_size=200', { headers: bearer(onlyA) })
    expect(mine.status).toBe(200)
    expect(mine.body.result.length).toBeGreaterThan(0)
    expect(mine.body.result.every((r: { collection_address: string }) => r.collection_address === A)).toBe(true)
    const task = await call(api.url, 'POST', '/rpc/Metadata/GetTask', { headers: { 'X-Access-Key': onlyA }, body: { taskId: (await getRefresh(db.ds, id))!.taskId } })
    expect(task.status).toBe(400)
    expect(task.body.error).toBe('NotFound')
    const g = await gql(api.url, `query($id: ID!) { refresh(id: $id) { id } }`, { id }, bearer(onlyA))
    expect(g.body).toEqual({ data: { refresh: null } })
    expect((await gql(api.url, `query($id: ID!) { refresh(id: $id) { id } }`, { id })).status).toBe(401)
  })
})

describe('per-key limits, shared by every API process through Postgres', () => {
  it.each(SURFACES)("%s: tokens per hour: the second request of 6 tokens is refused with 429 and the surface's headers", async (surface) => {
    const key = await newKey(db.ds, `tokens ${surface}`)
    const first = await refreshOn(tight1.url, surface, key, A, ['1', '2', '3', '4', '5', '6'])
    expect(first.status).toBe(ACCEPTED[surface])
    const before = Date.now()
    const second = await refreshOn(tight2.url, surface, key, A, ['7', '8', '9', '10', '11', '12'])
    expect(second.status).toBe(429)
    expect(errorOf(surface, second)).toBe(LIMITED[surface])
    const retryAfter = Number(second.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(3600)
    const windowEnd = (Math.floor(before / 3_600_000) + 1) * 3_600_000
    if (surface === 'imx') {
      for (const r of [first, second]) {
        expect(r.headers.get('x-imx-refreshes-limit')).toBe('10')
        expect(r.headers.get('x-imx-remaining-refreshes')).toBe('4')
        expect(Number(r.headers.get('x-imx-refresh-limit-reset'))).toBe(windowEnd / 1000)
      }
      expect(second.body).toEqual({ code: 'refresh_limit_exceeded', message: 'Refresh limit exceeded' })
    }
    if (surface === 'zkevm') {
      expect(first.body).toEqual({
        imx_refreshes_limit: '10',
        imx_refresh_limit_reset: new Date(windowEnd).toISOString(),
        imx_remaining_refreshes: '4',
        retry_after: '0',
        unknown_token_ids: [],
      })
      for (const r of [first, second]) {
        expect(r.headers.get('imx-refreshes-limit')).toBe('10')
        expect(r.headers.get('imx-remaining-refreshes')).toBe('4')
        expect(r.headers.get('imx-refresh-limit-reset')).toBe(new Date(windowEnd).toISOString())
      }
      expect(first.headers.get('retry-after')).toBe('0')
    }
  })

  it('requests per second: of 12 concurrent requests on two servers, at most two per one-second window pass', async () => {
    const key = await newKey(db.ds, 'rps')
    const start = Date.now()
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => refreshOn(i % 2 ? tight1.url : tight2.url, 'imx', key, A, [String(20 + (i % 2))])))
    const windows = Math.floor(Date.now() / 1000) - Math.floor(start / 1000) + 1
    const accepted = replies.filter((r) => r.status === 202)
    const refused = replies.filter((r) => r.status === 429)
    expect(accepted.length + refused.length).toBe(12)
    expect(accepted.length).toBeGreaterThanOrEqual(1)
    expect(accepted.length).toBeLessThanOrEqual(2 * windows)
    // whatever the run's length: everything beyond two per window was refused
    expect(refused.length).toBeGreaterThanOrEqual(12 - 2 * windows)
    for (const r of refused) {
      expect(r.body).toEqual({ code: 'refresh_limit_exceeded', message: 'Refresh limit exceeded' })
      expect(r.headers.get('retry-after')).toBe('1')
      expect(r.headers.get('x-imx-refreshes-limit')).toBe('10')
    }
  })
})

describe("bad input: 4xx in the surface's own shape, never 5xx", () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i))
  const badIds: unknown[] = ['-1', 'abc', '1e3', '01', ' 1', '0x1', UINT256_OVER, 5, null, {}, '']

  async function expectClientError(surface: Surface, r: Reply, status = 400): Promise<string> {
    expect(r.status, JSON.stringify(r.body)).toBe(status)
    return errorOf(surface, r)
  }

  it('Immutable X POST /v1/metadata-refreshes', async () => {
    const h = { 'x-immutable-api-key': admin }
    const post = (body: unknown, contentType?: string) => call(api.url, 'POST', '/v1/metadata-refreshes', { headers: h, body, contentType })
    const cases: [unknown, string?][] = [
      ['{"collection_address": '],
      ['[]'],
      ['"text"'],
      [{ token_ids: ['1'] }],
      [{ collection_address: A }],
      [{ collection_address: 5, token_ids: ['1'] }],
      [{ collection_address: '0x123', token_ids: ['1'] }],
      [{ collection_address: A, token_ids: '1' }],
      [{ collection_address: A, token_ids: [] }],
      [{ collection_address: A, token_ids: ids(1001) }],
      ...badIds.map((id): [unknown] => [{ collection_address: A, token_ids: ['1', id] }]),
      ['collection_address=x', 'application/x-www-form-urlencoded'],
      ['{}', 'text/plain'],
      ['', 'application/json'],
    ]
    for (const [body, type] of cases) {
      const r = await post(body, type)
      expect(await expectClientError('imx', r), JSON.stringify(body).slice(0, 80)).toBe('validation_error')
    }
    const huge = await post({ collection_address: A, token_ids: ['1'], pad: 'x'.repeat(1_100_000) })
    expect(await expectClientError('imx', huge)).toBe('validation_error')
    expect((await post({ collection_address: A.toUpperCase().replace('0X', '0x'), token_ids: ['1', '1', UINT256_OVER.slice(0, 77)] })).status).toBe(202)
  })

  it('Immutable X GETs: ids, cursors, page sizes, filters', async () => {
    const h = bearer(admin)
    expect(await expectClientError('imx', await call(api.url, 'GET', '/v1/metadata-refreshes/not-a-uuid', { headers: h }), 404)).toBe('resource_not_found')
    expect(await expectClientError('imx', await call(api.url, 'GET', '/v1/metadata-refreshes/00000000-0000-4000-8000-000000000000', { headers: h }), 404)).toBe(
      'resource_not_found',
    )
    for (const q of [
      'page_size=0',
      'page_size=201',
      'page_size=abc',
      'page_size=1&page_size=2',
      'cursor=abc',
      `cursor=${Buffer.from('{"l":"imx-refreshes","t":"x","i":"y"}').toString('base64url')}`,
      'collection_address=0x1',
      'collection_address=%00',
    ]) {
      expect(await expectClientError('imx', await call(api.url, 'GET', `/v1/metadata-refreshes?${q}`, { headers: h })), q).toBe('validation_error')
    }
    const created = await call(api.url, 'POST', '/v1/metadata-refreshes', { headers: h, body: { collection_address: A, token_ids: ['1'] } })
    for (const q of ['cursor=zzz', 'page_size=-1', `cursor=${Buffer.from('{"l":"imx-refresh-errors","p":"other:1"}').toString('base64url')}`]) {
      expect(await expectClientError('imx', await call(api.url, 'GET', `/v1/metadata-refreshes/${created.body.refresh_id}/errors?${q}`, { headers: h })), q).toBe(
        'validation_error',
      )
    }
    expect(await expectClientError('imx', await call(api.url, 'GET', '/v1/metadata-refreshes/a/b/c', { headers: h }), 404)).toBe('resource_not_found')
  })

  it('Immutable zkEVM push', async () => {
    const h = { 'x-immutable-api-key': admin }
    const push = (body: unknown, chainName = 'ethereum', address = A, contentType?: string) =>
      call(api.url, 'POST', `/v1/chains/${chainName}/collections/${address}/nfts/refresh-metadata`, { headers: h, body, contentType })
    const item = pushItem('1')
    const big = 'x'.repeat(16 * 1024)
    const cases: unknown[] = [
      '{"nft_metadata": [',
      '[]',
      {},
      { nft_metadata: null },
      { nft_metadata: {} },
      { nft_metadata: [] },
      { nft_metadata: Array.from({ length: 251 }, (_, i) => pushItem(String(i))) },
      { nft_metadata: [5] },
      { nft_metadata: [{ ...item, description: big }] },
      { nft_metadata: [{ ...item, token_id: undefined }] },
      ...badIds.map((id) => ({ nft_metadata: [{ ...item, token_id: id }] })),
      { nft_metadata: [item, item] },
      ...['name', 'description', 'image', 'external_url', 'animation_url', 'youtube_url', 'attributes'].map((f) => ({ nft_metadata: [{ ...item, [f]: undefined }] })),
      { nft_metadata: [{ ...item, name: 5 }] },
      { nft_metadata: [{ ...item, image: ['x'] }] },
      { nft_metadata: [{ ...item, attributes: {} }] },
      { nft_metadata: [{ ...item, attributes: [{ value: 1 }] }] },
      { nft_metadata: [{ ...item, attributes: [{ trait_type: 'a' }] }] },
      { nft_metadata: [{ ...item, attributes: [{ trait_type: 'a', value: null }] }] },
      { nft_metadata: [{ ...item, attributes: [{ trait_type: 'a', value: { x: 1 } }] }] },
      { nft_metadata: [{ ...item, attributes: [{ trait_type: 'a', value: 1, display_type: 'percent' }] }] },
    ]
    for (const body of cases) {
      const r = await push(body)
      expect(await expectClientError('zkevm', r), JSON.stringify(body).slice(0, 120)).toBe('VALIDATION_ERROR')
    }
    // 228 KiB in all: 20 items of 12 KiB each are within the item limit, not within the body limit.
    const tooBig = await push({ nft_metadata: Array.from({ length: 20 }, (_, i) => ({ ...pushItem(String(i)), description: 'd'.repeat(12 * 1024) })) })
    expect(await expectClientError('zkevm', tooBig)).toBe('VALIDATION_ERROR')
    expect(tooBig.body.message).toContain('228 KiB')
    expect(await expectClientError('zkevm', await push({ nft_metadata: [item] }, 'dogecoin'), 404)).toBe('RESOURCE_NOT_FOUND')
    expect(await expectClientError('zkevm', await push({ nft_metadata: [item] }, '__proto__'), 404)).toBe('RESOURCE_NOT_FOUND')
    expect(await expectClientError('zkevm', await push({ nft_metadata: [item] }, 'polygon'), 404)).toBe('RESOURCE_NOT_FOUND')
    expect(await expectClientError('zkevm', await push({ nft_metadata: [item] }, 'ethereum', '0xnope'))).toBe('VALIDATION_ERROR')
    expect(await expectClientError('zkevm', await push({ nft_metadata: [item] }, 'ethereum', NOT_INDEXED), 404)).toBe('RESOURCE_NOT_FOUND')
    expect(await expectClientError('zkevm', await push('{}', 'ethereum', A, 'text/plain'))).toBe('VALIDATION_ERROR')
    const ok = await push({
      nft_metadata: [
        {
          ...item,
          attributes: [
            { trait_type: 'Level', value: 3, display_type: 'number' },
            { trait_type: 'Shiny', value: true, display_type: null },
          ],
        },
        pushItem('4000'),
      ],
    })
    expect(ok.status).toBe(202)
    expect(ok.body.unknown_token_ids).toEqual(['4000'])
  })

  it('Mavis', async () => {
    const h = { 'X-API-Key': admin }
    const post = (body: unknown, address = A, contentType?: string) =>
      call(api.url, 'POST', `/mavis-market-partner/collections/${address}/refresh_metadata`, { headers: h, body, contentType })
    const tooMany = await post({ token_ids: ids(101) })
    expect(await expectClientError('mavis', tooMany)).toBe('Too many token ids, max number of token ids allowed is 100')
    expect(await expectClientError('mavis', await post({ token_ids: ['1', '39', '40'] }))).toBe('Token not found')
    expect(await expectClientError('mavis', await post({ token_ids: ['1'] }, NOT_INDEXED))).toBe('Token not found')
    for (const body of ['{', [], {}, { token_ids: [] }, { token_ids: '1' }, ...badIds.map((id) => ({ token_ids: [id] }))]) {
      expect((await post(body)).status, JSON.stringify(body)).toBe(400)
    }
    expect((await post({ token_ids: ['1'] }, 'abc')).status).toBe(400)
    const ok = await post({ token_ids: ['1', '2'] })
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({ message: 'Metadata refresh initiated' })
    expect(ok.headers.get('x-refresh-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('Sequence RefreshTokenMetadata, GetTask, GetTaskStatus', async () => {
    const h = { 'X-Access-Key': admin }
    const rpc = (method: string, body: unknown, httpMethod = 'POST') =>
      call(api.url, httpMethod, `/rpc/Metadata/${method}`, { headers: h, body: httpMethod === 'POST' ? body : undefined })
    const cases: [unknown, string][] = [
      ['{', 'WebrpcBadRequest'],
      [[], 'WebrpcBadRequest'],
      [{ contractAddress: A }, 'RequiredArgument'],
      [{ chainID: '999', contractAddress: A }, 'ChainNotFound'],
      [{ chainID: 'abc', contractAddress: A }, 'ChainNotFound'],
      [{ chainID: '1' }, 'RequiredArgument'],
      [{ chainID: '1', contractAddress: '0x1' }, 'InvalidArgument'],
      [{ chainID: '1', contractAddress: A, tokenIDs: '1' }, 'InvalidArgument'],
      [{ chainID: '1', contractAddress: A, tokenIDs: ids(1001) }, 'InvalidArgument'],
      [{ chainID: '1', contractAddress: A, newMints: 'yes' }, 'InvalidArgument'],
      [{ chainID: '1', contractAddress: NOT_INDEXED }, 'NotFound'],
      ...badIds.map((id): [unknown, string] => [{ chainID: '1', contractAddress: A, tokenIDs: [id] }, 'InvalidArgument']),
    ]
    for (const [body, error] of cases) {
      const r = await rpc('RefreshTokenMetadata', body)
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBeGreaterThanOrEqual(400)
      expect(r.status).toBeLessThan(500)
      expect(errorOf('sequence', r), JSON.stringify(body).slice(0, 80)).toBe(error)
    }
    for (const body of [{}, { taskId: 'x' }, { taskId: -1 }, { taskId: 1.5 }, { taskId: 2 ** 60 }]) {
      expect((await rpc('GetTask', body)).status, JSON.stringify(body)).toBe(400)
    }
    expect(errorOf('sequence', await rpc('GetTaskStatus', { taskId: 12345 }))).toBe('NotFound')
    const wrongMethod = await rpc('RefreshTokenMetadata', undefined, 'GET')
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.body.error).toBe('WebrpcBadMethod')

    // Without tokenIDs: every indexed token of the contract; newMints: only those never fetched.
    const all = await rpc('RefreshTokenMetadata', { chainID: '1', contractAddress: B })
    expect(all.status).toBe(200)
    expect(Number.isSafeInteger(all.body.taskID)).toBe(true)
    const task = await rpc('GetTask', { taskId: all.body.taskID })
    expect(task.body.task).toMatchObject({
      id: all.body.taskID,
      queue: 'metadata-refresh',
      status: 'QUEUED',
      try: 0,
      payload: [JSON.stringify({ chainID: '1', contractAddress: B, tokenCount: 5 })],
      summary: { succeeded: 0, failed: 0, pending: 5 },
    })
    expect((await rpc('GetTaskStatus', { taskId: all.body.taskID })).body).toEqual({ status: 'QUEUED' })
    await db.ds.query(
      `INSERT INTO token_metadata (id, token_id, contract_id, status, updated_at) SELECT id, id, contract_id, 'AVAILABLE', now() FROM token WHERE contract_id = $1 AND token_id < 3`,
      [`${CHAIN}:${B}`],
    )
    const newMints = await rpc('RefreshTokenMetadata', { chainID: 'eip155:1', contractAddress: B, newMints: true })
    expect((await rpc('GetTask', { taskId: newMints.body.taskID })).body.task.summary).toEqual({ succeeded: 0, failed: 0, pending: 2 })
    // Through Sequence's published client: tokenIDs and newMints together = those ids plus the new mints.
    const client = new SequenceMetadata(api.url, admin)
    const both = await client.refreshTokenMetadata({ chainID: '1', contractAddress: B, tokenIDs: ['0'], newMints: true })
    expect((await rpc('GetTask', { taskId: both.taskID })).body.task.summary).toEqual({ succeeded: 0, failed: 0, pending: 3 })
    // refreshAll: every token (whatever tokenIDs says) and the contract-level metadata; taskId as Sequence's page spells it.
    const everything = await rpc('RefreshTokenMetadata', { chainID: '1', contractAddress: B, tokenIDs: ['1'], refreshAll: true })
    expect(everything.body.taskId).toBe(everything.body.taskID)
    expect((await rpc('GetTask', { taskId: everything.body.taskID })).body.task.summary).toEqual({ succeeded: 0, failed: 0, pending: 5 })
    const [contractJob] = await db.ds.query(`SELECT status, priority FROM metadata_job WHERE id = $1`, [`contract:${CHAIN}:${B}`])
    expect(contractJob).toEqual({ status: 'QUEUED', priority: 100 })
    expect(errorOf('sequence', await rpc('RefreshTokenMetadata', { chainID: '1', contractAddress: B, refreshAll: 'yes' }))).toBe('InvalidArgument')
    await db.ds.query(
      `INSERT INTO token_metadata (id, token_id, contract_id, status, updated_at) SELECT id, id, contract_id, 'AVAILABLE', now() FROM token WHERE contract_id = $1 AND token_id >= 3`,
      [`${CHAIN}:${B}`],
    )
    const nothing = await rpc('RefreshTokenMetadata', { chainID: '1', contractAddress: B, newMints: true })
    expect((await rpc('GetTaskStatus', { taskId: nothing.body.taskID })).body).toEqual({ status: 'COMPLETED' })
    // The contract has 40 tokens; with REFRESH_MAX_TOKENS_PER_REQUEST=30 a whole-contract refresh is refused.
    const capped = await startApiServer(db, { env: { REFRESH_MAX_TOKENS_PER_REQUEST: '30', MAVIS_CHAIN: CHAIN } })
    try {
      const r = await call(capped.url, 'POST', '/rpc/Metadata/RefreshTokenMetadata', { headers: h, body: { chainID: '1', contractAddress: A } })
      expect(r.body).toMatchObject({ error: 'InvalidArgument', status: 400 })
      expect(r.body.cause).toContain('more than 30')
    } finally {
      await capped.close()
    }
  })

  it('GraphQL refreshTokens and refresh(id)', async () => {
    const m = `mutation($chain: String!, $c: String!, $ids: [BigInt!]!) { refreshTokens(chain: $chain, contract: $c, tokenIds: $ids) { id } }`
    const cases: [Record<string, unknown>, string][] = [
      [{ chain: 'eip155:999', c: A, ids: ['1'] }, 'BAD_USER_INPUT'],
      [{ chain: 'eip155:1', c: '0x1', ids: ['1'] }, 'BAD_USER_INPUT'],
      [{ chain: 'eip155:1', c: A, ids: [] }, 'BAD_USER_INPUT'],
      [{ chain: 'eip155:1', c: A, ids: ids(1001) }, 'BAD_USER_INPUT'],
      [{ chain: 'eip155:1', c: A, ids: ['-1'] }, 'BAD_USER_INPUT'],
      [{ chain: 'eip155:1', c: A, ids: [UINT256_OVER] }, 'BAD_USER_INPUT'],
    ]
    for (const [vars, code] of cases) {
      const r = await gql(api.url, m, vars, bearer(admin))
      expect(r.status, JSON.stringify(vars).slice(0, 80)).toBe(400)
      expect(r.body.errors?.[0].extensions?.code).toBe(code)
    }
    const bad = await gql(api.url, `query { refresh(id: "nope") { id errors(first: 0) { remaining } } }`, {}, bearer(admin))
    expect(bad.body).toEqual({ data: { refresh: null } })
    const created = await gql(api.url, m, { chain: 'eip155:1', c: A, ids: ['7', '7', '8'] }, bearer(admin))
    const id = created.body.data!.refreshTokens.id
    const read = await gql(
      api.url,
      `query($id: ID!) { refresh(id: $id) { id surface chain contractAddress status tokenCount succeeded failed pending startedAt completedAt errors { nodes { tokenId } pageInfo { hasNextPage endCursor } remaining } } }`,
      { id },
      bearer(admin),
    )
    expect(read.body.data.refresh).toEqual({
      id,
      surface: 'graphql',
      chain: 'eip155:1',
      contractAddress: A,
      status: 'QUEUED',
      tokenCount: 2,
      succeeded: 0,
      failed: 0,
      pending: 2,
      startedAt: null,
      completedAt: null,
      errors: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, remaining: 0 },
    })
    for (const q of [`errors(first: 0) { remaining }`, `errors(after: "zzz") { remaining }`]) {
      const r = await gql(api.url, `query($id: ID!) { refresh(id: $id) { ${q} } }`, { id }, bearer(admin))
      expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT')
    }
  })
})

describe('lists', () => {
  it('GET /v1/metadata-refreshes: newest first, every refresh exactly once across pages, filtered by collection', async () => {
    const key = await newKey(db.ds, 'lister', [`${CHAIN}:${B}`])
    const made: string[] = []
    for (let i = 0; i < 7; i++) {
      const r = await call(api.url, 'POST', '/v1/metadata-refreshes', { headers: bearer(key), body: { collection_address: B, token_ids: [String(i % 5)] } })
      made.push(r.body.refresh_id)
    }
    const seen: string[] = []
    let cursor = ''
    let remaining = Infinity
    for (let page = 0; page < 20 && remaining > 0; page++) {
      const r = await call(api.url, 'GET', `/v1/metadata-refreshes?collection_address=${B}&page_size=3${cursor ? `&cursor=${cursor}` : ''}`, { headers: bearer(key) })
      expect(r.status).toBe(200)
      for (const item of r.body.result) {
        expect(Object.keys(item).sort()).toEqual(['collection_address', 'completed_at', 'refresh_id', 'started_at', 'status'])
        seen.push(item.refresh_id)
      }
      expect(r.body.remaining).toBeLessThan(remaining)
      remaining = r.body.remaining
      cursor = r.body.cursor
    }
    expect(new Set(seen).size).toBe(seen.length)
    // newest first: ours were made last, in order
    const ours = seen.filter((id) => made.includes(id))
    expect(ours).toEqual([...made].reverse())
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM refresh WHERE contract_id = $1 AND chain = $2`, [`${CHAIN}:${B}`, CHAIN])
    expect(seen.length).toBe(n)

    const status = await call(api.url, 'GET', `/v1/metadata-refreshes/${made[0]}`, { headers: bearer(key) })
    expect(status.body).toEqual({
      refresh_id: made[0],
      status: 'queued',
      collection_address: B,
      started_at: null,
      completed_at: null,
      summary: { succeeded: 0, failed: 0, pending: 1 },
    })
    const errors = await call(api.url, 'GET', `/v1/metadata-refreshes/${made[0]}/errors`, { headers: bearer(key) })
    expect(errors.body).toEqual({ result: [], cursor: '', remaining: 0 })
  })

  it('the OpenAPI document describes the refresh routes', async () => {
    const r = await call(api.url, 'GET', '/openapi.json')
    expect(r.status).toBe(200)
    for (const path of [
      '/v1/metadata-refreshes',
      '/v1/metadata-refreshes/{refresh_id}',
      '/v1/metadata-refreshes/{refresh_id}/errors',
      '/v1/chains/{chain_name}/collections/{contract_address}/nfts/refresh-metadata',
      '/mavis-market-partner/collections/{token_address}/refresh_metadata',
      '/rpc/Metadata/RefreshTokenMetadata',
      '/rpc/Metadata/GetTask',
    ]) {
      expect(Object.keys(r.body.paths)).toContain(path)
    }
  })
})

describe('fuzz', () => {
  it('answers 600 malformed refresh requests on every surface without a 5xx or a stack trace', async () => {
    // The harness's generator (shared with the API fuzz test and the fuzz drill), on the refresh
    // surfaces: Immutable X, zkEVM, Mavis, Sequence's refresh methods and GraphQL's mutation.
    const next = fuzzGenerator(
      rng(20261121),
      {
        evmChain: CHAIN,
        stacksChain: 'stacks:1',
        chainNames: ['ethereum'],
        evmContract: A,
        evmTokens: ['0', '1', '39', '40'],
        stxNft: 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173.boombox',
        stxFt: 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173.coin',
        stxSft: 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173.keys',
        stxTokens: ['1'],
        key: admin,
      },
      ['refresh', 'sequence', 'graphql'],
    )
    const failures: string[] = []
    for (let i = 0; i < 600; i += 30) {
      const batch = Array.from({ length: 30 }, next)
      const outcomes = await Promise.all(batch.map((q) => sendFuzzRequest(api.url, q, 50_000)))
      batch.forEach((q, n) => {
        const failure = fuzzFailure(q, outcomes[n])
        if (failure) failures.push(failure)
      })
    }
    expect(failures).toEqual([])
  }, 120_000)
})
