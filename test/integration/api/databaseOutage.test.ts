// The API while its database is unreachable (a restart or failover): every surface answers 503
// in its own error shape with Retry-After (Sequence: 500, the status its error table gives
// WebrpcInternalError), and serves again by itself once the database is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../../helpers/processes'
import type { DataSource } from 'typeorm'
import { generateApiKey } from '../../../src/store/apiKeys'
import { openDataSource } from '../../../src/store/dataSource'
import { EVM, STX, seedApiFixtures } from '../../helpers/apiFixtures'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'
import { TcpProxy } from '../../helpers/tcpProxy'

const db = useTestDatabase()
let api: RunningApi
let proxy: TcpProxy
let ds: DataSource

beforeAll(async () => {
  await seedApiFixtures(db.ds)
  const target = new URL(db.url)
  proxy = new TcpProxy(target.hostname, Number(target.port))
  await proxy.start()
  const viaProxy = new URL(db.url)
  viaProxy.hostname = '127.0.0.1'
  viaProxy.port = String(proxy.port)
  ds = await openDataSource(viaProxy.toString(), 4, 2000)
  api = await startApiServer(db, { ds })
})
afterAll(async () => {
  await api?.close()
  await proxy?.cut()
  await ds?.destroy().catch(() => {})
})

const hiro = () => fetch(`${api.url}/metadata/v1/nft/${STX.nft}/1`)
const graphql = () =>
  fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ token(chain: "eip155:1", contract: "${EVM.axes}", tokenId: "1") { status metadata { name } } }` }),
  })
const sequence = () =>
  fetch(`${api.url}/rpc/Metadata/GetTokenMetadata`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chainID: '1', contractAddress: EVM.axes, tokenIDs: ['1'] }),
  })

describe('API during a database outage', () => {
  it('serves before, answers 503 with Retry-After on every surface during, and recovers by itself after', async () => {
    expect((await hiro()).status).toBe(200)

    await proxy.cut()
    const h = await hiro()
    expect(h.status).toBe(503)
    expect(h.headers.get('retry-after')).toBe('2')
    expect(await h.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'the database is unavailable; retry shortly' })

    const g = (await (await graphql()).json()) as { errors: { extensions: { code: string } }[] }
    expect(g.errors.map((e) => e.extensions.code)).toEqual(['SERVICE_UNAVAILABLE'])

    // Sequence: WebrpcInternalError with the seed's status for it (500), and Retry-After.
    const s = await sequence()
    expect([s.status, s.headers.get('retry-after')]).toEqual([500, '2'])
    expect(await s.json()).toMatchObject({ error: 'WebrpcInternalError', cause: 'the database is unavailable; retry shortly', status: 500 })

    // The refresh surfaces: checking the (well-formed) API key is the first thing that needs the database.
    const key = generateApiKey()
    const imx = await fetch(`${api.url}/v1/metadata-refreshes`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-immutable-api-key': key }, body: '{}' })
    expect([imx.status, imx.headers.get('retry-after'), await imx.json()]).toEqual([
      503,
      '2',
      { code: 'service_unavailable', message: 'the database is unavailable; retry shortly' },
    ])
    const refresh = await fetch(`${api.url}/rpc/Metadata/RefreshTokenMetadata`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-access-key': key },
      body: '{}',
    })
    expect([refresh.status, refresh.headers.get('retry-after')]).toEqual([500, '2'])

    await proxy.start()
    await waitFor('the Hiro route to serve again', async () => (await hiro()).status === 200, 10_000, 50)
    expect((await sequence()).status).toBe(200)
  })
})
