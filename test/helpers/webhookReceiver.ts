/**
 * A local webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request
 * (headers, body, the status it answered) and answers as `respond` says: a status with headers,
 * or `hang` (never answers; `close()` destroys the socket).
 *
 *   const r = await startWebhookReceiver(() => ({ status: 200 }))
 *   await waitFor('3 events', async () => r.accepted().length >= 3)
 */
import { once } from 'node:events'
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface ReceivedRequest {
  method: string
  headers: IncomingHttpHeaders
  body: string
  /** The status it was answered with; null when it was left hanging. */
  answered: number | null
}

/** 'hang': never answered; 'hold': answered by the next `release()`. */
export type Answer = { status: number; headers?: OutgoingHttpHeaders; delayMs?: number } | 'hang' | 'hold'

export interface WebhookReceiver {
  url: string
  port: number
  readonly requests: readonly ReceivedRequest[]
  /** Requests answered 2xx, in arrival order. */
  accepted(): ReceivedRequest[]
  /** Parsed bodies of the accepted requests. */
  events(): { id: string; type: string; data: Record<string, unknown> }[]
  readonly connections: number
  /** Changes how the next requests are answered. */
  respond(answer: (req: ReceivedRequest, index: number) => Answer): void
  /** Requests held ('hold') and not yet released. */
  readonly held: number
  /** Answers every held request with `status`. */
  release(status: number): void
  close(): Promise<void>
}

export async function startWebhookReceiver(answer: (req: ReceivedRequest, index: number) => Answer): Promise<WebhookReceiver> {
  let respond = answer
  const requests: ReceivedRequest[] = []
  const sockets = new Set<Socket>()
  let connections = 0
  const holding: ((status: number) => void)[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const rec: ReceivedRequest = { method: req.method ?? 'GET', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: null }
      const a = respond(rec, requests.length)
      requests.push(rec)
      if (a === 'hang') return
      const send = (status: number, headers?: OutgoingHttpHeaders) => {
        rec.answered = status
        res.writeHead(status, { 'content-type': 'text/plain', ...headers })
        res.end(status < 300 ? 'ok' : 'no')
      }
      if (a === 'hold') holding.push((status) => send(status))
      else if (a.delayMs) setTimeout(() => send(a.status, a.headers), a.delayMs)
      else send(a.status, a.headers)
    })
    res.on('error', () => undefined)
  })
  server.on('connection', (s: Socket) => {
    connections++
    sockets.add(s)
    s.on('error', () => undefined)
    s.on('close', () => sockets.delete(s))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const accepted = () => requests.filter((r) => r.answered !== null && r.answered >= 200 && r.answered < 300)
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    accepted,
    events: () => accepted().map((r) => JSON.parse(r.body) as { id: string; type: string; data: Record<string, unknown> }),
    get connections() {
      return connections
    },
    respond(a) {
      respond = a
    },
    get held() {
      return holding.length
    },
    release(status) {
      for (const answer of holding.splice(0)) answer(status)
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
