import 'reflect-metadata'
import type { Store } from '@subsquid/typeorm-store'
import { evmHeadReader } from '../chains/evm/chainHead'
import { decodeLog } from '../chains/evm/decodeLog'
import { createEvmProcessor } from '../chains/evm/processor'
import { ConfigError, loadConfig, type Config, type EvmChainConfig } from '../config'
import type { ChainEvent } from '../core/events'
import { PRIORITY } from '../core/jobs'
import { applyEvents } from '../ingest/applyEvents'
import { ProgressReporter } from '../ingest/progressReporter'
import { createLogger, type Logger } from '../lib/logger'
import { Metrics } from '../lib/metrics'
import { startMetricsServer } from '../lib/metricsServer'
import { Shutdown } from '../lib/shutdown'
import { ChainDatabase } from '../store/chainDatabase'
import { openDatabase } from './database'
import { runMain } from './runMain'

/**
 * One EVM chain's processor: `node lib/main/evm-processor.js [caip2]` (default: the first entry
 * of EVM_CHAINS). Subsquid's runner owns the process: it exits on a fatal error and the
 * supervisor (squid.yaml, `npm run dev`) restarts it; the checkpoint makes that safe.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const cfg = pickChain(config, process.argv[2])
  const log = createLogger(config.LOG_LEVEL).child({ role: 'evm-processor', chain: cfg.chain })
  const shutdown = new Shutdown(log)
  shutdown.installSignalHandlers()
  const { url, ds } = await openDatabase(config, log, shutdown)
  const metrics = new Metrics({ role: 'evm-processor', chain: cfg.chain })
  const processor = createEvmProcessor(cfg)
  if (config.METRICS_PORT) {
    const sqd = (processor as unknown as { getPrometheusServer(): { registry: { metrics(): Promise<string> } } }).getPrometheusServer()
    const server = await startMetricsServer(metrics, config.METRICS_PORT, () => sqd.registry.metrics())
    shutdown.register('metrics server', () => server.close())
  }
  const progress = new ProgressReporter({ chain: cfg.chain, db: ds, intervalMs: config.PROGRESS_INTERVAL_MS, pollHead: evmHeadReader(cfg.rpcUrl), log })
  await progress.start()
  shutdown.register('progress reporter', () => progress.stop())
  const db = new ChainDatabase(url, cfg.chain)
  processor.run(db, db.wrapHandler(batchHandler(cfg, config, log, metrics, progress)))
}

type Ctx = Parameters<Parameters<ReturnType<typeof createEvmProcessor>['run']>[1]>[0]

function batchHandler(cfg: EvmChainConfig, config: Config, log: Logger, metrics: Metrics, progress: ProgressReporter) {
  const eventsTotal = metrics.counter('events_total', 'chain events applied, by kind', ['kind'])
  const skippedTotal = metrics.counter('events_skipped_total', 'logs that did not decode, by reason', ['reason'])
  const jobsTotal = metrics.counter('jobs_enqueued_total', 'metadata jobs enqueued by the processor')
  return async (ctx: Ctx): Promise<void> => {
    const events: ChainEvent[] = []
    for (const block of ctx.blocks) {
      const timestamp = new Date(block.header.timestamp) // one per block: its events share it, nobody changes it
      for (const l of block.logs) {
        const pos = { blockNumber: block.header.height, blockHash: block.header.hash, timestamp, txHash: l.transactionHash, logIndex: l.logIndex }
        const r = decodeLog(l, pos)
        if (r.ok) events.push(r.event)
        else {
          skippedTotal.inc({ reason: r.skipped.reason.split(':')[0] })
          log.warn({ contract: r.skipped.contract, block: pos.blockNumber, logIndex: pos.logIndex, reason: r.skipped.reason }, 'log skipped')
        }
      }
    }
    const newest = ctx.blocks.at(-1)?.header
    if (newest) progress.batchApplied({ height: newest.height, time: new Date(newest.timestamp) }, ctx.isHead)
    if (events.length === 0) return
    const summary = await applyEvents(ctx.store as Store, events, ctx.isHead ? PRIORITY.NEW_MINT : PRIORITY.BACKFILL, {
      chain: cfg.chain,
      rangeCap: config.EVM_BATCH_MAX_TOKENS,
      maxConsecutiveRange: BigInt(config.EVM_CONSECUTIVE_MAX_TOKENS),
      now: new Date(),
      log,
    })
    for (const [kind, n] of Object.entries(summary.events)) eventsTotal.inc({ kind }, n)
    jobsTotal.inc(summary.jobsEnqueued)
    log.debug({ from: ctx.blocks[0].header.height, to: ctx.blocks[ctx.blocks.length - 1].header.height, ...summary }, 'batch applied')
  }
}

function pickChain(config: Config, wanted: string | undefined): EvmChainConfig {
  const chains = config.EVM_CHAINS
  const cfg = wanted ? chains.find((c) => c.chain === wanted) : chains[0]
  if (!cfg) {
    const known = chains.map((c) => c.chain).join(', ') || 'none'
    throw new ConfigError([`EVM_CHAINS: no chain ${wanted ? JSON.stringify(wanted) : ''} configured (configured: ${known})`])
  }
  return cfg
}

runMain(main)
