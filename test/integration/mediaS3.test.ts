// The S3 backend of the media cache against a real S3-compatible server started locally
// (s3rver): files written by the production storage and cache code, read back over HTTP from the
// public base URL the API would hand out.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, type Config } from '../../src/config'
import { cacheMedia } from '../../src/media/cacheMedia'
import { mediaPublicBase, mediaStorageFrom } from '../../src/media/mediaConfig'
import { SafeAgent } from '../../src/metadata/fetcher/safeFetch'
import { animatedGif } from '../helpers/mediaFixtures'

let server: S3rver
let dir: string
let endpoint: string
let config: Config
const agent = new SafeAgent({})

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tms-s3-'))
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'media', configs: [] }] })
  const { port } = (await server.run()) as { port: number }
  endpoint = `http://127.0.0.1:${port}`
  config = loadConfig({
    MEDIA_STORAGE: 's3',
    MEDIA_S3_BUCKET: 'media',
    MEDIA_S3_ENDPOINT: endpoint,
    MEDIA_S3_FORCE_PATH_STYLE: 'true',
    MEDIA_S3_ACCESS_KEY_ID: 'S3RVER',
    MEDIA_S3_SECRET_ACCESS_KEY: 'S3RVER',
  })
})
afterAll(async () => {
  await server.close()
  await agent.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('media storage on an S3-compatible bucket', () => {
  it('stores the original and its thumbnails with their types and immutable cache headers, readable at the public base URL', async () => {
    const gif = await animatedGif(80, 60, 3)
    const cached = await cacheMedia(`data:image/gif;base64,${gif.toString('base64')}`, {
      fetch: { agent, timeoutMs: 5000, maxBytes: 1024 * 1024, maxRedirects: 0, withHost: (_h, f) => f() },
      renditions: { maxPixels: 1_000_000, thumbnailWidths: [64, 300] },
      storage: mediaStorageFrom(config),
      storedFile: async () => null,
    })
    const base = mediaPublicBase(config, 'http://unused')
    expect(base).toBe(`${endpoint}/media`)
    const original = await fetch(`${base}/${cached.file.originalKey}`)
    expect(original.status).toBe(200)
    expect(original.headers.get('content-type')).toBe('image/gif')
    expect(original.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(Buffer.from(await original.arrayBuffer()).equals(gif)).toBe(true)
    expect(cached.file.thumbnails.map((t) => [t.requestedWidth, t.width])).toEqual([
      [64, 64],
      [300, 80],
    ])
    for (const t of cached.file.thumbnails) {
      const res = await fetch(`${base}/${t.key}`)
      expect(res.headers.get('content-type')).toBe('image/webp')
      const meta = await sharp(Buffer.from(await res.arrayBuffer()), { animated: true }).metadata()
      expect({ width: meta.width, pages: meta.pages }).toEqual({ width: t.width, pages: 3 })
    }
  })

  it('MEDIA_STORAGE=s3 without a bucket is refused, naming the variable', () => {
    expect(() => mediaStorageFrom(loadConfig({ MEDIA_STORAGE: 's3' }))).toThrow('MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET')
  })
})
