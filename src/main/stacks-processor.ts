import 'reflect-metadata'
import type { Store } from '@subsquid/typeorm-store'
import { createStacksBlockSource, type StacksBlock } from '../chains/stacks/blockSource'
import { decodeBlock } from '../chains/stacks/decodeEvents'
import { StacksProcessor } from '../chains/stacks/stacksProcessor'
import { ConfigError, loadConfig } from '../config'
import type { ChainEvent } from '../core/events'
import { PRIORITY } from '../core/jobs'
import { applyEvents } from '../ingest/applyEvents'
import { sqlOf } from '../ingest/storeAccess'
import { createLogger } from '../lib/logger'
import { Metrics } from '../lib/metrics'
import { startMetricsServer } from '../lib/metricsServer'
import { Shutdown } from '../lib/shutdown'
import { ChainDatabase } from '../store/chainDatabase'
import { openDatabase } from './database'
import { StacksStandards } from './stacksStandards'
import { runMain } from './runMain'

/** The Stacks processor: `node lib/main/stacks-processor.js` (needs STACKS_API_URL). */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const apiUrl = config.STACKS_API_URL
  if (!apiUrl) throw new ConfigError(['STACKS_API_URL (unset): expected the Stacks API base URL to index'])
  const chain = config.STACKS_CHAIN
  const log = createLogger(config.LOG_LEVEL).child({ role: 'stacks-processor', chain })
  const shutdown = new Shutdown(log)
  shutdown.installSignalHandlers()
  const { url } = await openDatabase(config, log, shutdown)
  const metrics = new Metrics({ role: 'stacks-processor', chain })
  if (config.METRICS_PORT) {
    const server = await startMetricsServer(metrics, config.METRICS_PORT)
    shutdown.register('metrics server', () => server.close())
  }
  const eventsTotal = metrics.counter('events_total', 'chain events applied, by kind', ['kind'])
  const skippedTotal = metrics.counter('events_skipped_total', 'events that did not decode, by reason', ['reason'])
  const jobsTotal = metrics.counter('jobs_enqueued_total', 'metadata jobs enqueued by the processor')
  const height = metrics.gauge('indexed_height', 'last Stacks block written')

  const source = createStacksBlockSource({ baseUrl: apiUrl, log: (level, msg, fields) => log[level]({ ...fields }, msg) })
  const standards = new StacksStandards(chain, apiUrl)
  const processor = new StacksProcessor<Store>(source, {
    startHeight: config.STACKS_START_HEIGHT,
    finality: config.STACKS_FINALITY,
    pollMs: config.STACKS_POLL_MS,
    log: (level, msg, fields) => log[level]({ ...fields }, msg),
  })

  const handle = async (store: Store, blocks: StacksBlock[], isHead: boolean): Promise<void> => {
    await standards.prepare(sqlOf(store), contractsOf(blocks))
    const events: ChainEvent[] = []
    for (const block of blocks) {
      const decoded = decodeBlock(block, (id) => standards.get(id), (id) => standards.get(id))
      events.push(...decoded.events)
      for (const s of decoded.skipped) {
        skippedTotal.inc({ reason: s.reason.split(' ')[0] })
        log.info({ contract: s.contract, block: s.pos.blockNumber, tx: s.pos.txHash, reason: s.reason }, 'event skipped')
      }
    }
    height.set(blocks[blocks.length - 1].height)
    if (events.length === 0) return
    const summary = await applyEvents(store, events, isHead ? PRIORITY.NEW_MINT : PRIORITY.BACKFILL, { chain, rangeCap: config.EVM_BATCH_MAX_TOKENS, now: new Date(), log })
    await standards.writeAssetNames(sqlOf(store))
    for (const [kind, n] of Object.entries(summary.events)) eventsTotal.inc({ kind }, n)
    jobsTotal.inc(summary.jobsEnqueued)
  }

  const abort = new AbortController()
  const done = processor.run(new ChainDatabase(url, chain), handle, abort.signal)
  shutdown.register('stacks processor', async () => {
    abort.abort()
    await done.catch(() => {})
  })
  log.info({ apiUrl, start: config.STACKS_START_HEIGHT }, 'stacks processor started')
  await done.catch((e: unknown) => {
    log.fatal({ err: e }, 'stacks processor stopped')
    process.exit(1)
  })
}

/** Every contract a batch mentions: event emitters, asset contracts, deployments, notified contracts. */
function contractsOf(blocks: StacksBlock[]): string[] {
  const ids: string[] = []
  for (const b of blocks) {
    for (const tx of b.txs) {
      if (tx.deployedContractId) ids.push(tx.deployedContractId)
      for (const e of tx.events) if ('contractId' in e) ids.push(e.contractId)
    }
  }
  return ids
}

runMain(main)
