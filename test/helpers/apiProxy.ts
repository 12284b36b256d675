/**
 * A real HTTP proxy on 127.0.0.1 in front of an API (the Stacks simulator): it adds latency to
 * every request, can answer 429 the way a rate-limited public API does, and records what arrived
 * (path, status, the x-api-key header, when). Used by the poller tests and `npm run bench:stacks`.
 *
 * Refusals, each answered with `Retry-After` (and `RateLimit-*` headers):
 * - `refuseEvery: n`: every n-th request (deterministic, for tests);
 * - `perMinute` (+ `burst`): a server-side token bucket, like a real per-key limit;
 * - while a Retry-After it sent is running, every request is refused again (a strict server): a
 *   client that does not honour Retry-After earns `early` refusals.
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface ApiProxyOptions {
  /** the API proxied, e.g. the simulator's url */
  target: string
  /** added before each request is forwarded; default 0 */
  latencyMs?: number
  /** answer every n-th request with 429 */
  refuseEvery?: number
  /** a server-side limit in requests a minute (0/unset = none) */
  perMinute?: number
  /** tokens the server-side bucket holds; default perMinute / 60 */
  burst?: number
  /** the Retry-After sent with a 429, in seconds; default 1 */
  retryAfterSeconds?: number
}

export interface ProxiedRequest {
  method: string
  path: string
  status: number
  apiKey: string | undefined
  /** ms since the proxy started, at arrival */
  at: number
  /** refused because it came while a Retry-After the proxy sent was still running */
  early: boolean
}

export interface ApiProxy {
  readonly url: string
  /** Date.now() when the proxy started: `at` of a request counts from it */
  readonly startedAt: number
  readonly requests: readonly ProxiedRequest[]
  /** 429s answered */
  readonly refused: number
  /** requests that arrived while a Retry-After the proxy had sent was running */
  readonly early: number
  close(): Promise<void>
}

/**
 * Grace after a 429 during which an arriving request is not counted early: the client may have
 * granted it before it read the 429 (on a loaded machine its event loop can stall that long). A
 * client that ignores a 1 s Retry-After still retries inside the rest of it (backoff from 250 ms).
 */
const IN_FLIGHT_GRACE_MS = 300

export async function startApiProxy(opts: ApiProxyOptions): Promise<ApiProxy> {
  const target = new URL(opts.target)
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const t0 = Date.now()
  const clock = () => Date.now() - t0
  const requests: ProxiedRequest[] = []
  const sockets = new Set<Socket>()
  const retryAfterMs = (opts.retryAfterSeconds ?? 1) * 1000
  const bucket = opts.perMinute ? { tokens: opts.burst ?? Math.max(1, opts.perMinute / 60), at: clock() } : undefined
  const capacity = opts.burst ?? Math.max(1, (opts.perMinute ?? 0) / 60)
  let refused = 0
  let early = 0
  let count = 0
  /** a Retry-After the proxy sent runs from `since` to `until` */
  let pause = { since: -Infinity, until: -Infinity }

  const takeToken = (now: number): boolean => {
    if (!bucket || !opts.perMinute) return true
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * opts.perMinute) / 60_000)
    bucket.at = now
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  const refuse = (res: ServerResponse, record: ProxiedRequest, now: number) => {
    refused++
    record.status = 429
    if (now >= pause.until) pause = { since: now, until: now + retryAfterMs }
    const body = JSON.stringify({ error: 'Too Many Requests' })
    res.writeHead(429, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'retry-after': String(Math.ceil((pause.until - now) / 1000)),
      'ratelimit-limit': String(opts.perMinute ?? 0),
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(Math.ceil((pause.until - now) / 1000)),
    })
    res.end(body)
  }

  const server: Server = createServer((req, res) => {
    const now = clock()
    count++
    const record: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status: 0,
      apiKey: header(req, 'x-api-key'),
      at: now,
      early: false,
    }
    requests.push(record)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (now < pause.until) {
        if (now >= pause.since + IN_FLIGHT_GRACE_MS) {
          record.early = true
          early++
        }
        return refuse(res, record, now)
      }
      if ((opts.refuseEvery && count % opts.refuseEvery === 0) || !takeToken(now)) return refuse(res, record, now)
      setTimeout(() => forward(req, Buffer.concat(chunks), res, record), opts.latencyMs ?? 0)
    })
  })

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, record: ProxiedRequest) => {
    const headers = { ...req.headers, host: target.host }
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (up) => {
      record.status = up.statusCode ?? 502
      res.writeHead(record.status, up.headers)
      up.pipe(res)
    })
    upstream.on('error', (e) => {
      record.status = 502
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`proxy: ${e.message}`)
    })
    upstream.end(body)
  }

  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    startedAt: t0,
    requests,
    get refused() {
      return refused
    },
    get early() {
      return early
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
        agent.destroy()
      }),
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}
