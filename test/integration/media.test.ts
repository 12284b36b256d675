// Media cache (issue 16) end to end: a real processor and worker process (its media lane), real
// local hosts (a hostile one and a well-behaved one), the API over the same database and media
// directory. Each bad input of the issue ends as a coded media error while the token's metadata
// stays AVAILABLE and the other host's media keeps flowing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer, type RunningApi } from '../helpers/apiServer'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { useHardhatChain } from '../helpers/evmChain'
import { waitForIndexed } from '../helpers/indexer'
import { animatedGif, hostileSvg, png, pngClaiming, truncatedJpeg } from '../helpers/mediaFixtures'
import { body, huge, image, json, redirect, slowDrip, startMetadataHost, type MetadataHost } from '../helpers/metadataHost'
import { evmPipelineEnv, stopPipeline } from '../helpers/pipeline'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'

const chain = useHardhatChain()
const CHAIN = 'eip155:31337'
const MIB = 1024 * 1024
let hostile: MetadataHost
let good: MetadataHost
let db: TestDatabase
let api: RunningApi
let alice: Address
let mediaDir: string
let contract: { address: string }
let contractId: string
const running: RunningProcess[] = []

beforeAll(async () => {
  hostile = await startMetadataHost()
  good = await startMetadataHost()
  db = await createTestDatabase()
  mediaDir = mkdtempSync(path.join(tmpdir(), 'tms-media-'))
  const media = { MEDIA_DIR: mediaDir }
  api = await startApiServer(db, { env: { EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl }]), ...media } })
  alice = chain.driver.accounts[1]
  const env = evmPipelineEnv(db, chain.rpcUrl, [CHAIN], undefined, {
    ...media,
    FETCH_ALLOW_HOSTS: `127.0.0.1:${hostile.port},127.0.0.1:${good.port}`,
    // one attempt: a timeout is final at once, so the slow host's job ends within its deadline
    JOB_MAX_ATTEMPTS: '1',
    // long enough that the other host's media is cached while the slow fetch still runs, even on a loaded machine
    MEDIA_FETCH_TIMEOUT_MS: '30000',
    MEDIA_MAX_BYTES: String(4 * MIB),
    MEDIA_CONCURRENCY: '4',
    MEDIA_CACHE: 'true',
  })
  running.push(startProcess('evm-processor', [CHAIN], env), startProcess('worker', [], env))
})
afterAll(async () => {
  await stopPipeline({ running, api, db, host: hostile })
  await good.close()
  rmSync(mediaDir, { recursive: true, force: true })
})

async function graphql<T = any>(query: string): Promise<T> {
  const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  const out = (await res.json()) as { data: T; errors?: unknown }
  expect(out.errors).toBeUndefined()
  return out.data
}

const IMAGE = `image { original cached width height mimeType placeholder thumbnails { width url } status error { code } }`

async function tokens(): Promise<Record<string, any>> {
  const data = await graphql<{ tokens: { nodes: any[] } }>(
    `{ tokens(chain: "${CHAIN}", contract: "${contract.address}", first: 50) { nodes { tokenId status metadata { name } ${IMAGE} } } }`,
  )
  return Object.fromEntries(data.tokens.nodes.map((n) => [n.tokenId, n]))
}

const final = (status: string | undefined) => status === 'AVAILABLE' || status === 'INVALID' || status === 'FAILED'

async function mediaSettled(ids: readonly string[]): Promise<Record<string, any>> {
  return waitFor(
    `media of tokens ${ids.join(', ')} to settle`,
    async () => {
      const byId = await tokens()
      return ids.every((id) => final(byId[id]?.image?.status)) ? byId : undefined
    },
    120_000,
    200,
    () => running[1]!.output(),
  )
}

async function mint(start: bigint, count: number, doc: (id: bigint) => unknown): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = start + BigInt(i)
    hostile.route(`/tokens/${id}.json`, json(doc(id)))
  }
  await chain.driver.mintErc721Batch(contract as never, alice, start, count, (id) => hostile.urlFor(`/tokens/${id}.json`))
  await waitForIndexed(db.ds, CHAIN, Number(await chain.driver.blockNumber()), running[0])
}

/** Peak resident memory of a process (Linux VmHWM), in bytes. */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'))!
  return Number(/(\d+)/.exec(line)![1]) * 1024
}

const BAD = {
  '1': { route: '/bomb.png', code: 'media_too_many_pixels', status: 'INVALID' },
  '2': { route: '/truncated.jpg', code: 'media_undecodable', status: 'INVALID' },
  '3': { route: '/html.png', code: 'unsupported_content_type', status: 'INVALID' },
  '5': { route: '/huge.png', code: 'response_too_large', status: 'INVALID' },
  '6': { route: '/drip.png', code: 'timeout', status: 'FAILED' },
  '7': { route: '/redirect.png', code: 'uri_disallowed', status: 'INVALID' },
} as const

describe('media cache', { timeout: 240_000 }, () => {
  it("each bad input ends as a coded media error with the token AVAILABLE, bounded worker memory, while another host's media is cached meanwhile", async () => {
    const redPng = path.join(mediaDir, 'red.png')
    writeFileSync(redPng, await png(50, 50, '#ff0000'))
    hostile
      .route('/bomb.png', image({ content: pngClaiming(50_000, 50_000) }))
      .route('/truncated.jpg', image({ content: await truncatedJpeg(), contentType: 'image/jpeg' }))
      .route('/html.png', body('<!doctype html><html><body>not an image</body></html>', { contentType: 'image/png' }))
      .route(
        '/hostile.svg',
        image({
          content: hostileSvg(hostile.urlFor('/script-ran'), [hostile.urlFor('/ssrf.png'), 'http://169.254.169.254/latest/meta-data/', `file://${redPng}`]),
          contentType: 'image/svg+xml',
        }),
      )
      .route('/huge.png', huge(1024 * MIB, { withContentLength: false, contentType: 'image/png' }))
      .route('/drip.png', slowDrip(1, { contentType: 'image/png' }))
      .route('/redirect.png', redirect('http://169.254.169.254/latest/meta-data/iam/security-credentials/'))
      .route('/ssrf.png', image({ content: await png(50, 50, '#ff0000') }))
      .route('/script-ran', image({ content: await png(50, 50, '#ff0000') }))
      .route('/contract.json', json({ name: 'Media', image: good.urlFor('/collection.png') }))
    good.route('/collection.png', image({ content: await png(400, 200) })).route('/anim.gif', image({ content: await animatedGif(40, 30, 3), contentType: 'image/gif' }))

    contract = await chain.driver.deploy('TestERC721', ['Media', 'MDA', hostile.urlFor('/contract.json')])
    contractId = `${CHAIN}:${contract.address.toLowerCase()}`
    await mint(1n, 8, (id) => ({
      name: `Media #${id}`,
      image: id === 4n ? hostile.urlFor('/hostile.svg') : id === 8n ? good.urlFor('/anim.gif') : hostile.urlFor(BAD[String(id) as keyof typeof BAD].route),
    }))

    // With the slow host's fetch in flight, tokens naming images on the other host are minted:
    // their media is cached before that fetch reaches its deadline.
    await waitFor(
      'the slow host to be fetched from',
      async () => hostile.hits('/drip.png') > 0,
      120_000,
      100,
      () => running[1]!.output(),
    )
    const shared = await png(640, 480, '#22aa66')
    good
      .route('/shared.png', image({ content: shared }))
      .route('/copy-a.png', image({ content: shared }))
      .route('/copy-b.png', image({ content: shared }))
    await mint(10n, 7, (id) => ({ name: `Media #${id}`, image: good.urlFor(id < 15n ? '/shared.png' : id === 15n ? '/copy-a.png' : '/copy-b.png') }))
    const flowing = await mediaSettled(['10', '11', '12', '13', '14', '15', '16'])
    for (const id of ['10', '15', '16']) expect(flowing[id].image.status).toBe('AVAILABLE')
    const [drip] = await db.ds.query(`SELECT j.status FROM metadata_job j JOIN media_source s ON j.id = 'media:' || s.id WHERE s.url = $1`, [hostile.urlFor('/drip.png')])
    expect(drip.status).toBe('RUNNING')

    const byId = await mediaSettled(['1', '2', '3', '4', '5', '6', '7', '8'])
    for (const [id, bad] of Object.entries(BAD)) {
      expect(byId[id], `token ${id} (${bad.route})`).toMatchObject({
        status: 'AVAILABLE',
        metadata: { name: `Media #${id}` },
        image: { original: hostile.urlFor(bad.route), cached: null, status: bad.status, error: { code: bad.code } },
      })
    }
    for (const id of Object.keys(byId)) expect(byId[id].status).toBe('AVAILABLE')
    // The 1 GiB body was never held: the worker's peak memory stayed far below it.
    expect(peakRss(running[1]!.child.pid!)).toBeLessThan(512 * MIB)
    // A redirect to a private address is refused before any connection to it; the SVG's script
    // never ran and its external references were never loaded.
    expect(hostile.hits('/ssrf.png')).toBe(0)
    expect(hostile.hits('/script-ran')).toBe(0)
  })

  it('an SVG is rasterised with no script run and no external reference (http:, file:) loaded', async () => {
    const svg = (await tokens())['4'].image
    expect(svg).toMatchObject({ status: 'AVAILABLE', mimeType: 'image/svg+xml', width: 100, height: 100, error: null })
    const thumb = svg.thumbnails.find((t: { width: number }) => t.width === 100)
    const rendered = await sharp(Buffer.from(await (await fetch(thumb.url)).arrayBuffer()))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
    // The references would paint red squares in three quadrants: every quadrant stays white.
    for (const [x, y] of [
      [25, 25],
      [75, 25],
      [25, 75],
      [75, 75],
    ]) {
      const at = (y! * rendered.info.width + x!) * 3
      expect([...rendered.data.subarray(at, at + 3)], `pixel ${x},${y}`).toEqual([255, 255, 255])
    }
    expect(hostile.hits('/ssrf.png')).toBe(0)
    expect(hostile.hits('/script-ran')).toBe(0)
  })

  it('an animated GIF keeps its animation in an animated WebP thumbnail', async () => {
    const anim = (await tokens())['8'].image
    expect(anim).toMatchObject({ status: 'AVAILABLE', mimeType: 'image/gif', width: 40, height: 30 })
    expect(anim.thumbnails.map((t: { width: number }) => t.width)).toEqual([40, 40, 40])
    const thumb = Buffer.from(await (await fetch(anim.thumbnails[0].url)).arrayBuffer())
    const meta = await sharp(thumb, { animated: true }).metadata()
    expect({ format: meta.format, pages: meta.pages }).toEqual({ format: 'webp', pages: 3 })
  })

  it('10,000 tokens sharing one image make one job: tokens naming one URL share one media job and one fetch', async () => {
    const byId = await tokens()
    const sources = await db.ds.query(`SELECT id FROM media_source WHERE url = $1`, [good.urlFor('/shared.png')])
    expect(sources).toHaveLength(1)
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM metadata_job WHERE id = $1`, [`media:${sources[0].id}`])
    expect(n).toBe(1)
    expect(good.hits('/shared.png')).toBe(1)
    const cached = new Set(['10', '11', '12', '13', '14'].map((id) => byId[id].image.cached))
    expect(cached.size).toBe(1)
  })

  it('stored files are deduplicated by content hash: two URLs serving the same bytes share one stored file', async () => {
    const byId = await tokens()
    expect(byId['15'].image.cached).toBe(byId['10'].image.cached)
    expect(byId['16'].image.cached).toBe(byId['10'].image.cached)
    const [{ n }] = await db.ds.query(`SELECT count(DISTINCT s.content_hash)::int AS n FROM media_source s WHERE s.url = ANY($1::text[])`, [
      ['/shared.png', '/copy-a.png', '/copy-b.png'].map((p) => good.urlFor(p)),
    ])
    expect(n).toBe(1)
    expect(byId['10'].image).toMatchObject({ width: 640, height: 480, mimeType: 'image/png', error: null })
    expect(byId['10'].image.thumbnails.map((t: { width: number }) => t.width)).toEqual([64, 300, 600])
    expect(byId['10'].image.placeholder).toMatch(/^[A-Za-z0-9+/]+=*$/)
  })

  it('cached files are served under /media with immutable cache headers and an ETag', async () => {
    const url = (await tokens())['10'].image.cached as string
    expect(url.startsWith(`${api.url}/media/`)).toBe(true)
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    const etag = res.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/)
    const again = await fetch(url, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect((await fetch(`${api.url}/media/../../etc/passwd`)).status).toBe(404)
  })

  it("the contract document's image is cached and shown on the contract", async () => {
    const data = await graphql<{ contract: any }>(`{ contract(chain: "${CHAIN}", address: "${contract.address}") { ${IMAGE} } }`)
    expect(data.contract.image).toMatchObject({ original: good.urlFor('/collection.png'), status: 'AVAILABLE', width: 400, height: 200, mimeType: 'image/png' })
  })

  it("Sequence keeps image as the document's and lists the cached file in assets, in the seed's Asset shape", async () => {
    const res = await fetch(`${api.url}/rpc/Metadata/GetTokenMetadata`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chainID: '31337', contractAddress: contract.address, tokenIDs: ['10'] }),
    })
    const out = (await res.json()) as { tokenMetadata: any[] }
    const t = out.tokenMetadata[0]
    expect(t.image).toBe(good.urlFor('/shared.png'))
    const cached = (await tokens())['10'].image.cached
    expect(t.assets).toEqual([
      {
        id: expect.any(Number),
        collectionId: expect.any(Number),
        tokenId: '10',
        url: cached,
        metadataField: 'image',
        filename: 'shared.png',
        filesize: (await png(640, 480, '#22aa66')).length,
        mimeType: 'image/png',
        width: 640,
        height: 480,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ])
  })

  it('/status counts media jobs by status, apart from the chains', async () => {
    const res = (await (await fetch(`${api.url}/status`)).json()) as { media: { jobs: Record<string, number> }; chains: { chain: string }[] }
    // sources: 7 hostile (bomb, truncated, html, svg, huge, drip, redirect) and 5 good (anim,
    // collection, shared, copy-a, copy-b); done: svg + the 5 good ones; drip timed out.
    expect(res.media.jobs).toEqual({ QUEUED: 0, RUNNING: 0, DONE: 6, FAILED: 1, INVALID: 5 })
    expect(res.chains.map((c) => c.chain)).not.toContain('media')
  })

  it("a media failure never changes a token's metadata status: every metadata job is DONE", async () => {
    const rows = await db.ds.query(`SELECT status, count(*)::int AS n FROM metadata_job WHERE contract_id = $1 GROUP BY status`, [contractId])
    expect(rows).toEqual([{ status: 'DONE', n: 16 }])
  })
})
