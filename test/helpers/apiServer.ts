import type { FastifyInstance } from 'fastify'
import type { DataSource } from 'typeorm'
import { buildApiServer } from '../../src/api/server'
import { buildChainReaders } from '../../src/main/wiring'
import { loadConfig, type Config } from '../../src/config'
import { silentLogger } from '../../src/lib/logger'
import { Metrics } from '../../src/lib/metrics'
import type { TestDatabase } from './database'
import { CHAIN } from './apiFixtures'

export interface RunningApi {
  /** http://127.0.0.1:<port> */
  url: string
  app: FastifyInstance
  config: Config
  close(): Promise<void>
}

/** The API server over a test database, listening on 127.0.0.1 with an OS-assigned port. */
export async function startApiServer(
  db: TestDatabase,
  opts: { env?: Record<string, string>; statusCacheMs?: number; ds?: DataSource } = {},
): Promise<RunningApi> {
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
