/**
 * A local metadata host for tests: a real HTTP(S) server on 127.0.0.1 with an ephemeral port,
 * routes registered per path, and ready-made handlers for healthy and hostile behaviour.
 *
 *   const host = await startMetadataHost()
 *   host.route('/1.json', json({ name: 'One' }))
 *   host.route('/slow', slowDrip(1))
 *   await fetchSomething(host.urlFor('/1.json'))
 *   expect(host.hits('/1.json')).toBe(1)
 *   await host.close()
 *
 * Routes match the path without the query string; unknown paths answer 404 JSON. Routes can be
 * replaced at any time (`route` again). Every request is counted per path and recorded (method,
 * path with query, headers) in `requests`; accepted TCP connections are counted in
 * `connections`, which lets a test prove that a refused target was never even connected to.
 * `close()` destroys open sockets, so hanging or dripping handlers never keep a test alive.
 */
import { once } from 'node:events'
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import zlib from 'node:zlib'

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

export interface RecordedRequest {
  method: string
  /** Path including the query string. */
  url: string
  headers: IncomingHttpHeaders
}

export interface MetadataHost {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  readonly port: number
  /** `url` + path. */
  urlFor(path: string): string
  /** Registers (or replaces) the handler for a path; returns the host for chaining. */
  route(path: string, handler: RouteHandler): MetadataHost
  /** Requests received for a path so far (query string ignored). */
  hits(path: string): number
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[]
  /** TCP connections accepted so far. */
  readonly connections: number
  close(): Promise<void>
}

export interface MetadataHostOptions {
  /** Serve HTTPS with this key and certificate instead of plain HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer }
}

export async function startMetadataHost(options: MetadataHostOptions = {}): Promise<MetadataHost> {
  const routes = new Map<string, RouteHandler>()
  const counts = new Map<string, number>()
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  let connections = 0

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0]!
    counts.set(path, (counts.get(path) ?? 0) + 1)
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers })
    res.on('error', () => undefined) // clients hanging up mid-body is the point of many tests
    const handler = routes.get(path) ?? status(404, JSON.stringify({ error: 'not found' }), { 'content-type': 'application/json' })
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(`handler failed: ${String(e)}`)
      })
  }

  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener)
  const onSocket = (socket: Socket): void => {
    connections++
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  }
  server.on(options.tls ? 'secureConnection' : 'connection', onSocket)
  if (options.tls) server.on('connection', (socket: Socket) => socket.on('error', () => undefined))
  server.on('clientError', (_e, socket) => socket.destroy())

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`

  const host: MetadataHost = {
    url,
    port,
    urlFor: (path) => `${url}${path.startsWith('/') ? '' : '/'}${path}`,
    route(path, handler) {
      routes.set(path, handler)
      return host
    },
    hits: (path) => counts.get(path) ?? 0,
    requests,
    get connections() {
      return connections
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return host
}

// ---------------------------------------------------------------------------------------------
// Ready-made handlers

export interface ResponseOptions {
  status?: number
  /** Wait this long before answering. */
  delayMs?: number
  headers?: OutgoingHttpHeaders
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Resolves when the response can take more data, or when the client has gone away. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/** Writes chunks with backpressure until they run out or the client hangs up. */
async function writeChunks(res: ServerResponse, chunks: Iterable<Buffer>): Promise<void> {
  for (const chunk of chunks) {
    if (res.destroyed) return
    if (!res.write(chunk)) await drained(res)
  }
  if (!res.destroyed) res.end()
}

/** Any body, as given. */
export function body(content: string | Buffer, options: ResponseOptions & { contentType?: string } = {}): RouteHandler {
  return async (_req, res) => {
    if (options.delayMs) await delay(options.delayMs)
    const headers: OutgoingHttpHeaders = { ...(options.contentType ? { 'content-type': options.contentType } : {}), ...options.headers }
    res.writeHead(options.status ?? 200, headers)
    res.end(content)
  }
}

/** A JSON document (any JSON value). */
export function json(value: unknown, options: ResponseOptions = {}): RouteHandler {
  return body(JSON.stringify(value), { ...options, contentType: 'application/json; charset=utf-8' })
}

/** A real 1x1 transparent PNG. */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII=', 'base64')

/** An image: a 1x1 PNG unless told otherwise; `contentType: null` sends no Content-Type at all. */
export function image(options: ResponseOptions & { contentType?: string | null; content?: Buffer } = {}): RouteHandler {
  const contentType = options.contentType === undefined ? 'image/png' : (options.contentType ?? undefined)
  return body(options.content ?? PNG_1X1, { ...options, contentType })
}

/** A redirect to `to` (absolute or relative). */
export function redirect(to: string, statusCode = 302): RouteHandler {
  return (_req, res) => {
    res.writeHead(statusCode, { location: to, 'content-type': 'text/plain' })
    res.end(`redirecting to ${to}`)
  }
}

/** A status with an optional body and headers (404, 429 with Retry-After, 500, …). */
export function status(code: number, content?: string | Buffer, headers: OutgoingHttpHeaders = {}): RouteHandler {
  return (_req, res) => {
    res.writeHead(code, headers)
    res.end(content)
  }
}

/** Answers 200 at once, then sends the body a few bytes at a time, forever (until the client leaves). */
export function slowDrip(bytesPerSecond: number, options: { contentType?: string } = {}): RouteHandler {
  const tickMs = Math.max(10, 1000 / bytesPerSecond)
  const perTick = Math.max(1, Math.round((bytesPerSecond * tickMs) / 1000))
  return (_req, res) => {
    res.writeHead(200, { 'content-type': options.contentType ?? 'application/json' })
    res.write('{"name":"')
    const timer = setInterval(() => res.write('a'.repeat(perTick)), tickMs)
    res.on('close', () => clearInterval(timer))
  }
}

function* repeatChunk(total: number, chunk: Buffer): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += chunk.length) {
    yield total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent)
  }
}

/** `bytes` of JSON whitespace, with or without Content-Length (chunked), streamed with backpressure. */
export function huge(bytes: number, options: { withContentLength: boolean; contentType?: string }): RouteHandler {
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  return async (_req, res) => {
    res.writeHead(200, {
      'content-type': options.contentType ?? 'application/json',
      ...(options.withContentLength ? { 'content-length': String(bytes) } : {}),
    })
    await writeChunks(res, repeatChunk(bytes, chunk))
  }
}

const MIB = 1024 * 1024
let zeroMember: Buffer | undefined

/**
 * A gzip body that inflates to `size` bytes of zeros while only ~1/1000 of that goes over the
 * wire: concatenated gzip members of 1 MiB each (valid gzip; Node inflates all members).
 */
export function gzipBomb(size: number, options: { contentType?: string } = {}): RouteHandler {
  zeroMember ??= zlib.gzipSync(Buffer.alloc(MIB), { level: 9 })
  const member = zeroMember
  function* members(): Generator<Buffer> {
    for (let i = 0; i < Math.floor(size / MIB); i++) yield member
    if (size % MIB) yield zlib.gzipSync(Buffer.alloc(size % MIB))
  }
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': options.contentType ?? 'application/json', 'content-encoding': 'gzip' })
    await writeChunks(res, members())
  }
}

/** Kills the connection with a TCP reset before answering. */
export function reset(): RouteHandler {
  return (req) => {
    req.socket.resetAndDestroy()
  }
}

/** Never answers (the socket is closed by `close()` or by the client). */
export function hang(): RouteHandler {
  return () => undefined
}
