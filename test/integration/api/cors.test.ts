// CORS over real HTTP: explorers and wallets may call the read routes (GraphQL, Hiro REST,
// Sequence reads) from any origin without credentials; refresh and key-protected routes answer
// no cross-origin request or preflight.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../src/config'
import { useTestDatabase } from '../../helpers/database'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'

const db = useTestDatabase()
const SITE = 'https://explorer.example'

function preflight(api: RunningApi, path: string, method: string, headers = 'content-type', origin = SITE): Promise<Response> {
  return fetch(`${api.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } })
}

function post(api: RunningApi, path: string, body: unknown, origin = SITE): Promise<Response> {
  return fetch(`${api.url}${path}`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

const allowOrigin = (r: Response) => r.headers.get('access-control-allow-origin')

describe('CORS with the default CORS_ORIGINS (*)', () => {
  let api: RunningApi
  beforeAll(async () => {
    api = await startApiServer(db)
  })
  afterAll(async () => {
    await api?.close()
  })

  it('a preflight for POST /graphql with a JSON body is allowed from any origin, without credentials', async () => {
    const r = await preflight(api, '/graphql', 'POST')
    expect(r.status).toBe(204)
    expect(allowOrigin(r)).toBe('*')
    expect(r.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST')
    expect(r.headers.get('access-control-allow-headers')).toBe('content-type, accept, webrpc, x-access-key')
    expect(r.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('a GraphQL query from another origin is answered with Access-Control-Allow-Origin', async () => {
    const r = await post(api, '/graphql', { query: '{ __typename }' })
    expect(r.status).toBe(200)
    expect(allowOrigin(r)).toBe('*')
    expect(await r.json()).toEqual({ data: { __typename: 'Query' } })
  })

  it('a preflight for POST /graphql asking to send Authorization gets no permission for it (the refresh mutation needs a key)', async () => {
    const r = await preflight(api, '/graphql', 'POST', 'content-type, authorization')
    expect(r.headers.get('access-control-allow-headers')?.split(', ')).not.toContain('authorization')
  })

  it("a preflight for the Sequence reads, with the headers Sequence's client sends, is allowed", async () => {
    for (const path of ['/rpc/Metadata/GetTokenMetadata', '/rpc/Metadata/GetTokenMetadataBatch']) {
      const r = await preflight(api, path, 'POST', 'content-type, webrpc, x-access-key')
      expect({ path, status: r.status, origin: allowOrigin(r) }).toEqual({ path, status: 204, origin: '*' })
    }
  })

  it('a Sequence GetTokenMetadata call from another origin is answered with Access-Control-Allow-Origin', async () => {
    const r = await post(api, '/rpc/Metadata/GetTokenMetadata', { chainID: '1', contractAddress: '0x0000000000000000000000000000000000000001', tokenIDs: ['1'] })
    expect(r.status).toBe(200)
    expect(allowOrigin(r)).toBe('*')
  })

  it('Hiro REST reads and /status answer any origin and expose the ETag', async () => {
    for (const path of ['/metadata/v1/', '/metadata/v1/ft', '/status']) {
      const r = await fetch(`${api.url}${path}`, { headers: { origin: SITE } })
      expect({ path, status: r.status, origin: allowOrigin(r), expose: r.headers.get('access-control-expose-headers') }).toEqual({ path, status: 200, origin: '*', expose: 'etag' })
    }
  })

  it('refresh and key-protected routes refuse preflights: no Access-Control-Allow-Origin', async () => {
    const routes = [
      '/rpc/Metadata/RefreshTokenMetadata',
      '/rpc/Metadata/GetTaskStatus',
      '/v1/metadata-refreshes',
      '/v1/chains/imtbl-zkevm-testnet/collections/0x0000000000000000000000000000000000000001/nfts/refresh-metadata',
      '/mavis-market-partner/collections/0x0000000000000000000000000000000000000001/refresh_metadata',
    ]
    for (const path of routes) {
      const r = await preflight(api, path, 'POST', 'content-type, authorization')
      expect({ path, origin: allowOrigin(r), methods: r.headers.get('access-control-allow-methods') }).toEqual({ path, origin: null, methods: null })
    }
  })

  it('a refresh request sent cross-origin anyway carries no Access-Control-Allow-Origin, so the page cannot read the answer', async () => {
    const r = await post(api, '/v1/metadata-refreshes', { collection_address: '0x0000000000000000000000000000000000000001', token_ids: ['1'] })
    expect(r.status).toBe(401)
    expect(allowOrigin(r)).toBeNull()
  })

  it('/metrics answers no cross-origin request', async () => {
    const r = await fetch(`${api.url}/metrics`, { headers: { origin: SITE } })
    expect(r.status).toBe(200)
    expect(allowOrigin(r)).toBeNull()
  })
})

describe('CORS with a list of origins', () => {
  let api: RunningApi
  beforeAll(async () => {
    api = await startApiServer(db, { env: { CORS_ORIGINS: 'https://wallet.example, https://explorer.example' } })
  })
  afterAll(async () => {
    await api?.close()
  })

  it('a listed origin is echoed back, with Vary: Origin', async () => {
    const r = await preflight(api, '/graphql', 'POST')
    expect(allowOrigin(r)).toBe(SITE)
    expect(r.headers.get('vary')).toMatch(/origin/i)
  })

  it('an origin not on the list gets no Access-Control-Allow-Origin', async () => {
    const r = await post(api, '/graphql', { query: '{ __typename }' }, 'https://elsewhere.example')
    expect(r.status).toBe(200)
    expect(allowOrigin(r)).toBeNull()
  })
})

describe('CORS_ORIGINS', () => {
  it('none turns cross-origin access off on the read routes too', async () => {
    const api = await startApiServer(db, { env: { CORS_ORIGINS: 'none' } })
    try {
      const r = await post(api, '/graphql', { query: '{ __typename }' })
      expect(allowOrigin(r)).toBeNull()
    } finally {
      await api.close()
    }
  })

  it('an origin with a path is a configuration error naming the variable', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://explorer.example/app' })).toThrow(ConfigError)
    expect(() => loadConfig({ CORS_ORIGINS: 'https://explorer.example/app' })).toThrow(
      'CORS_ORIGINS ("https://explorer.example/app"): 0: expected *, none, or origins such as https://explorer.example (scheme://host[:port], no path)',
    )
  })
})
