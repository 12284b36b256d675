import { Client } from 'pg'
import type { Logger } from 'pino'

/**
 * One LISTEN connection to a Postgres channel, reconnecting on its own (a second after a loss).
 * `onMessage` gets each notification's payload, and `undefined` after every (re)connect: what
 * was sent while not listening is lost, and a caller that must not miss anything looks again.
 */
export class PgListener {
  private client: Client | undefined
  private stopped = false
  private reconnectTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onMessage: (payload: string | undefined) => void,
    private readonly log?: Logger,
  ) {}

  async start(): Promise<void> {
    await this.connect().catch((err) => {
      this.log?.warn({ err, channel: this.channel }, 'LISTEN could not connect; retrying')
      this.scheduleReconnect()
    })
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.reconnectTimer)
    const c = this.client
    this.client = undefined
    await c?.end().catch(() => {})
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url })
    client.on('notification', (m) => this.onMessage(m.payload ?? ''))
    client.on('error', (err) => {
      this.log?.warn({ err, channel: this.channel }, 'LISTEN connection lost')
      if (this.client === client) this.client = undefined
      client.end().catch(() => {})
      this.scheduleReconnect()
    })
    await client.connect()
    await client.query(`LISTEN ${this.channel}`)
    if (this.stopped) {
      await client.end()
      return
    }
    this.client = client
    this.onMessage(undefined)
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined
      if (!this.stopped) this.connect().catch(() => this.scheduleReconnect())
    }, 1000)
  }
}
