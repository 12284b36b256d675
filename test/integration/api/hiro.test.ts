// The Hiro Token Metadata API surface, driven by Hiro's own published client over real HTTP.
import { createClient } from '@hirosystems/token-metadata-api-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHAIN, STX, seedApiFixtures } from '../../helpers/apiFixtures'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'

const db = useTestDatabase()
let api: RunningApi
let client: ReturnType<typeof createClient>

beforeAll(async () => {
  await seedApiFixtures(db.ds)
  api = await startApiServer(db)
  client = createClient({ baseUrl: api.url })
})
afterAll(async () => api?.close())

const boomboxMetadata = (id: string, name = `Boombox #${id}`) => ({
  sip: 16,
  name,
  description: 'Heavy hitters',
  image: `ipfs://ipfs/QmZ/${id}.png`,
  attributes: [{ trait_type: 'Background', display_type: 'string', value: 'value' }],
  properties: { collection: 'Foo Collection', total_supply: '10000' },
  localization: { uri: 'http://token.com/metadata?hl={locale}', default: 'en', locales: ['en', 'es'] },
})

function nft(principal: string, tokenId: number, locale?: string) {
  return client.GET('/metadata/v1/nft/{principal}/{token_id}', { params: { path: { principal, token_id: tokenId }, query: locale ? { locale } : {} } })
}

/** What the Hiro API says of the Wrapped USD fixture both in its own response and as a list entry. */
const WUSD_FIELDS = {
  name: 'Wrapped USD',
  symbol: 'xUSD',
  decimals: 8,
  total_supply: '9999980000000',
  token_uri: 'ipfs://ipfs/Qmf9/wusd.json',
  description: 'Heavy hitters, all-stars',
  image_canonical_uri: 'ipfs://ipfs/QmZMqhh/12199.png',
  tx_id: '0xdeploy-usd',
  sender_address: 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9',
}

describe('Hiro: tokens', () => {
  it('serves an NFT in the Hiro shape', async () => {
    const { data, response } = await nft(STX.nft, 1)
    expect(response.status).toBe(200)
    expect(data).toEqual({ token_uri: 'ipfs://meta/1.json', metadata: boomboxMetadata('1') })
  })

  it('serves a localized variant, the default locale as the base document, and 422 for a missing locale', async () => {
    expect((await nft(STX.nft, 1, 'es')).data?.metadata?.name).toBe('Caja #1')
    expect((await nft(STX.nft, 1, 'en')).data?.metadata).toEqual(boomboxMetadata('1'))
    const missing = await nft(STX.nft, 1, 'jp')
    expect(missing.response.status).toBe(422)
    expect(missing.error).toEqual({ error: 'Locale not found' })
  })

  it('maps every metadata status to Hiro status codes and error bodies', async () => {
    const inProgress = await nft(STX.nft, 2)
    expect([inProgress.response.status, inProgress.error]).toEqual([422, { error: 'Token metadata fetch in progress' }])
    const invalid = await nft(STX.nft, 3)
    expect([invalid.response.status, invalid.error]).toEqual([422, { error: 'Token error', message: 'Metadata could not be parsed or it does not conform to SIP-016' }])
    const stale = await nft(STX.nft, 4)
    expect([stale.response.status, stale.data?.metadata?.name]).toEqual([200, 'Boombox #4'])
    const failed = await nft(STX.nft, 5)
    expect([failed.response.status, failed.error]).toEqual([422, { error: 'Token error', message: 'Metadata could not be processed because it took too long to respond' }])
  })

  it('answers 404 for unknown tokens and contracts, and for a token of another standard', async () => {
    const token = await nft(STX.nft, 99)
    expect([token.response.status, token.error]).toEqual([404, { error: 'Token not found' }])
    const contract = await nft('SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173.nothing-here', 1)
    expect([contract.response.status, contract.error]).toEqual([404, { error: 'Contract not found' }])
    const wrongKind = await nft(STX.ft, 0)
    expect([wrongKind.response.status, wrongKind.error]).toEqual([404, { error: 'Token not found' }])
  })

  it('serves a SIP-010 token with contract reads and its metadata', async () => {
    const { data, response } = await client.GET('/metadata/v1/ft/{principal}', { params: { path: { principal: STX.ft } } })
    expect(response.status).toBe(200)
    expect(data).toEqual({
      ...WUSD_FIELDS,
      asset_identifier: `${STX.ft}::wusd`,
      metadata: { sip: 16, name: 'Wrapped USD', description: 'Heavy hitters, all-stars', image: 'ipfs://ipfs/QmZMqhh/12199.png' },
    })
    const pending = await client.GET('/metadata/v1/ft/{principal}', { params: { path: { principal: STX.ft2 } } })
    expect([pending.response.status, pending.error]).toEqual([422, { error: 'Token metadata fetch in progress' }])
  })

  it('serves a SIP-013 token with its decimals and supply', async () => {
    const { data } = await client.GET('/metadata/v1/sft/{principal}/{token_id}', { params: { path: { principal: STX.sft, token_id: 7 } } })
    expect(data).toEqual({ token_uri: 'ipfs://meta/7.json', decimals: 6, total_supply: '250', metadata: { sip: 16, name: 'Key 7' } })
  })

  it('answers the same under /metadata as under /metadata/v1', async () => {
    const a = await fetch(`${api.url}/metadata/v1/nft/${STX.nft}/1`)
    const b = await fetch(`${api.url}/metadata/nft/${STX.nft}/1`)
    expect(await b.json()).toEqual(await a.json())
    expect((await fetch(`${api.url}/metadata/`)).status).toBe(200)
  })
})

describe('Hiro: caching', () => {
  it('sends an ETag and answers 304 when it matches (strong, weak or listed)', async () => {
    const url = `${api.url}/metadata/v1/nft/${STX.nft}/1`
    const first = await fetch(url)
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
    expect(first.headers.get('cache-control')).toBe('public, no-cache, must-revalidate')
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await fetch(url, { headers: { 'if-none-match': header } })
      expect(again.status).toBe(304)
      expect(await again.text()).toBe('')
    }
    expect((await fetch(url, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200)
  })

  it('changes the ETag when the representation changes, and sends none with errors', async () => {
    const url = `${api.url}/metadata/v1/nft/${STX.nft}/1`
    const before = (await fetch(url)).headers.get('etag')
    const es = (await fetch(`${url}?locale=es`)).headers.get('etag')
    expect(es).not.toBe(before)
    await db.ds.query(`UPDATE token_metadata SET normalized = jsonb_set(normalized, '{name}', '"Renamed"') WHERE id = $1`, [`${CHAIN.stacks}:${STX.nft}:1`])
    const after = await fetch(url, { headers: { 'if-none-match': before! } })
    expect(after.status).toBe(200)
    expect(after.headers.get('etag')).not.toBe(before)
    await db.ds.query(`UPDATE token_metadata SET normalized = jsonb_set(normalized, '{name}', '"Boombox #1"') WHERE id = $1`, [`${CHAIN.stacks}:${STX.nft}:1`])
    const error = await fetch(`${api.url}/metadata/v1/nft/${STX.nft}/2`)
    expect(error.headers.get('etag')).toBeNull()
  })
})

describe('Hiro: fungible token directory', () => {
  it('lists with Hiro pagination, ordering and filters', async () => {
    const all = await client.GET('/metadata/v1/ft', {})
    expect(all.data).toMatchObject({ limit: 20, offset: 0, total: 2 })
    expect(all.data!.results.map((r) => r.name)).toEqual(['MiamiCoin', 'Wrapped USD'])
    expect(all.data!.results[1]).toEqual({
      ...WUSD_FIELDS,
      contract_principal: STX.ft,
    })
    const desc = await client.GET('/metadata/v1/ft', { params: { query: { order: 'desc' } } })
    expect(desc.data!.results.map((r) => r.name)).toEqual(['Wrapped USD', 'MiamiCoin'])
    const bySymbol = await client.GET('/metadata/v1/ft', { params: { query: { order_by: 'symbol' } } })
    expect(bySymbol.data!.results.map((r) => r.symbol)).toEqual(['MIA', 'xUSD'])
    const page2 = await client.GET('/metadata/v1/ft', { params: { query: { limit: 1, offset: 1 } } })
    expect([page2.data!.total, page2.data!.results.map((r) => r.symbol)]).toEqual([2, ['xUSD']])
    const past = await client.GET('/metadata/v1/ft', { params: { query: { offset: 10 } } })
    expect([past.data!.total, past.data!.results]).toEqual([2, []])
  })

  it('filters by name (substring), symbol (exact), address (prefix) and valid metadata', async () => {
    const q = async (query: Record<string, unknown>) =>
      (await fetch(`${api.url}/metadata/v1/ft?${new URLSearchParams(query as Record<string, string>)}`).then((r) => r.json())) as { total: number; results: { symbol: string }[] }
    expect((await q({ name: 'WRAPPED' })).results.map((r) => r.symbol)).toEqual(['xUSD'])
    expect((await q({ symbol: 'mia' })).results.map((r) => r.symbol)).toEqual(['MIA'])
    expect((await q({ name: '%' })).total).toBe(0)
    expect((await q({ address: 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9' })).total).toBe(2)
    expect((await q({ address: 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.mia' })).results.map((r) => r.symbol)).toEqual(['MIA'])
    expect((await q({ valid_metadata_only: 'true' })).results.map((r) => r.symbol)).toEqual(['xUSD'])
  })
})

describe('Hiro: bad input', () => {
  it('rejects malformed principals, token ids and paging with Fastify 400 bodies', async () => {
    for (const path of [
      `/metadata/v1/nft/not-a-principal/1`,
      `/metadata/v1/nft/${STX.nft}/-1`,
      `/metadata/v1/nft/${STX.nft}/abc`,
      `/metadata/v1/nft/${STX.nft}/1e3`,
      `/metadata/v1/nft/${STX.nft}/${(1n << 128n).toString()}`,
      `/metadata/v1/sft/${STX.sft}/007`,
      `/metadata/v1/ft/SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.1bad`,
      `/metadata/v1/ft?limit=61`,
      `/metadata/v1/ft?limit=0`,
      `/metadata/v1/ft?offset=-1`,
      `/metadata/v1/ft?order_by=supply`,
      `/metadata/v1/ft?name=a%00b`,
      `/metadata/v1/ft?symbol=%00`,
      `/metadata/v1/ft?address=SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.%00`,
      `/metadata/v1/ft?address=sp3k8`,
    ]) {
      const r = await fetch(api.url + path)
      const body = (await r.json()) as Record<string, unknown>
      expect(r.status, path).toBe(400)
      expect(body, path).toMatchObject({ statusCode: 400, error: 'Bad Request' })
      expect(typeof body.message, path).toBe('string')
    }
  })

  it('accepts the largest uint128 token id (and reports it missing)', async () => {
    const r = await fetch(`${api.url}/metadata/v1/nft/${STX.nft}/${((1n << 128n) - 1n).toString()}`)
    expect([r.status, await r.json()]).toEqual([404, { error: 'Token not found' }])
  })

  it('answers 422 Locale not found for a locale that cannot exist', async () => {
    const r = await fetch(`${api.url}/metadata/v1/nft/${STX.nft}/1?locale=${'x'.repeat(500)}%00`)
    expect([r.status, await r.json()]).toEqual([422, { error: 'Locale not found' }])
  })
})
