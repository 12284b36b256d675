import net from 'node:net'

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, that can be cut (listener closed, every
 * connection reset) and restored on the same port: a database outage as a client sees it.
 */
export class TcpProxy {
  private server?: net.Server
  private readonly sockets = new Set<net.Socket>()
  port = 0

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost)
      for (const s of [client, upstream]) {
        this.sockets.add(s)
        s.on('close', () => this.sockets.delete(s))
        s.on('error', () => {})
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', () => resolve()))
    this.port = (server.address() as net.AddressInfo).port
    this.server = server
  }

  /** Refuses new connections and resets the open ones. */
  async cut(): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const s of this.sockets) s.resetAndDestroy()
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
