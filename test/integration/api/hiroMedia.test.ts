// Hiro's cached-image fields over real HTTP: a token's media recorded and cached by the production
// store and cache code (as a worker's settle does), then read through the API.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheMedia, type MediaFile } from '../../../src/media/cacheMedia'
import { LocalMediaStorage } from '../../../src/media/localStorage'
import { mediaSourceOf } from '../../../src/media/mediaSource'
import { SafeAgent } from '../../../src/metadata/fetcher/safeFetch'
import { DEFAULT_REWRITE_GATEWAYS } from '../../../src/metadata'
import { queueDocumentMedia } from '../../../src/store/jobs/mediaJobs'
import { writeMediaResults } from '../../../src/store/media'
import { CHAIN, STX, seedApiFixtures } from '../../helpers/apiFixtures'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'
import { png } from '../../helpers/mediaFixtures'

const db = useTestDatabase()
let api: RunningApi
let cdn: RunningApi
let dir: string
let file: MediaFile
const gateways = { ipfsGateway: 'https://ipfs.io', arweaveGateway: 'https://arweave.net', rewriteGateways: [...DEFAULT_REWRITE_GATEWAYS] }
const nftId = `${CHAIN.stacks}:${STX.nft}`
const ftId = `${CHAIN.stacks}:${STX.ft}`

beforeAll(async () => {
  await seedApiFixtures(db.ds)
  dir = mkdtempSync(path.join(tmpdir(), 'tms-hiro-media-'))
  const now = new Date()
  const docs = [
    { subjectId: `${nftId}:1`, contractId: nftId, tokenId: `${nftId}:1`, fields: { image: 'ipfs://ipfs/QmZ/1.png' } },
    { subjectId: `${nftId}:4`, contractId: nftId, tokenId: `${nftId}:4`, fields: { image: 'ipfs://ipfs/QmZ/4.png' } },
    { subjectId: `${ftId}:0`, contractId: ftId, tokenId: `${ftId}:0`, fields: { image: 'ipfs://ipfs/QmZMqhh/12199.png' } },
  ]
  await db.ds.transaction((m) => queueDocumentMedia(m, { gateways }, docs, now))
  const agent = new SafeAgent({})
  const bytes = await png(800, 800)
  const cached = await cacheMedia(`data:image/png;base64,${bytes.toString('base64')}`, {
    fetch: { agent, timeoutMs: 5000, maxBytes: 1 << 20, maxRedirects: 0, withHost: (_h, f) => f() },
    renditions: { maxPixels: 10_000_000, thumbnailWidths: [64, 300, 600] },
    storage: new LocalMediaStorage(dir),
    storedFile: async () => null,
  })
  await agent.close()
  file = cached.file
  // token 1 and the fungible token are cached; token 4's job is still queued
  const keys = ['ipfs://ipfs/QmZ/1.png', 'ipfs://ipfs/QmZMqhh/12199.png'].map((v) => mediaSourceOf('image', v, gateways).key)
  await writeMediaResults(
    db.ds.manager,
    keys.map((sourceKey) => ({ sourceKey, file })),
    now,
  )
  api = await startApiServer(db, { env: { MEDIA_DIR: dir } })
  cdn = await startApiServer(db, { env: { MEDIA_DIR: dir, MEDIA_PUBLIC_BASE_URL: 'https://cdn.example/media/' } })
})
afterAll(async () => {
  await api?.close()
  await cdn?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function get(base: RunningApi, route: string): Promise<any> {
  const res = await fetch(`${base.url}${route}`)
  expect(res.status).toBe(200)
  return res.json()
}

const thumb300 = () => file.thumbnails.find((t) => t.requestedWidth === 300)!.key

describe('Hiro cached images', () => {
  it('an NFT whose image is cached carries cached_image (the original) and cached_thumbnail_image (300 px)', async () => {
    const body = await get(api, `/metadata/v1/nft/${STX.nft}/1`)
    expect(body.metadata).toMatchObject({
      image: 'ipfs://ipfs/QmZ/1.png',
      cached_image: `${api.url}/media/${file.originalKey}`,
      cached_thumbnail_image: `${api.url}/media/${thumb300()}`,
    })
    const served = await fetch(body.metadata.cached_thumbnail_image)
    expect([served.status, served.headers.get('content-type')]).toEqual([200, 'image/webp'])
  })

  it('an NFT whose media job is still queued has neither field (as Hiro leaves them out)', async () => {
    const body = await get(api, `/metadata/v1/nft/${STX.nft}/4`)
    expect(body.metadata.image).toBe('ipfs://ipfs/QmZ/4.png')
    expect(Object.keys(body.metadata)).not.toContain('cached_image')
    expect(Object.keys(body.metadata)).not.toContain('cached_thumbnail_image')
  })

  it('a fungible token carries image_uri and image_thumbnail_uri beside image_canonical_uri', async () => {
    const body = await get(api, `/metadata/v1/ft/${STX.ft}`)
    expect(body).toMatchObject({
      image_uri: `${api.url}/media/${file.originalKey}`,
      image_thumbnail_uri: `${api.url}/media/${thumb300()}`,
      image_canonical_uri: 'ipfs://ipfs/QmZMqhh/12199.png',
    })
  })

  it('the bulk search answers the cached image as image_uri, with image_thumbnail_uri', async () => {
    const body = await get(api, `/metadata/v1/search?contract=${STX.nft}:1`)
    expect(body[0]).toMatchObject({
      image_uri: `${api.url}/media/${file.originalKey}`,
      image_thumbnail_uri: `${api.url}/media/${thumb300()}`,
      image_canonical_uri: 'ipfs://ipfs/QmZ/1.png',
    })
  })

  it('MEDIA_PUBLIC_BASE_URL puts a CDN in front of the cached files', async () => {
    const body = await get(cdn, `/metadata/v1/nft/${STX.nft}/1`)
    expect(body.metadata.cached_image).toBe(`https://cdn.example/media/${file.originalKey}`)
  })

  it('GraphQL shows the queued image as PENDING and the cached one with its thumbnails and placeholder', async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{ a: token(chain: "${CHAIN.stacks}", contract: "${STX.nft}", tokenId: "1") { image { cached width height mimeType placeholder thumbnails { width } status error { code } } }
        b: token(chain: "${CHAIN.stacks}", contract: "${STX.nft}", tokenId: "4") { image { original cached status } } }`,
      }),
    })
    const { data } = (await res.json()) as { data: any }
    expect(data.a.image).toEqual({
      cached: `${api.url}/media/${file.originalKey}`,
      width: 800,
      height: 800,
      mimeType: 'image/png',
      placeholder: file.placeholder,
      thumbnails: [{ width: 64 }, { width: 300 }, { width: 600 }],
      status: 'AVAILABLE',
      error: null,
    })
    expect(data.b.image).toEqual({ original: 'ipfs://ipfs/QmZ/4.png', cached: null, status: 'PENDING' })
  })
})
