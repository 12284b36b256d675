import { Client } from 'pg'
import type { Logger } from 'pino'

/**
 * LISTEN on the channel the metadata_job triggers NOTIFY (once per statement that makes a job
 * claimable), so an idle worker wakes within milliseconds of an enqueue instead of at its next
 * poll. Reconnects on its own; while disconnected the worker still polls, so nothing is missed.
 */
export class JobNotifier {
  private client: Client | undefined
  private stopped = false
  private reconnectTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly url: string,
    private readonly onNotify: () => void,
    private readonly log?: Logger,
    private readonly channel = 'metadata_job',
  ) {}

  async start(): Promise<void> {
    await this.connect().catch((err) => {
      this.log?.warn({ err }, 'job notifier could not connect; polling only until it does')
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
    client.on('notification', () => this.onNotify())
    client.on('error', (err) => {
      this.log?.warn({ err }, 'job notifier connection lost')
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
    // Jobs may have been enqueued while we were not listening.
    this.onNotify()
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined
      if (!this.stopped) this.connect().catch(() => this.scheduleReconnect())
    }, 1000)
  }
}
