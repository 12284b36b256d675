// Mavis and Immutable X refreshes from one deployment: Mavis paths name no chain and go to
// MAVIS_CHAIN (Ronin mainnet by default), Immutable X paths to REFRESH_DEFAULT_CHAIN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'
import { seedCollection } from '../../helpers/fixtures'
import { call, newKey } from '../../helpers/refreshApi'

const db = useTestDatabase()
const ETH = 'eip155:1'
const RONIN = 'eip155:2020'
const SAME = '0x00000000000000000000000000000000000000d4'
let api: RunningApi

beforeAll(async () => {
  // One address deployed on both chains: which chain a request lands on is the surface's choice.
  await seedCollection(db.ds.manager, { chain: ETH, address: SAME, count: 3 })
  await seedCollection(db.ds.manager, { chain: RONIN, address: SAME, count: 3 })
  // MAVIS_CHAIN is left at its default.
  api = await startApiServer(db, {
    env: {
      EVM_CHAINS: JSON.stringify([
        { chain: ETH, rpcUrl: 'http://127.0.0.1:9' },
        { chain: RONIN, rpcUrl: 'http://127.0.0.1:9' },
      ]),
      REFRESH_DEFAULT_CHAIN: ETH,
    },
  })
})
afterAll(async () => api?.close())

async function chainOf(refreshId: string): Promise<string> {
  const [r] = await db.ds.query(`SELECT chain, contract_id FROM refresh WHERE id = $1`, [refreshId])
  expect(r.contract_id).toBe(`${r.chain}:${SAME}`)
  return r.chain
}

describe('MAVIS_CHAIN', () => {
  it('sends Mavis refreshes to Ronin mainnet by default and Immutable X refreshes to REFRESH_DEFAULT_CHAIN', async () => {
    expect(api.config.MAVIS_CHAIN).toBe(RONIN)
    const key = await newKey(db.ds, 'admin')
    const mavis = await call(api.url, 'POST', `/mavis-market-partner/collections/${SAME}/refresh_metadata`, { headers: { 'X-API-Key': key }, body: { token_ids: ['1', '2'] } })
    expect(mavis.status).toBe(200)
    expect(await chainOf(mavis.headers.get('x-refresh-id')!)).toBe(RONIN)
    const imx = await call(api.url, 'POST', '/v1/metadata-refreshes', { headers: { 'x-immutable-api-key': key }, body: { collection_address: SAME, token_ids: ['1'] } })
    expect(imx.status).toBe(202)
    expect(await chainOf(imx.body.refresh_id)).toBe(ETH)
  })

  it('refuses Mavis token ids that exist only on the Immutable X chain with Token not found', async () => {
    const key = await newKey(db.ds, 'admin 2')
    await seedCollection(db.ds.manager, { chain: ETH, address: '0x00000000000000000000000000000000000000e5', count: 1 })
    const r = await call(api.url, 'POST', '/mavis-market-partner/collections/0x00000000000000000000000000000000000000e5/refresh_metadata', {
      headers: { 'X-API-Key': key },
      body: { token_ids: ['0'] },
    })
    expect([r.status, r.body]).toEqual([400, { message: 'Token not found' }])
  })
})
