import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import { LocalMediaStorage } from '../../media/localStorage'
import { IMMUTABLE_CACHE_CONTROL, MEDIA_KEY } from '../../media/storage'
import { ifNoneMatchMatches } from '../http/etag'

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  avif: 'image/avif',
  heic: 'image/heic',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
}

/**
 * `GET /media/<key>`: locally stored media (MEDIA_STORAGE=local). Keys are content-addressed, so
 * answers are immutable (cached for a year) with the content hash as ETag. Stored SVG originals
 * may carry script: every answer is sandboxed (CSP) and never sniffed, so opening one runs nothing
 * on this origin.
 */
export function mediaRoutes(dir: string) {
  const storage = new LocalMediaStorage(dir)
  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Params: { '*': string } }>('/media/*', { schema: { hide: true } }, async (request, reply) => {
      const key = request.params['*']
      const notFound = () => reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no media file ${key}` })
      if (!MEDIA_KEY.test(key)) return notFound()
      const file = storage.pathOf(key)
      const size = await stat(file).then(
        (s) => s.size,
        () => null,
      )
      if (size === null) return notFound()
      const etag = `"${key.slice(3).replace(/\.[a-z0-9]+$/, '')}"`
      reply
        .header('cache-control', IMMUTABLE_CACHE_CONTROL)
        .header('etag', etag)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      if (ifNoneMatchMatches(request.headers['if-none-match'], etag)) return reply.code(304).send()
      const ext = key.slice(key.lastIndexOf('.') + 1)
      return reply
        .type(TYPES[ext] ?? 'application/octet-stream')
        .header('content-length', size)
        .send(createReadStream(file))
    })
  }
}
