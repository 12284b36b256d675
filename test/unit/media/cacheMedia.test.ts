// The media cache's own steps on real bytes (sharp decodes them; files land in a real directory):
// type sniffed from the bytes, video and audio recorded by type without renditions, a stored
// content hash reused without decoding.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cacheMedia, type CacheMediaDeps, type MediaFile } from '../../../src/media/cacheMedia'
import { LocalMediaStorage } from '../../../src/media/localStorage'
import { sniffMediaType } from '../../../src/media/sniff'
import { SafeAgent } from '../../../src/metadata/fetcher/safeFetch'
import { png } from '../../helpers/mediaFixtures'

const dir = mkdtempSync(path.join(tmpdir(), 'tms-media-unit-'))
const agent = new SafeAgent({})
afterAll(async () => {
  await agent.close()
  rmSync(dir, { recursive: true, force: true })
})

function deps(stored: MediaFile | null = null): CacheMediaDeps {
  return {
    fetch: { agent, timeoutMs: 5000, maxBytes: 1 << 20, maxRedirects: 0, withHost: (_h, f) => f() },
    renditions: { maxPixels: 1_000_000, thumbnailWidths: [64, 300] },
    storage: new LocalMediaStorage(dir),
    storedFile: async () => stored,
  }
}

const dataUri = (mime: string, bytes: Buffer) => `data:${mime};base64,${bytes.toString('base64')}`
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(64)])
const MP3 = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(64)])

describe('media type sniffing', () => {
  it('reads the type from the bytes: images, video, audio, SVG behind an XML declaration, and nothing for HTML', async () => {
    expect(sniffMediaType(await png(2, 2))?.mimeType).toBe('image/png')
    expect(sniffMediaType(MP4)).toEqual({ kind: 'video', mimeType: 'video/mp4', ext: 'mp4' })
    expect(sniffMediaType(MP3)).toEqual({ kind: 'audio', mimeType: 'audio/mpeg', ext: 'mp3' })
    expect(sniffMediaType(Buffer.from('<?xml version="1.0"?>\n<!-- art -->\n<svg xmlns="http://www.w3.org/2000/svg"/>'))?.mimeType).toBe('image/svg+xml')
    expect(sniffMediaType(Buffer.from('<!doctype html><html><svg></svg></html>'))).toBeUndefined()
  })
})

describe('cacheMedia', () => {
  it('records a video by its sniffed type and size, stored as it came, with no thumbnail nor placeholder', async () => {
    const { file } = await cacheMedia(dataUri('image/png', MP4), deps())
    expect(file).toMatchObject({ kind: 'video', mimeType: 'video/mp4', size: MP4.length, width: null, height: null, thumbnails: [], placeholder: null })
    expect(readdirSync(path.join(dir, file.contentHash.slice(0, 2)))).toEqual([`${file.contentHash}.mp4`])
  })

  it('records audio the same way', async () => {
    const { file } = await cacheMedia(dataUri('audio/mpeg', MP3), deps())
    expect(file).toMatchObject({ kind: 'audio', mimeType: 'audio/mpeg', thumbnails: [] })
  })

  it('bytes already stored under their content hash are neither decoded nor written again', async () => {
    const bytes = await png(10, 10)
    const first = await cacheMedia(dataUri('image/png', bytes), deps())
    expect(first.stored).toBe(true)
    const again = await cacheMedia(dataUri('image/png', bytes), deps(first.file))
    expect(again).toMatchObject({ stored: false, file: first.file })
  })

  it('inline media over the byte cap is response_too_large', async () => {
    await expect(cacheMedia(dataUri('image/png', Buffer.alloc(2 << 20)), deps())).rejects.toMatchObject({ code: 'response_too_large', retryable: false })
  })
})
