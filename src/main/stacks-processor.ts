import 'reflect-metadata'
import type { Store } from '@subsquid/typeorm-store'
import { createStacksBlockSource, type StacksBlock, type StacksBlockSource } from '../chains/stacks/blockSource'
import { decodeBlock } from '../chains/stacks/decodeEvents'
import { StacksProcessor } from '../chains/stacks/stacksProcessor'
import { StacksReader } from '../chains/stacks/stacksReader'
import { crossCheckSupplies } from '../chains/stacks/supplyCrossCheck'
import { ConfigError, loadConfig } from '../config'
import type { ChainEvent } from '../core/events'
import { PermanentError } from '../core/errors'
import { PRIORITY } from '../core/jobs'
import { applyEvents } from '../ingest/applyEvents'
import { ProgressReporter } from '../ingest/progressReporter'
import { sqlOf } from '../ingest/storeAccess'
import { createLogger } from '../lib/logger'
import { Metrics } from '../lib/metrics'
import { startMetricsServer } from '../lib/metricsServer'
import { Shutdown } from '../lib/shutdown'
import { ChainDatabase } from '../store/chainDatabase'
import { processorHeight, trackedSupplies } from '../store/read/trackedSupplies'
import { openDatabase } from './database'
import { interfacesOf, openNodeSource, PendingEventFlow } from './stacksNodeSource'
import { StacksStandards } from './stacksStandards'
import { stacksApiAccess, stacksInterfaces } from './wiring'
import { runMain } from './runMain'

/**
 * The Stacks processor: `node lib/main/stacks-processor.js`. Reads blocks from the Stacks API
 * (STACKS_SOURCE=api, needs STACKS_API_URL) or from the blocks the event observer stored
 * (STACKS_SOURCE=node, src/main/stacksNodeSource.ts); the same processor and ingest run on both.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const apiUrl = config.STACKS_API_URL
  const fromNode = config.STACKS_SOURCE === 'node'
  if (!apiUrl && !fromNode) throw new ConfigError(['STACKS_API_URL (unset): expected the Stacks API base URL to index (or STACKS_SOURCE=node)'])
  const chain = config.STACKS_CHAIN
  const log = createLogger(config.LOG_LEVEL).child({ role: 'stacks-processor', chain })
  const shutdown = new Shutdown(log)
  shutdown.installSignalHandlers()
  const { url, ds } = await openDatabase(config, log, shutdown)
  const metrics = new Metrics({ role: 'stacks-processor', chain })
  if (config.METRICS_PORT) {
    const server = await startMetricsServer(metrics, config.METRICS_PORT)
    shutdown.register('metrics server', () => server.close())
  }
  const eventsTotal = metrics.counter('events_total', 'chain events applied, by kind', ['kind'])
  const skippedTotal = metrics.counter('events_skipped_total', 'events that did not decode, by reason', ['reason'])
  const jobsTotal = metrics.counter('jobs_enqueued_total', 'metadata jobs enqueued by the processor')
  const height = metrics.gauge('indexed_height', 'last Stacks block written')

  const progress = new ProgressReporter({ chain, db: ds, intervalMs: config.PROGRESS_INTERVAL_MS, log })
  await progress.start()
  shutdown.register('progress reporter', () => progress.stop())

  // one budget for every Stacks API request of this process: blocks, interfaces, supply reads
  const api = stacksApiAccess(config, config.STACKS_API_REQUESTS_PER_MINUTE)
  const apiLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => log[level]({ ...fields }, msg)
  const abort = new AbortController()
  shutdown.register('waiting for stored blocks', () => abort.abort())
  const node = fromNode ? await openNodeSource(ds, chain, config.STACKS_START_HEIGHT, config.STACKS_POLL_MS, log, abort.signal) : undefined
  if (fromNode && !node) return
  const source: StacksBlockSource = node?.source ?? createStacksBlockSource({ baseUrl: api!.url, headers: api!.headers, budget: api!.budget, log: apiLog })
  // an interface the batch needs is waited for however long a rate limit lasts, like its blocks
  const interfaces = stacksInterfaces(ds, config, api, { patientOnRateLimit: true, maxHintedWaitMs: 5 * 60_000 })
  const standards = new StacksStandards(chain, (id) => interfaces.get(id), api !== undefined)
  const pending = fromNode ? new PendingEventFlow(chain, standards, api !== undefined, log) : undefined
  let seenTip: number | undefined
  const processor = new StacksProcessor<Store>(source, {
    startHeight: node?.startHeight ?? config.STACKS_START_HEIGHT,
    finality: config.STACKS_FINALITY,
    pollMs: config.STACKS_POLL_MS,
    prefetchBlocks: config.STACKS_PREFETCH_BLOCKS,
    onTip: (tip) => {
      seenTip = tip
      progress.observeHead(tip)
    },
    log: (level, msg, fields) => log[level]({ ...fields }, msg),
  })

  const handle = async (store: Store, blocks: StacksBlock[], isHead: boolean): Promise<void> => {
    const deployed = interfacesOf(blocks)
    await standards.prepare(sqlOf(store), contractsOf(blocks), deployed)
    // what the node's contract_abi told us is kept for every later process, API or not
    await interfaces.remember(sqlOf(store), deployed)
    const events: ChainEvent[] = []
    // kept events of contracts resolved now come first: they are older than the batch
    const replayed = pending ? await pending.resolve(sqlOf(store), blocks[0].height, blocks[blocks.length - 1].height) : []
    const ready = pending ? await pending.keep(sqlOf(store), blocks) : blocks
    for (const block of [...replayed, ...ready]) {
      const decoded = decodeBlock(
        block,
        (id) => standards.get(id),
        (id) => standards.get(id),
      )
      events.push(...decoded.events)
      for (const s of decoded.skipped) {
        skippedTotal.inc({ reason: s.reason.split(' ')[0] })
        log.info({ contract: s.contract, block: s.pos.blockNumber, tx: s.pos.txHash, reason: s.reason }, 'event skipped')
      }
    }
    const newest = blocks[blocks.length - 1]
    height.set(newest.height)
    progress.batchApplied({ height: newest.height, time: new Date(newest.timestamp * 1000) }, isHead)
    if (events.length === 0) return
    const summary = await applyEvents(store, events, isHead ? PRIORITY.NEW_MINT : PRIORITY.BACKFILL, { chain, rangeCap: config.EVM_BATCH_MAX_TOKENS, now: new Date(), log })
    await standards.writeAssetNames(sqlOf(store))
    for (const [kind, n] of Object.entries(summary.events)) eventsTotal.inc({ kind }, n)
    jobsTotal.inc(summary.jobsEnqueued)
  }

  const done = processor.run(new ChainDatabase(url, chain), handle, abort.signal)
  shutdown.register('stacks processor', async () => {
    abort.abort()
    await done.catch(() => {})
  })
  if (config.STACKS_SUPPLY_CHECK_SECONDS > 0 && api) {
    const reader = new StacksReader({ baseUrl: api.url, request: { headers: api.headers, budget: api.budget }, interfaces: (id) => interfaces.get(id) })
    const mismatches = metrics.counter('supply_mismatches_total', 'SIP-010 supplies tracked from events that differ from get-total-supply at the same block')
    const deps = {
      // behind the tip the processor already knows it: no request (under a rate limit, one a second adds up)
      tipHeight: async () => (seenTip !== undefined && (await processorHeight(ds.manager, chain)) < seenTip ? seenTip : (await source.getTip()).height),
      indexedHeight: () => processorHeight(ds.manager, chain),
      trackedSupplies: () => trackedSupplies(ds.manager, chain, 'SIP010'),
      // a contract whose get-total-supply fails cannot be checked; the others still are
      chainSupply: (address: string) =>
        reader.totalSupply(address).catch((err: unknown) => {
          if (!(err instanceof PermanentError)) throw err
          log.info({ contract: address, err: err.message }, 'SIP-010 supply not cross-checked: get-total-supply failed')
          return null
        }),
      onMismatch: (m: { address: string; supply: bigint; chainSupply: bigint; height: number }) => {
        mismatches.inc()
        log.warn(
          { contract: m.address, block: m.height, tracked: m.supply.toString(), chain: m.chainSupply.toString() },
          'SIP-010 supply tracked from events differs from get-total-supply',
        )
      },
    }
    const stopCheck = everyUntilJudged(
      config.STACKS_SUPPLY_CHECK_SECONDS * 1000,
      config.STACKS_POLL_MS,
      async () => {
        const round = await crossCheckSupplies(deps)
        if (round.judged) log.info({ checked: round.checked, mismatches: round.mismatches.length }, 'SIP-010 supply cross-check')
        else log.debug({ reason: round.reason }, 'SIP-010 supply cross-check postponed')
        return round.judged
      },
      (err) => log.warn({ err }, 'SIP-010 supply cross-check failed; retrying'),
    )
    shutdown.register('supply cross-check', async () => stopCheck())
  }
  log.info(
    {
      source: config.STACKS_SOURCE,
      apiUrl,
      start: node?.startHeight ?? config.STACKS_START_HEIGHT,
      prefetch: config.STACKS_PREFETCH_BLOCKS,
      requestsPerMinute: config.STACKS_API_REQUESTS_PER_MINUTE || 'unlimited',
      apiKey: config.STACKS_API_KEY ? 'set' : 'unset',
    },
    'stacks processor started',
  )
  await done.catch((e: unknown) => {
    log.fatal({ err: e }, 'stacks processor stopped')
    process.exit(1)
  })
}

/**
 * Runs `round` once soon after start and then every `intervalMs`; a round that could not judge
 * (processor behind the tip, chain moving) or failed is tried again after `retryMs`.
 */
function everyUntilJudged(intervalMs: number, retryMs: number, round: () => Promise<boolean>, onError: (err: unknown) => void): () => void {
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const run = async () => {
    let judged = false
    try {
      judged = await round()
    } catch (err) {
      onError(err)
    }
    if (!stopped) timer = setTimeout(() => void run(), judged ? intervalMs : Math.max(retryMs, 1000))
  }
  timer = setTimeout(() => void run(), Math.max(retryMs, 1000))
  return () => {
    stopped = true
    clearTimeout(timer)
  }
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
