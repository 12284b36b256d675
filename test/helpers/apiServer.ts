import type { FastifyInstance } from 'fastify'
import type { DataSource } from 'typeorm'
import { buildApiServer } from '../../src/api/server'
import { buildChainReaders } from '../../src/main/wiring'
import { loadConfig, type Config } from '../../src/config'
import { silentLogger } from '../../src/lib/logger'
import { Metrics } from '../../src/lib/metrics'
import { afterAll, beforeAll } from 'vitest'
import { useTestDatabase, type TestDatabase } from './database'
import { CHAIN, seedApiFixtures, type ApiFixture } from './apiFixtures'

export interface RunningApi {
  /** http://127.0.0.1:<port> */
  url: string
  app: FastifyInstance
  config: Config
  close(): Promise<void>
}

/** The API server over a test database, listening on 127.0.0.1 with an OS-assigned port. */
export async function startApiServer(db: TestDatabase, opts: { env?: Record<string, string>; statusCacheMs?: number; ds?: DataSource } = {}): Promise<RunningApi> {
  const config = loadConfig({
    EVM_CHAINS: JSON.stringify([
      { chain: CHAIN.eth, rpcUrl: 'http://127.0.0.1:9' },
      { chain: CHAIN.amoy, rpcUrl: 'http://127.0.0.1:9' },
    ]),
    STACKS_CHAIN: CHAIN.stacks,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    LOG_LEVEL: 'silent',
    // Test files send hundreds of requests from 127.0.0.1 within seconds; readLimits.test.ts sets its own.
    READ_LIMIT_PER_IP: '100000000',
    ...opts.env,
  })
  const app = await buildApiServer({
    config,
    ds: opts.ds ?? db.ds,
    log: silentLogger(),
    metrics: new Metrics(),
    chainReaders: buildChainReaders(config),
    statusCacheMs: opts.statusCacheMs ?? 0,
    version: 'token-metadata-squid test',
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { url, app, config, close: () => app.close() }
}

/**
 * vitest wrapper: the file's own database seeded with the API fixtures, and an API server on it,
 * started before the file's tests and closed after them.
 */
export function useFixtureApi(): { readonly db: TestDatabase; readonly api: RunningApi; readonly fixture: ApiFixture } {
  const db = useTestDatabase()
  let api: RunningApi | undefined
  let fixture: ApiFixture | undefined
  beforeAll(async () => {
    fixture = await seedApiFixtures(db.ds)
    api = await startApiServer(db)
  })
  afterAll(async () => api?.close())
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the API starts in beforeAll')
    return v
  }
  return {
    db,
    get api() {
      return started(api)
    },
    get fixture() {
      return started(fixture)
    },
  }
}
