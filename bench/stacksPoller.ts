/**
 * Stacks poller benchmark: the real `stacks-processor` process backfills simulated blocks through
 * a local HTTP proxy (test/helpers/apiProxy.ts) that adds latency to every request (default
 * 100 ms), twice, next to the bound of each run measured in that run:
 *
 *   - no request limit: the bound is the prefetch window over the latency (window / latency:
 *     every block in the window has one request in flight at all times); the requests a block
 *     needs one after the other are shown too;
 *   - a limit of N requests a minute (default 500, the public Hiro API's keyed tier), the
 *     processor's STACKS_API_REQUESTS_PER_MINUTE set to it and the proxy refusing past it
 *     (token bucket, 429 with Retry-After): the bound is limit / (requests per block), with the
 *     requests per block counted at the proxy in the same run.
 *
 * Rates run from the first request the proxy sees to the tip indexed (process start-up and
 * migrations are left out, and shown); every request of the run counts in requests per block.
 *
 *   npm run bench:stacks
 *   npm run bench:stacks -- --blocks 800 --latency 100 --window 32 --limit 500 --limited-blocks 240 --no-md
 *
 * DATABASE_URL: a server to create scratch databases on; unset = embedded Postgres in a temp dir.
 */
import { Cl } from '@stacks/transactions'
import { simTx, startStacksSimulator } from '../devnet/stacks/simulator'
import { startApiProxy, type ApiProxy, type ProxiedRequest } from '../test/helpers/apiProxy'
import {
  writeBenchResult,
  commandLine,
  connect,
  createDatabase,
  dropDatabase,
  fmt,
  indexedHeight,
  intArg,
  log,
  machine,
  machineTable,
  mb,
  mdTable,
  parseArgs,
  pct,
  runBenchMain,
  sleep,
  startChild,
  startPostgres,
  type PgServer,
} from './common'

interface Run {
  label: string
  blocks: number
  /** spawn -> first request at the proxy */
  startupSeconds: number
  /** first request at the proxy -> tip indexed */
  steadySeconds: number
  /** blocks over steadySeconds */
  blocksPerSecond: number
  requests: number
  refused: number
  byKind: Map<string, number>
  hwmKb: number
}

const KINDS: [string, RegExp][] = [
  ['header pages', /^\/extended\/v2\/blocks\/?\?/],
  ['tip', /^\/extended\/v2\/blocks\/latest/],
  ['block transactions', /^\/extended\/v2\/blocks\/[^/?]+\/transactions/],
  ['single headers', /^\/extended\/v2\/blocks\/[^/?]+$/],
  ['tx events (/tx/multiple)', /^\/extended\/v1\/tx\/multiple/],
  ['tx event pages', /^\/extended\/v1\/tx\/events/],
  ['contract interfaces', /^\/v2\/contracts\/interface\//],
]

function kindOf(r: ProxiedRequest): string {
  return KINDS.find(([, re]) => re.test(r.path))?.[0] ?? 'other'
}

async function runProcessor(pg: PgServer, label: string, api: ApiProxy, chainId: string, from: number, tip: number, env: Record<string, string>): Promise<Run> {
  const dbName = 'tms_bench_stacks_poller'
  const url = await createDatabase(pg, dbName)
  const probe = await connect(url)
  const before = api.requests.length
  const refusedBefore = api.refused
  const t0 = Date.now()
  const proc = startChild('stacks-processor', [], {
    DATABASE_URL: url,
    STACKS_API_URL: api.url,
    STACKS_CHAIN: chainId,
    STACKS_START_HEIGHT: String(from),
    STACKS_POLL_MS: '50',
    ...env,
  })
  try {
    const end = Date.now() + 10 * 60_000
    for (;;) {
      const h = await indexedHeight(probe, chainId)
      if (h >= tip) break
      if (proc.child.exitCode !== null) throw new Error(`stacks-processor exited (${proc.child.exitCode}):\n${proc.output().slice(-2000)}`)
      if (Date.now() > end) throw new Error(`stacks-processor did not reach ${tip} within 10 min (at ${h})\n${proc.output().slice(-2000)}`)
      proc.sample()
      await sleep(20)
    }
    const done = Date.now()
    proc.sample()
    const reqs = api.requests.slice(before)
    const byKind = new Map<string, number>()
    for (const r of reqs) byKind.set(kindOf(r), (byKind.get(kindOf(r)) ?? 0) + 1)
    const firstAt = reqs.length > 0 ? api.startedAt + reqs[0].at : t0
    const steadySeconds = (done - firstAt) / 1000
    return {
      label,
      blocks: tip - from + 1,
      startupSeconds: (firstAt - t0) / 1000,
      steadySeconds,
      blocksPerSecond: (tip - from + 1) / steadySeconds,
      requests: reqs.length,
      refused: api.refused - refusedBefore,
      byKind,
      hwmKb: proc.peak.hwmKb,
    }
  } finally {
    await proc.stop()
    await probe.end().catch(() => {})
    await dropDatabase(pg, dbName)
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const nBlocks = intArg(args, 'blocks', 800)
  const latencyMs = intArg(args, 'latency', 100)
  const window = intArg(args, 'window', 32)
  const limit = intArg(args, 'limit', 500)
  const limitedBlocks = intArg(args, 'limited-blocks', 240)
  const m = machine()
  log(`stacks poller: ${nBlocks} blocks, ${latencyMs} ms latency, window ${window}, limit ${limit}/min over ${limitedBlocks} blocks; ${m.nproc} CPUs, Node ${m.node}`)

  const [pg, sim] = await Promise.all([startPostgres(), startStacksSimulator()])
  const proxies: ApiProxy[] = []
  try {
    const { deployer, wallet_1, wallet_2 } = sim.accounts
    const t0 = performance.now()
    for (let i = 0; i < nBlocks; i++) {
      await sim.mineBlock([
        simTx.call(sim.contracts.nft, 'mint', [Cl.principal(i % 2 ? wallet_1 : wallet_2)], deployer),
        simTx.call(sim.contracts.ft, 'mint', [Cl.uint(1000 + i), Cl.principal(wallet_2)], deployer),
      ])
    }
    const tip = sim.tip().height
    log(`mined ${nBlocks} blocks (2 txs, 2 asset events each) in ${((performance.now() - t0) / 1000).toFixed(1)} s; tip ${tip}`)

    log(`run 1: no limit, window ${window}…`)
    const open = await startApiProxy({ target: sim.url, latencyMs })
    proxies.push(open)
    const unlimited = await runProcessor(pg, 'no limit', open, sim.chainId, 1, tip, { STACKS_PREFETCH_BLOCKS: String(window) })
    log(`  ${unlimited.blocksPerSecond.toFixed(1)} blocks/s, ${unlimited.requests} requests (${(unlimited.requests / unlimited.blocks).toFixed(2)} a block)`)

    log(`run 2: ${limit} requests/min (client budget and server limit), last ${limitedBlocks} blocks…`)
    const strict = await startApiProxy({ target: sim.url, latencyMs, perMinute: limit, burst: Math.ceil(limit / 30), retryAfterSeconds: 1 })
    proxies.push(strict)
    const from = Math.max(1, tip - limitedBlocks + 1)
    const limited = await runProcessor(pg, `${limit} requests/min`, strict, sim.chainId, from, tip, {
      STACKS_PREFETCH_BLOCKS: String(window),
      STACKS_API_REQUESTS_PER_MINUTE: String(limit),
    })
    log(`  ${limited.blocksPerSecond.toFixed(2)} blocks/s, ${limited.requests} requests (${(limited.requests / limited.blocks).toFixed(2)} a block), ${limited.refused} refused`)

    const latencyBound = window / (latencyMs / 1000)
    const perBlock = (r: Run) => r.requests / r.blocks
    const limitBound = limit / 60 / perBlock(limited)
    // every block here has transactions with events: its transaction page, then its lookup, one after the other
    const roundTrips = 2
    const kinds = (r: Run) =>
      [...r.byKind]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${fmt(n)}`)
        .join(', ')
    const rows = [
      [
        `no limit, window ${window}, ${latencyMs} ms latency, ${unlimited.blocks} blocks`,
        `**${unlimited.blocksPerSecond.toFixed(1)} blocks/s**`,
        `window / latency = ${fmt(latencyBound)} blocks/s; with a block's ${roundTrips} round trips one after the other (its transactions, then their events): ${fmt(latencyBound / roundTrips)}`,
        `${pct(unlimited.blocksPerSecond / latencyBound)} (${pct((unlimited.blocksPerSecond * roundTrips) / latencyBound)} of the round-trip bound)`,
        `${fmt(unlimited.requests)} requests, ${perBlock(unlimited).toFixed(3)} a block: ${kinds(unlimited)}; start-up ${unlimited.startupSeconds.toFixed(2)} s, steady ${unlimited.steadySeconds.toFixed(2)} s; peak RSS ${mb(unlimited.hwmKb)}`,
      ],
      [
        `${limit} requests/min (STACKS_API_REQUESTS_PER_MINUTE and a proxy refusing past it), window ${window}, ${latencyMs} ms latency, ${limited.blocks} blocks`,
        `**${limited.blocksPerSecond.toFixed(2)} blocks/s**`,
        `limit / requests a block = ${limit}/60 / ${perBlock(limited).toFixed(3)} = ${limitBound.toFixed(2)} blocks/s`,
        pct(limited.blocksPerSecond / limitBound),
        `${fmt(limited.requests)} requests: ${kinds(limited)}; ${limited.refused} answered 429; start-up ${limited.startupSeconds.toFixed(2)} s, steady ${limited.steadySeconds.toFixed(2)} s; peak RSS ${mb(limited.hwmKb)}`,
      ],
    ]
    const table = mdTable(['run', 'rate', 'bound (same run)', 'ratio', 'detail'], rows)
    process.stdout.write(`\n${table}\n`)
    if (!args.flags.has('no-md')) {
      writeBenchResult(
        'Stacks poller (`bench:stacks`)',
        `${machineTable(m, commandLine())}\n\nThe real \`stacks-processor\` through a local proxy adding ${latencyMs} ms to every request; ` +
          `${nBlocks} simulated blocks of 2 transactions (an NFT mint and an FT mint) each. Rates from the first request at the proxy to the tip indexed.\n\n${table}`,
      )
    }
  } finally {
    await Promise.all(proxies.map((p) => p.close()))
    await sim.stop()
    await pg.stop()
  }
}

runBenchMain('bench:stacks', main, 30)
