// The Sequence Metadata surface (webrpc), driven by Sequence's own published client over real HTTP.
import { SequenceMetadata } from '@0xsequence/metadata'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHAIN, EVM, FETCHED, UINT256_MAX, seedApiFixtures, type ApiFixture } from '../../helpers/apiFixtures'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'

const db = useTestDatabase()
let api: RunningApi
let client: SequenceMetadata
let fixture: ApiFixture

beforeAll(async () => {
  fixture = await seedApiFixtures(db.ds)
  api = await startApiServer(db)
  client = new SequenceMetadata(api.url, 'AQAAAAAAAEGvyZiWA9FMslYeG_yayXaHnSI')
})
afterAll(async () => api?.close())

const axesRef = (id: string) => `${CHAIN.eth}:${EVM.axes}:${id}`

async function rpc(method: string, body: unknown, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${api.url}/rpc/Metadata/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  })
  return { status: r.status, body: (await r.json()) as Record<string, unknown> }
}

describe('Sequence: GetTokenMetadata', () => {
  it('returns TokenMetadata objects with Sequence statuses and timestamps', async () => {
    const ids = ['0', '20', '21', '23', '24', UINT256_MAX]
    const { tokenMetadata } = await client.getTokenMetadata({ chainID: '1', contractAddress: EVM.axes, tokenIDs: ids })
    expect(tokenMetadata.map((t) => [t.tokenId, t.status])).toEqual([
      ['0', 'AVAILABLE'],
      ['20', 'STALE'],
      ['21', 'NOT_AVAILABLE'],
      ['23', 'NOT_AVAILABLE'],
      ['24', 'NOT_AVAILABLE'],
      [UINT256_MAX, 'AVAILABLE'],
    ])
    expect(fixture.axesStatus.get('20')).toBe('STALE')
    expect(tokenMetadata[0]).toEqual({
      chainId: 1,
      contractAddress: EVM.axes,
      tokenId: '0',
      source: 'FETCHER',
      name: 'Axe #0',
      description: 'Axe number 0',
      image: 'ipfs://images/0.png',
      properties: { rarity: 'common' },
      attributes: [
        { trait_type: 'Color', value: 'Red' },
        { trait_type: 'Level', value: 0, display_type: 'number' },
      ],
      externalUrl: 'https://axes.example/0',
      external_url: 'https://axes.example/0',
      updatedAt: FETCHED.toISOString(),
      assets: [],
      status: 'AVAILABLE',
      lastFetched: FETCHED.toISOString(),
    })
    // A refresh in progress: previous metadata served, with the time it was queued.
    expect(tokenMetadata[1]).toMatchObject({ name: 'Axe #20', status: 'STALE', queuedAt: '2026-01-01T00:00:01.000Z' })
    // Nothing to serve: required fields present, nothing else invented.
    expect(tokenMetadata[4]).toEqual({
      chainId: 1,
      contractAddress: EVM.axes,
      tokenId: '24',
      source: 'FETCHER',
      name: '',
      properties: null,
      attributes: null,
      assets: [],
      status: 'NOT_AVAILABLE',
      updatedAt: FETCHED.toISOString(),
      lastFetched: FETCHED.toISOString(),
    })
  })

  it('carries video and audio from the document (its own fields, or an animation_url that is a video or audio file) and an empty assets list', async () => {
    const docs: [string, Record<string, unknown>][] = [
      ['1', { name: 'Clip', animation_url: 'ipfs://media/clip.MP4?x=1' }],
      ['2', { name: 'Song', animation_url: 'data:audio/mpeg;base64,AAAA' }],
      ['3', { name: 'Page', animation_url: 'https://game.example/viewer.html' }],
      ['4', { name: 'Both', video: 'https://media.example/trailer', audio: 'https://media.example/theme', animation_url: 'https://media.example/a.webm' }],
    ]
    // Other tests read these tokens as seeded: their rows are put back afterwards.
    const saved: { id: string; normalized: unknown; animation_url: string | null }[] = await db.ds.query(
      `SELECT id, normalized, animation_url FROM token_metadata WHERE id = ANY($1::text[])`,
      [docs.map(([id]) => axesRef(id))],
    )
    let tokenMetadata: Awaited<ReturnType<SequenceMetadata['getTokenMetadata']>>['tokenMetadata']
    try {
      for (const [id, doc] of docs) {
        await db.ds.query(`UPDATE token_metadata SET normalized = $2, animation_url = $3 WHERE id = $1`, [axesRef(id), doc, doc.animation_url])
      }
      tokenMetadata = (await client.getTokenMetadata({ chainID: '1', contractAddress: EVM.axes, tokenIDs: ['1', '2', '3', '4'] })).tokenMetadata
    } finally {
      for (const s of saved) await db.ds.query(`UPDATE token_metadata SET normalized = $2, animation_url = $3 WHERE id = $1`, [s.id, s.normalized, s.animation_url])
    }
    expect(tokenMetadata.map((t) => [t.tokenId, t.video ?? null, t.audio ?? null, t.assets])).toEqual([
      ['1', 'ipfs://media/clip.MP4?x=1', null, []],
      ['2', null, 'data:audio/mpeg;base64,AAAA', []],
      ['3', null, null, []],
      ['4', 'https://media.example/trailer', 'https://media.example/theme', []],
    ])
    expect(tokenMetadata[2]).toMatchObject({ animationUrl: 'https://game.example/viewer.html', animation_url: 'https://game.example/viewer.html' })
  })

  it('queues a fetch for tokens of known contracts never seen before, once, and answers NOT_AVAILABLE', async () => {
    const before = Date.now()
    const { tokenMetadata } = await client.getTokenMetadata({ chainID: '1', contractAddress: EVM.axes.toUpperCase().replace('0X', '0x'), tokenIDs: ['1000', '1001'] })
    expect(tokenMetadata.map((t) => t.status)).toEqual(['NOT_AVAILABLE', 'NOT_AVAILABLE'])
    expect(Date.parse(tokenMetadata[0].queuedAt!)).toBeGreaterThanOrEqual(before - 1000)
    const jobs = await db.ds.query(`SELECT id, status, priority, kind, chain, contract_id, request_version FROM metadata_job WHERE id = ANY($1) ORDER BY id`, [
      [`token:${axesRef('1000')}`, `token:${axesRef('1001')}`],
    ])
    expect(jobs).toEqual([
      { id: `token:${axesRef('1000')}`, status: 'QUEUED', priority: 20, kind: 'TOKEN', chain: CHAIN.eth, contract_id: `${CHAIN.eth}:${EVM.axes}`, request_version: 1 },
      { id: `token:${axesRef('1001')}`, status: 'QUEUED', priority: 20, kind: 'TOKEN', chain: CHAIN.eth, contract_id: `${CHAIN.eth}:${EVM.axes}`, request_version: 1 },
    ])
    // Asking again neither re-queues nor bumps the request: reads cannot restart fetches.
    await client.getTokenMetadata({ chainID: '1', contractAddress: EVM.axes, tokenIDs: ['1000', '24'] })
    const again = await db.ds.query(`SELECT id, request_version, status FROM metadata_job WHERE id = ANY($1) ORDER BY id`, [[`token:${axesRef('1000')}`, `token:${axesRef('24')}`]])
    expect(again.map((j: { request_version: number; status: string }) => [j.request_version, j.status])).toEqual([
      [1, 'QUEUED'],
      [1, 'INVALID'],
    ])
  })

  it('queues at most 50 never-seen tokens per request; the others are answered NOT_AVAILABLE without a job', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => String(50_000 + i))
    const { contractTokenMetadata } = await client.getTokenMetadataBatch({ chainID: '1', contractTokenMap: { [EVM.axes]: ids, [EVM.items]: ids } })
    const all = Object.values(contractTokenMetadata).flat()
    expect(all.filter((t) => t.status === 'NOT_AVAILABLE')).toHaveLength(100)
    expect(all.filter((t) => t.queuedAt)).toHaveLength(50)
    const refs = [...ids.map(axesRef), ...ids.map((id) => `${CHAIN.eth}:${EVM.items}:${id}`)]
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM metadata_job WHERE token_ref = ANY($1)`, [refs])
    expect(n).toBe(50)
  })

  it('answers unknown contracts and non-zero ids of fungible contracts without queueing', async () => {
    const unknown = await client.getTokenMetadata({ chainID: '1', contractAddress: EVM.unknown, tokenIDs: ['1'] })
    expect(unknown.tokenMetadata.map((t) => [t.tokenId, t.status, t.name])).toEqual([['1', 'NOT_AVAILABLE', '']])
    const ft = await client.getTokenMetadata({ chainID: '1', contractAddress: EVM.usdc, tokenIDs: ['0', '5'] })
    expect(ft.tokenMetadata.map((t) => [t.tokenId, t.status, t.name, t.decimals])).toEqual([
      ['0', 'AVAILABLE', 'USD Coin', 6],
      ['5', 'NOT_AVAILABLE', '', undefined],
    ])
    const jobs = await db.ds.query(`SELECT count(*)::int AS n FROM metadata_job WHERE contract_id IN ($1, $2) AND token_ref IN ($3, $4)`, [
      `${CHAIN.eth}:${EVM.unknown}`,
      `${CHAIN.eth}:${EVM.usdc}`,
      `${CHAIN.eth}:${EVM.unknown}:1`,
      `${CHAIN.eth}:${EVM.usdc}:5`,
    ])
    expect(jobs[0].n).toBe(0)
  })
})

describe('Sequence: GetTokenMetadataBatch', () => {
  it('maps each requested contract (key as sent) to its tokens, on the chain asked', async () => {
    const mixedCase = '0x2222222222222222222222222222222222222222'.replace('0x2', '0x2')
    const { contractTokenMetadata } = await client.getTokenMetadataBatch({
      chainID: '1',
      contractTokenMap: { [EVM.axes]: ['2', '3'], [mixedCase]: ['1', '2'] },
    })
    expect(Object.keys(contractTokenMetadata).sort()).toEqual([EVM.axes, mixedCase].sort())
    expect(contractTokenMetadata[EVM.axes].map((t) => t.name)).toEqual(['Axe #2', 'Axe #3'])
    expect(contractTokenMetadata[mixedCase].map((t) => [t.tokenId, t.name, t.attributes])).toEqual([
      ['1', 'Item 1', [{ trait_type: 'Kind', value: 'Sword' }]],
      ['2', 'Item 2', [{ trait_type: 'Kind', value: 'Sword' }]],
    ])
    const amoy = await client.getTokenMetadataBatch({ chainID: '80002', contractTokenMap: { [EVM.amoy]: ['0', '1'] } })
    expect(amoy.contractTokenMetadata[EVM.amoy].map((t) => [t.chainId, t.name, t.status])).toEqual([
      [80002, 'Amoy NFT 0', 'AVAILABLE'],
      [80002, '', 'NOT_AVAILABLE'],
    ])
  })

  it('serves 50 contracts x 50 tokens, and refuses more with InvalidArgument', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => String(i))
    const contracts = Array.from({ length: 50 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`)
    contracts[0] = EVM.axes
    const full = await client.getTokenMetadataBatch({ chainID: '1', contractTokenMap: Object.fromEntries(contracts.map((c) => [c, ids])) })
    expect(Object.keys(full.contractTokenMetadata)).toHaveLength(50)
    expect(full.contractTokenMetadata[EVM.axes]).toHaveLength(50)
    const tooMany = Object.fromEntries([...contracts, '0x00000000000000000000000000000000000000ff'].map((c) => [c, ['1']]))
    await expect(client.getTokenMetadataBatch({ chainID: '1', contractTokenMap: tooMany })).rejects.toMatchObject({
      name: 'InvalidArgument',
      code: 2001,
      status: 400,
      cause: 'contractTokenMap has 51 contracts; at most 50 are allowed per request',
    })
    await expect(client.getTokenMetadataBatch({ chainID: '1', contractTokenMap: { [EVM.axes]: [...ids, '50'] } })).rejects.toMatchObject({ code: 2001, status: 400 })
    await expect(client.getTokenMetadata({ chainID: '1', contractAddress: EVM.axes, tokenIDs: [...ids, '50'] })).rejects.toMatchObject({ code: 2001 })
  })
})

describe('Sequence: errors', () => {
  it('names the problem in webrpc error objects', async () => {
    const cases: [unknown, number, string, number][] = [
      [{ chainID: '999', contractAddress: EVM.axes, tokenIDs: ['1'] }, 400, 'ChainNotFound', 3003],
      [{ chainID: 'polygon-x', contractAddress: EVM.axes, tokenIDs: ['1'] }, 400, 'ChainNotFound', 3003],
      [{ contractAddress: EVM.axes, tokenIDs: ['1'] }, 400, 'RequiredArgument', 2002],
      [{ chainID: '1', tokenIDs: ['1'] }, 400, 'RequiredArgument', 2002],
      [{ chainID: '1', contractAddress: '0x123', tokenIDs: ['1'] }, 400, 'InvalidArgument', 2001],
      [{ chainID: '1', contractAddress: EVM.axes, tokenIDs: ['-1'] }, 400, 'InvalidArgument', 2001],
      [{ chainID: '1', contractAddress: EVM.axes, tokenIDs: ['0x10'] }, 400, 'InvalidArgument', 2001],
      [{ chainID: '1', contractAddress: EVM.axes, tokenIDs: [(1n << 256n).toString()] }, 400, 'InvalidArgument', 2001],
      [{ chainID: '1', contractAddress: EVM.axes, tokenIDs: [1] }, 400, 'WebrpcBadRequest', -4],
      [{ chainID: 1, contractAddress: EVM.axes, tokenIDs: ['1'] }, 400, 'WebrpcBadRequest', -4],
      [{ chainID: '1', contractAddress: EVM.axes, tokenIDs: '1' }, 400, 'WebrpcBadRequest', -4],
      [[1, 2], 400, 'WebrpcBadRequest', -4],
      ['{"chainID": "1",', 400, 'WebrpcBadRequest', -4],
    ]
    for (const [body, status, error, code] of cases) {
      const r = await rpc('GetTokenMetadata', body)
      expect(r.status, JSON.stringify(body)).toBe(status)
      expect(r.body, JSON.stringify(body)).toMatchObject({ error, code, status })
      expect(typeof r.body.msg).toBe('string')
      expect(typeof r.body.cause).toBe('string')
    }
    const badMap = await rpc('GetTokenMetadataBatch', { chainID: '1', contractTokenMap: [] })
    expect(badMap.body).toMatchObject({ error: 'WebrpcBadRequest', code: -4 })
  })

  it('answers bad methods, routes, content types and oversized bodies in webrpc form', async () => {
    const get = await fetch(`${api.url}/rpc/Metadata/GetTokenMetadata`)
    expect([get.status, await get.json()]).toEqual([405, { error: 'WebrpcBadMethod', code: -3, msg: 'bad method', cause: 'GetTokenMetadata accepts POST only', status: 405 }])
    const unknown = await rpc('DoesNotExist', {})
    expect(unknown).toMatchObject({ status: 404, body: { error: 'WebrpcBadRoute', code: -2 } })
    const outside = await fetch(`${api.url}/rpc/Other/Thing`, { method: 'POST' })
    expect(outside.status).toBe(404)
    expect(await outside.json()).toMatchObject({ error: 'WebrpcBadRoute' })
    const text = await rpc('GetTokenMetadata', 'chainID=1', { headers: { 'content-type': 'text/plain' } })
    expect(text.body).toMatchObject({ error: 'WebrpcBadRequest', code: -4, status: 400 })
    const huge = await rpc('GetTokenMetadataBatch', { chainID: '1', contractTokenMap: { [EVM.axes]: ['1'] }, pad: 'x'.repeat(1_200_000) })
    expect(huge).toMatchObject({ status: 400, body: { error: 'WebrpcBadRequest', cause: 'request body is too large' } })
  })
})
