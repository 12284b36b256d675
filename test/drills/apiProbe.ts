/**
 * A steady trickle of ordinary requests to the API process while a drill injects faults: proves
 * the API serves (or says 503 while its database is away) and never answers a 5xx other than that,
 * and measures how long it took to serve again after each outage. Bounded: one request at a time,
 * at most `maxRequests`, stopped by the drill.
 */
import { sleep } from './runtime'

export interface ProbeStats {
  requests: number
  ok: number
  clientErrors: number
  /** 503 from /health or any route while the database is unreachable */
  unavailable: number
  /** 5xx that are not 503 */
  serverErrors: number
  /** connection refused / reset: the process was down */
  down: number
  samples5xx: string[]
}

export class ApiProbe {
  readonly stats: ProbeStats = { requests: 0, ok: 0, clientErrors: 0, unavailable: 0, serverErrors: 0, down: 0, samples5xx: [] }
  private stopped = false
  private loop: Promise<void> | undefined
  /** set while the drill knows the database is down: 503/500 then are expected, not failures */
  dbDown = false
  /** 5xx (not 503) seen while dbDown */
  serverErrorsWhileDbDown = 0
  private i = 0

  constructor(
    private readonly baseUrl: () => string,
    private readonly targets: { chain: string; contract: string; tokenIds: () => number },
    private readonly intervalMs = 120,
    private readonly maxRequests = 20_000,
  ) {}

  start(): void {
    this.loop = this.run()
  }

  async stop(): Promise<ProbeStats> {
    this.stopped = true
    await this.loop
    return this.stats
  }

  private next(): { path: string; init?: RequestInit } {
    const n = this.targets.tokenIds()
    const id = n > 0 ? this.i % n : 0
    switch (this.i++ % 4) {
      case 0:
        return { path: '/health' }
      case 1:
        return { path: '/status' }
      case 2:
        return {
          path: '/graphql',
          init: {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query: `query($c: String!, $t: BigInt!) { token(chain: "${this.targets.chain}", contract: $c, tokenId: $t) { id owner metadata { name } } }`,
              variables: { c: this.targets.contract, t: String(id) },
            }),
          },
        }
      default:
        return {
          path: '/rpc/Metadata/GetTokenMetadata',
          init: {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ chainID: this.targets.chain.split(':')[1], contractAddress: this.targets.contract, tokenIDs: [String(id)] }),
          },
        }
    }
  }

  /** Resolves once a /health request answers 200 (bounded by timeoutMs); returns the ms it took. */
  async waitHealthy(timeoutMs: number): Promise<number | undefined> {
    const started = Date.now()
    while (Date.now() - started < timeoutMs) {
      try {
        const r = await fetch(`${this.baseUrl()}/health`, { signal: AbortSignal.timeout(2000) })
        await r.arrayBuffer()
        if (r.status === 200) return Date.now() - started
      } catch {
        // down or slow: try again
      }
      await sleep(100)
    }
    return undefined
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.stats.requests < this.maxRequests) {
      const { path, init } = this.next()
      this.stats.requests++
      try {
        const r = await fetch(`${this.baseUrl()}${path}`, { ...init, signal: AbortSignal.timeout(10_000) })
        const text = await r.text()
        if (r.status < 400) this.stats.ok++
        else if (r.status < 500) this.stats.clientErrors++
        else if (r.status === 503) this.stats.unavailable++
        else if (this.dbDown) this.serverErrorsWhileDbDown++
        else {
          this.stats.serverErrors++
          if (this.stats.samples5xx.length < 5) this.stats.samples5xx.push(`${r.status} ${path}: ${text.slice(0, 200)}`)
        }
      } catch {
        this.stats.down++
      }
      await sleep(this.intervalMs)
    }
  }
}
