// The Immutable zkEVM push model, driven by Immutable's own generated client (MetadataApi of
// @imtbl/generated-clients with its base path pointed at this server): pushed documents are
// normalised and stored like fetched ones, settle the queue for those tokens (queued, failed and
// running jobs; pending refresh items), are served by the GraphQL and Sequence read surfaces, and
// unknown tokens are reported, not stored.
import { SequenceMetadata } from '@0xsequence/metadata'
import { mr } from '@imtbl/generated-clients'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { settleJobs } from '../../../src/queue/settle'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'
import { seedCollection } from '../../helpers/fixtures'
import { bearer, call, gql, newKey } from '../../helpers/refreshApi'

const db = useTestDatabase()
const CHAIN = 'eip155:1'
const NFT = '0x00000000000000000000000000000000000000d4'
const OTHER = '0x00000000000000000000000000000000000000e5'
const contractId = `${CHAIN}:${NFT}`

let api: RunningApi
let tight: RunningApi
let key: string

function client(basePath: string, apiKey?: string): mr.MetadataApi {
  return new mr.MetadataApi(new mr.Configuration({ basePath, apiKey }))
}

function item(tokenId: string, fields: Partial<mr.RefreshMetadataByTokenID> = {}): mr.RefreshMetadataByTokenID {
  return { token_id: tokenId, name: null, description: null, image: null, external_url: null, animation_url: null, youtube_url: null, attributes: null, ...fields }
}

/** The rejection of an axios call (the generated client throws on non-2xx). */
async function rejection(p: Promise<unknown>): Promise<{ status: number; data: any; headers: Record<string, string> }> {
  try {
    await p
  } catch (e) {
    const r = (e as { response?: { status: number; data: unknown; headers: Record<string, string> } }).response
    if (r) return r
    throw e
  }
  throw new Error('expected the request to fail')
}

beforeAll(async () => {
  await seedCollection(db.ds.manager, { chain: CHAIN, address: NFT, count: 10 })
  await seedCollection(db.ds.manager, { chain: CHAIN, address: OTHER, count: 2 })
  ;[api, tight] = await Promise.all([startApiServer(db), startApiServer(db, { env: { REFRESH_TOKENS_PER_HOUR: '5' } })])
  key = await newKey(db.ds, 'game studio', [contractId])
})
afterAll(async () => {
  await Promise.all([api?.close(), tight?.close()])
})

describe('Immutable zkEVM push through the generated client', () => {
  it('stores pushed metadata, settles the queue for those tokens, and reports unknown tokens', async () => {
    // Before: token 1 has a pending user refresh (QUEUED job), token 2 failed for good, token 3 is being fetched right now.
    const refresh = await call(api.url, 'POST', '/v1/metadata-refreshes', { headers: bearer(key), body: { collection_address: NFT, token_ids: ['1'] } })
    expect(refresh.status).toBe(202)
    await db.ds.query(`INSERT INTO token_metadata (id, token_id, contract_id, status, error_code, updated_at) VALUES ($1, $1, $2, 'FAILED', 'timeout', now())`, [
      `${contractId}:2`,
      contractId,
    ])
    await db.ds.query(
      `INSERT INTO metadata_job (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version, claimed_version, queued_at, locked_by, locked_until, created_at, updated_at, error_code)
       VALUES ('token:' || $1 || ':2', 'TOKEN', $2, $1, $1 || ':2', 'FAILED', 20, now(), 8, 1, 1, now(), NULL, NULL, now(), now(), 'timeout'),
              ('token:' || $1 || ':3', 'TOKEN', $2, $1, $1 || ':3', 'RUNNING', 20, now(), 1, 1, 1, now(), 'worker-x', now() + interval '1 minute', now(), now(), NULL)`,
      [contractId, CHAIN],
    )

    const res = await client(api.url, key).refreshNFTMetadataByTokenID({
      chainName: 'ethereum',
      contractAddress: NFT.toUpperCase().replace('0X', '0x'),
      refreshNFTMetadataByTokenIDRequest: {
        nft_metadata: [
          item('1', {
            name: '  Sword of Dawn  ',
            description: 'Forged at sunrise',
            image: 'https://img.example/1.png',
            external_url: 'https://game.example/1',
            attributes: [
              { trait_type: 'Level', value: 7, display_type: 'number' },
              { trait_type: 'Element', value: 'Fire' },
              { trait_type: 'Cursed', value: false },
            ],
          }),
          item('2', { name: 'Shield', youtube_url: 'https://youtu.be/x', animation_url: 'https://anim.example/2.mp4' }),
          item('3', { name: 'Bow' }),
          item('4'),
          item('999', { name: 'Not minted' }),
        ],
      },
    })
    expect(res.status).toBe(202)
    const reset = new Date((Math.floor(Date.now() / 3_600_000) + 1) * 3_600_000).toISOString()
    expect(res.data).toEqual({
      imx_refreshes_limit: '30000',
      imx_refresh_limit_reset: reset,
      imx_remaining_refreshes: String(30_000 - 1 - 5),
      retry_after: '0',
      unknown_token_ids: ['999'],
    })
    expect(res.headers['imx-refreshes-limit']).toBe('30000')
    expect(res.headers['imx-remaining-refreshes']).toBe(String(30_000 - 6))
    expect(res.headers['imx-refresh-limit-reset']).toBe(reset)
    expect(res.headers['retry-after']).toBe('0')

    const jobs = await db.ds.query(`SELECT token_ref, status, locked_by, error_code FROM metadata_job WHERE contract_id = $1 ORDER BY token_ref`, [contractId])
    expect(jobs).toEqual([1, 2, 3].map((i) => ({ token_ref: `${contractId}:${i}`, status: 'DONE', locked_by: null, error_code: null })))
    const rows = await db.ds.query(`SELECT id, status, name, resolved_url FROM token_metadata WHERE contract_id = $1 ORDER BY id`, [contractId])
    expect(rows).toEqual(
      [1, 2, 3, 4].map((i) => ({
        id: `${contractId}:${i}`,
        status: 'AVAILABLE',
        name: ({ 1: 'Sword of Dawn', 2: 'Shield', 3: 'Bow' } as Record<number, string | null>)[i] ?? null,
        resolved_url: 'push',
      })),
    )
    expect(await db.ds.query(`SELECT 1 FROM token WHERE id = $1`, [`${contractId}:999`])).toEqual([])
    // The user refresh waiting on token 1 is satisfied by the push.
    const status = await call(api.url, 'GET', `/v1/metadata-refreshes/${refresh.body.refresh_id}`, { headers: bearer(key) })
    expect(status.body).toMatchObject({ status: 'completed', summary: { succeeded: 1, failed: 0, pending: 0 } })

    // The worker that was fetching token 3 finishes with an older document: its result is dropped.
    const summary = await db.ds.transaction((em) =>
      settleJobs(
        em,
        { workerId: 'worker-x', leaseMs: 60_000, maxAttempts: 8, backoffBaseMs: 100, backoffMaxMs: 1000 },
        [
          {
            job: {
              id: `token:${contractId}:3`,
              kind: 'TOKEN',
              chain: CHAIN,
              contractId,
              tokenRef: `${contractId}:3`,
              priority: 20,
              attempts: 1,
              claimedVersion: 1,
              host: null,
              standard: 'ERC721',
              profile: null,
            },
            ok: true,
            kind: 'TOKEN',
            host: 'old.example',
            token: {
              uri: 'https://old.example/3',
              resolvedUrl: 'https://old.example/3',
              contentHash: 'x',
              metadata: { name: 'Old bow' },
              normalized: { name: 'Old bow' },
              raw: { name: 'Old bow' },
              attributes: [],
              locales: [],
              failedLocales: [],
              warnings: [],
            },
          },
        ],
        new Date(),
      ),
    )
    expect(summary.lost).toBe(1)
    expect((await db.ds.query(`SELECT name FROM token_metadata WHERE id = $1`, [`${contractId}:3`]))[0].name).toBe('Bow')
  })

  it('is served by the GraphQL and Sequence read surfaces as AVAILABLE, normalised like fetched metadata', async () => {
    const g = await gql(
      api.url,
      `{ token(chain: "eip155:1", contract: "${NFT}", tokenId: "1") { status metadata { name description image externalUrl attributes { traitType value displayType } } } }`,
    )
    expect(g.body.data.token).toEqual({
      status: 'AVAILABLE',
      metadata: {
        name: 'Sword of Dawn',
        description: 'Forged at sunrise',
        image: 'https://img.example/1.png',
        externalUrl: 'https://game.example/1',
        attributes: [
          { traitType: 'Level', value: 7, displayType: 'number' },
          { traitType: 'Element', value: 'Fire', displayType: null },
          { traitType: 'Cursed', value: false, displayType: null },
        ],
      },
    })
    const failedBefore = await gql(api.url, `{ token(chain: "eip155:1", contract: "${NFT}", tokenId: "2") { status error { code } metadata { name } } }`)
    expect(failedBefore.body.data.token).toEqual({ status: 'AVAILABLE', error: null, metadata: { name: 'Shield' } })

    const seq = new SequenceMetadata(api.url, 'AQAAAAAAAEGvyZiWA9FMslYeG_yayXaHnSI')
    const { tokenMetadata } = await seq.getTokenMetadata({ chainID: '1', contractAddress: NFT, tokenIDs: ['1', '2', '4'] })
    expect(tokenMetadata.map((t) => [t.tokenId, t.status, t.name])).toEqual([
      ['1', 'AVAILABLE', 'Sword of Dawn'],
      ['2', 'AVAILABLE', 'Shield'],
      ['4', 'AVAILABLE', ''],
    ])
    expect(tokenMetadata[0]).toMatchObject({
      image: 'https://img.example/1.png',
      attributes: [
        { trait_type: 'Level', value: 7, display_type: 'number' },
        { trait_type: 'Element', value: 'Fire' },
        { trait_type: 'Cursed', value: false },
      ],
    })
    expect(tokenMetadata[1]).toMatchObject({ animationUrl: 'https://anim.example/2.mp4' })
  })

  it("queues a pushed image for the media cache as a fetched one is: one media job, the token's image PENDING", async () => {
    const g = await gql(api.url, `{ token(chain: "eip155:1", contract: "${NFT}", tokenId: "1") { status image { original cached status } } }`)
    expect(g.body.data.token).toEqual({ status: 'AVAILABLE', image: { original: 'https://img.example/1.png', cached: null, status: 'PENDING' } })
    const jobs = await db.ds.query(`SELECT j.status FROM metadata_job j JOIN media_source s ON j.id = 'media:' || s.id WHERE s.url = $1`, ['https://img.example/1.png'])
    expect(jobs).toEqual([{ status: 'QUEUED' }])
  })

  it("answers 401, 403, 400, 404 and 429 in Immutable's error shape", async () => {
    const req = { chainName: 'ethereum', contractAddress: NFT, refreshNFTMetadataByTokenIDRequest: { nft_metadata: [item('5', { name: 'x' })] } }
    const noKey = await rejection(client(api.url).refreshNFTMetadataByTokenID(req))
    expect(noKey.status).toBe(401)
    expect(noKey.data).toMatchObject({ code: 'UNAUTHORISED_REQUEST', details: null, link: expect.any(String), trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) })
    const otherCollection = await rejection(client(api.url, key).refreshNFTMetadataByTokenID({ ...req, contractAddress: OTHER }))
    expect(otherCollection.status).toBe(403)
    expect(otherCollection.data.code).toBe('AUTHENTICATION_ERROR')
    const tooMany = await rejection(
      client(api.url, key).refreshNFTMetadataByTokenID({ ...req, refreshNFTMetadataByTokenIDRequest: { nft_metadata: Array.from({ length: 251 }, (_, i) => item(String(i))) } }),
    )
    expect(tooMany.status).toBe(400)
    expect(tooMany.data).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'nft_metadata' } })
    const unknownChain = await rejection(client(api.url, key).refreshNFTMetadataByTokenID({ ...req, chainName: 'imtbl-zkevm-devnet' }))
    expect(unknownChain.status).toBe(404)
    expect(unknownChain.data.code).toBe('RESOURCE_NOT_FOUND')

    const limited = await newKey(db.ds, 'small budget', [contractId])
    const first = await client(tight.url, limited).refreshNFTMetadataByTokenID({
      ...req,
      refreshNFTMetadataByTokenIDRequest: { nft_metadata: ['5', '6', '7'].map((id) => item(id)) },
    })
    expect(first.data.imx_remaining_refreshes).toBe('2')
    const refused = await rejection(
      client(tight.url, limited).refreshNFTMetadataByTokenID({ ...req, refreshNFTMetadataByTokenIDRequest: { nft_metadata: ['8', '9', '0'].map((id) => item(id)) } }),
    )
    expect(refused.status).toBe(429)
    expect(refused.data).toMatchObject({ code: 'TOO_MANY_REQUESTS_ERROR', details: { imx_refreshes_limit: '5', imx_remaining_refreshes: '2' } })
    expect(refused.headers['imx-refreshes-limit']).toBe('5')
    expect(refused.headers['imx-remaining-refreshes']).toBe('2')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    // Nothing of the refused push was stored.
    expect(await db.ds.query(`SELECT 1 FROM token_metadata WHERE id = $1`, [`${contractId}:8`])).toEqual([])
  })
})
