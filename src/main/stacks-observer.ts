import 'reflect-metadata'
import { buildObserverServer } from '../chains/stacks/node/observerServer'
import { loadConfig } from '../config'
import { createLogger } from '../lib/logger'
import { Metrics } from '../lib/metrics'
import { startMetricsServer } from '../lib/metricsServer'
import { Shutdown } from '../lib/shutdown'
import { storeNodeBlocks } from '../store/stacksNodeBlocks'
import { openDatabase } from './database'
import { runMain } from './runMain'

/**
 * The Stacks event observer: `node lib/main/stacks-observer.js`, the endpoint a stacks-node's
 * `[[events_observer]]` posts to (STACKS_OBSERVER_HOST:STACKS_OBSERVER_PORT). Its own role so it
 * stays up while the processor restarts or catches up: the node blocks while the observer does
 * not answer. It only stores; a stacks-processor with STACKS_SOURCE=node indexes what it stored.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const chain = config.STACKS_CHAIN
  const log = createLogger(config.LOG_LEVEL).child({ role: 'stacks-observer', chain })
  const shutdown = new Shutdown(log)
  shutdown.installSignalHandlers()
  const { ds } = await openDatabase(config, log, shutdown)
  const metrics = new Metrics({ role: 'stacks-observer', chain })
  if (config.METRICS_PORT) {
    const server = await startMetricsServer(metrics, config.METRICS_PORT)
    shutdown.register('metrics server', () => server.close())
  }
  const requests = metrics.counter('observer_requests_total', 'event-observer requests, by path and outcome', ['path', 'outcome'])
  const height = metrics.gauge('observer_block_height', 'height of the newest block stored')
  const warned = new Set<string>()
  const app = buildObserverServer({
    bodyLimit: config.STACKS_OBSERVER_BODY_LIMIT_MB * 1024 * 1024,
    storeBlock: async (block) => {
      const { stored } = await storeNodeBlocks(ds, chain, [block])
      if (stored > 0) height.set(block.height)
      log.debug({ height: block.height, indexBlockHash: block.indexBlockHash, stored: stored > 0 }, 'block received')
      return stored > 0 ? 'stored' : 'duplicate'
    },
    onRequest: (path, outcome) => requests.inc({ path, outcome }),
    onUnknownPath: (path) => {
      if (warned.has(path)) return
      warned.add(path)
      log.warn({ path }, 'event-observer request on a path this version does not know: acknowledged, not stored')
    },
    onRejected: (path, reason) => log.error({ path, reason }, 'event-observer request refused (the node will retry it)'),
  })
  const address = await app.listen({ host: config.STACKS_OBSERVER_HOST, port: config.STACKS_OBSERVER_PORT })
  shutdown.register('event observer', () => app.close())
  log.info({ address }, 'stacks event observer listening')
}

runMain(main)
