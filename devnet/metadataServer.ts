import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Handler = (req: IncomingMessage, res: ServerResponse, path: string) => void

/**
 * The metadata host of `npm run dev`: documents and images under paths the seeded token URIs
 * point at, including an emulated IPFS gateway (`/ipfs/<cid>/…`) and deliberately broken
 * answers. Documents can be replaced while it runs (that is how the live activity shows refreshes).
 */
export class DevMetadataServer {
  private readonly docs = new Map<string, Handler>()
  private readonly server = http.createServer((req, res) => this.handle(req, res))
  private readonly hanging = new Set<ServerResponse>()
  port = 0

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  json(path: string, doc: unknown): void {
    const body = JSON.stringify(doc)
    this.docs.set(path, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body))
  }

  svg(path: string, svg: string): void {
    this.docs.set(path, (_req, res) => res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(svg))
  }

  /** Any file (PNG, GIF, …) as given, with its type. */
  file(path: string, body: Buffer, contentType: string): void {
    this.docs.set(path, (_req, res) => res.writeHead(200, { 'content-type': contentType, 'content-length': body.length }).end(body))
  }

  status(path: string, code: number, body: string, contentType = 'text/plain'): void {
    this.docs.set(path, (_req, res) => res.writeHead(code, { 'content-type': contentType }).end(body))
  }

  /** Never answers (until the server closes): the worker's deadline turns it into a timeout. */
  hang(path: string): void {
    this.docs.set(path, (_req, res) => {
      this.hanging.add(res)
      res.on('close', () => this.hanging.delete(res))
    })
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0])
    const handler = this.docs.get(path)
    if (handler) handler(req, res, path)
    else res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found', path }))
  }
}
