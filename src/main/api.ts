import 'reflect-metadata'
import { buildApiServer } from '../api/server'
import { apiListenAddress, loadConfig } from '../config'
import { createLogger } from '../lib/logger'
import { Metrics } from '../lib/metrics'
import { Shutdown } from '../lib/shutdown'
import { openDatabase } from './database'
import { runMain } from './runMain'
import { buildChainReaders } from './wiring'

/**
 * The API process: `node lib/main/api.js`. GraphQL, the REST surfaces, /health and /metrics on
 * apiListenAddress (GQL_PORT on SQD Cloud, else API_HOST:API_PORT); stateless, so scale it by
 * running more of them. Stops accepting requests first on SIGTERM, then closes the pool (and the
 * embedded Postgres, when it started one).
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const log = createLogger(config.LOG_LEVEL).child({ role: 'api' })
  const shutdown = new Shutdown(log)
  shutdown.installSignalHandlers()
  const { ds } = await openDatabase(config, log, shutdown)
  const app = await buildApiServer({ config, ds, log, metrics: new Metrics({ role: 'api' }), chainReaders: buildChainReaders(config, { ds }) })
  shutdown.register('api server', () => app.close())
  const address = await app.listen(apiListenAddress(config))
  log.info({ address, graphql: `${address}/graphql`, docs: `${address}/docs`, status: `${address}/status` }, 'api listening')
}

runMain(main)
