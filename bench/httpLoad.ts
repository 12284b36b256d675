/**
 * Load generation for the API benchmarks: the API server in its own process (bench/apiServer.ts;
 * autocannon and the server must not share an event loop), autocannon runs, and the same
 * concurrency of raw store calls for the bound.
 */
import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type { Scenario } from './apiFixture'
import { log } from './common'

export interface AutocannonRequest {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest
}

interface AutocannonResult {
  requests: { average: number; total: number }
  latency: { p50: number; p99: number }
  non2xx: number
  errors: number
  timeouts: number
}

type Autocannon = (opts: { url: string; connections: number; duration: number; requests: AutocannonRequest[] }) => Promise<AutocannonResult>

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon

export interface ApiServer {
  url: string
  child: ChildProcess
  stop(): Promise<void>
}

/** Starts bench/apiServer.js on `databaseUrl`; `statusCacheMs` is the status snapshot reuse (0 = none). */
export function startApiServer(databaseUrl: string, statusCacheMs: number, poolSize: number): Promise<ApiServer> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'apiServer.js'), [], {
      env: { ...process.env, DATABASE_URL: databaseUrl, BENCH_STATUS_CACHE_MS: String(statusCacheMs), BENCH_POOL_SIZE: String(poolSize) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    child.once('message', (m: { port: number }) => resolve({ url: `http://127.0.0.1:${m.port}`, child, stop }))
    child.once('exit', (code) => reject(new Error(`API server exited with ${code}`)))
  })
}

export interface Rate {
  perSecond: number
  p50: number
  p99: number
}

/** `concurrency` loops calling `op` for `seconds`, like autocannon's connections. */
export async function rawRate(op: () => Promise<unknown>, concurrency: number, seconds: number): Promise<Rate> {
  const latencies: number[] = []
  const end = Date.now() + seconds * 1000
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t = process.hrtime.bigint()
        await op()
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6)
      }
    }),
  )
  return { perSecond: latencies.length / seconds, ...percentiles(latencies) }
}

export function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return { p50: at(0.5), p99: at(0.99) }
}

export interface HttpRate extends Rate {
  /** non-2xx responses + errors + timeouts */
  failures: number
}

/** autocannon on one route: 2 s warm-up (connections, prepared statements, JIT), then `seconds`. */
export async function httpRate(serverUrl: string, s: Pick<Scenario, 'connections' | 'request'>, seconds: number): Promise<HttpRate> {
  await autocannon({ url: serverUrl, connections: s.connections, duration: 2, requests: [s.request] })
  const r = await autocannon({ url: serverUrl, connections: s.connections, duration: seconds, requests: [s.request] })
  log(`  http: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.non2xx} non-2xx, ${r.errors} errors`)
  return { perSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, failures: r.non2xx + r.errors + r.timeouts }
}

/**
 * A fresh server's GraphQL path needs several seconds of load before its rate settles (JIT, Apollo
 * and type-graphql caches): every route gets `seconds` of load before any is measured.
 */
export async function warmUp(serverUrl: string, routes: Scenario[], seconds: number): Promise<void> {
  for (const s of routes) await autocannon({ url: serverUrl, connections: s.connections, duration: seconds, requests: [s.request] })
}

/** The raw store calls of a route at the route's concurrency, after a 2 s warm-up. */
export async function rawRouteRate(s: Scenario, seconds: number): Promise<Rate> {
  await rawRate(s.raw, s.connections, 2)
  const r = await rawRate(s.raw, s.connections, seconds)
  log(`  raw SQL: ${Math.round(r.perSecond)} ops/s`)
  return r
}
