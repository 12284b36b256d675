/**
 * Webhook benchmark (`npm run bench:webhooks`): deliveries per second to a local receiver that
 * answers after 20 ms, and the delay from metadata stored to webhook received (p50 / p99), in
 * one run, with real worker processes (`node lib/main/worker.js`) on a local hardhat chain.
 *
 * - The collection (N tokens, tokenURI on a local metadata host answering at once) is inserted
 *   as the processor would have written it, with a pre-reveal document per token.
 * - Two webhooks of an admin key, both subscribed to metadata.updated of the collection, point
 *   at the receiver: LIVE is active, BACKLOG is paused from the start (events are recorded for
 *   it, nothing is sent).
 * - Phase 1 (delay): a refresh job per token is queued, `--pace` (20) jobs every 100 ms (200
 *   documents/s, below what one webhook takes, so this is the delay of a webhook that keeps up);
 *   each stored document causes a metadata.updated event, written in the settle transaction,
 *   which LIVE's delivery job sends.
 *   Delay = arrival at the receiver - the event's created_at (the settle's clock, just before its
 *   commit): commit, NOTIFY, claim, signing and the POST, not the receiver's 20 ms answer.
 * - Phase 2 (throughput): BACKLOG, now holding N pending deliveries, is resumed; deliveries/s =
 *   N / (resume -> last delivery recorded DELIVERED). The bound printed beside it is
 *   WEBHOOK_CONCURRENCY / latency: one subscription on one chain is one job, which keeps
 *   WEBHOOK_CONCURRENCY requests in flight.
 *
 *   npm run bench:webhooks [-- --tokens 5000 --latency 20 --concurrency 16 --pace 20 --no-md]
 */
import http from 'node:http'
import os from 'node:os'
import type { AddressInfo } from 'node:net'
import { createApiKey } from '../src/store/apiKeys'
import { openDataSource } from '../src/store/dataSource'
import { createWebhook, resumeWebhook } from '../src/store/webhooks'
import { insertCollection } from './apiFixture'
import {
  writeBenchResult,
  sleep,
  connect,
  createDatabase,
  fmt,
  intArg,
  log,
  mdTable,
  mintCollection,
  parseArgs,
  runBenchMain,
  startChain,
  startChild,
  startPostgres,
  waitFor,
  type Child,
} from './common'

const CHAIN = 'eip155:31337'

interface Receiver {
  port: number
  /** first arrival (ms since epoch) per webhook-id, per path */
  arrivals: Map<string, Map<string, number>>
  close(): Promise<void>
}

/** Answers every POST after `latencyMs` with 200, recording when each webhook-id first arrived. */
async function startReceiver(latencyMs: number): Promise<Receiver> {
  const arrivals = new Map<string, Map<string, number>>()
  const server = http.createServer((req, res) => {
    const at = Date.now()
    const id = String(req.headers['webhook-id'])
    const path = req.url ?? '/'
    let byId = arrivals.get(path)
    if (!byId) arrivals.set(path, (byId = new Map()))
    if (!byId.has(id)) byId.set(id, at)
    req.resume()
    req.on('end', () => setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), latencyMs))
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, arrivals, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

/** A metadata host answering `GET /t/<id>` at once with a revealed document. */
async function startHost(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const m = /^\/t\/(\d+)$/.exec(req.url ?? '')
    if (!m) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: `Revealed #${m[1]}`, image: `ipfs://QmBench/${m[1]}.png` }))
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const tokens = intArg(args, 'tokens', 5000)
  const latency = intArg(args, 'latency', 20)
  const concurrency = intArg(args, 'concurrency', 16)
  /** refresh jobs queued per 100 ms in phase 1 */
  const pace = intArg(args, 'pace', 20)

  const receiver = await startReceiver(latency)
  const host = await startHost()
  const pg = await startPostgres()
  log(`starting hardhat and minting ${fmt(tokens)} tokens`)
  const chain = await startChain()
  const children: Child[] = []
  try {
    const minted = await mintCollection(chain, tokens, `http://127.0.0.1:${host.port}/t/`, 'Webhook bench')
    const address = minted.contract.address.toLowerCase()
    const contractId = `${CHAIN}:${address}`
    const url = await createDatabase(pg, 'tms_bench_webhooks')
    const c = await connect(url)
    await insertCollection(c, CHAIN, address, tokens)
    await c.query(
      `INSERT INTO token_metadata (id, token_id, contract_id, status, name, normalized, content_hash, updated_at, last_fetched_at)
       SELECT id, id, contract_id, 'AVAILABLE', 'Hidden', '{"name":"Hidden"}', 'hidden', now(), now() FROM token WHERE contract_id = $1`,
      [contractId],
    )
    await c.query('VACUUM ANALYZE token, token_metadata')

    const ds = await openDataSource(url, 2)
    const { record: key } = await createApiKey(ds, { name: 'bench', contracts: [] }, new Date())
    const hook = (path: string) =>
      createWebhook(ds, key, { url: `http://127.0.0.1:${receiver.port}${path}`, contracts: [contractId], eventTypes: ['metadata.updated'] }, new Date())
    const live = (await hook('/live')).record
    const backlog = (await hook('/backlog')).record
    await c.query(`UPDATE webhook_subscription SET paused_at = now() WHERE id = $1`, [backlog.id])

    children.push(
      startChild('worker', [], {
        DATABASE_URL: url,
        EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.node.rpcUrl }]),
        FETCH_ALLOW_HOSTS: `127.0.0.1:${host.port},127.0.0.1:${receiver.port}`,
        WEBHOOK_CONCURRENCY: String(concurrency),
        LOG_LEVEL: 'info',
      }),
    )
    await waitFor(
      'the worker',
      async () => children[0]!.output().includes('worker started'),
      60_000,
      50,
      () => children[0]!.output(),
    )

    // Phase 1: live deliveries while the documents are stored
    log(`phase 1: ${fmt(tokens)} refresh jobs, live webhook`)
    const t1 = performance.now()
    // paced below what one webhook can take (the delay of a webhook that keeps up, not of a backlog: phase 2 is that)
    for (let start = 0; start < tokens; start += pace) {
      await c.query(
        `INSERT INTO metadata_job (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version, queued_at, created_at, updated_at)
         SELECT 'token:' || t.id, 'TOKEN', t.chain, t.contract_id, t.id, 'QUEUED', 100, now(), 0, 1, now(), now(), now()
           FROM token t WHERE t.contract_id = $1 AND t.token_id >= $2 AND t.token_id < $3`,
        [contractId, start, start + pace],
      )
      await sleep(100)
    }
    const delivered = (sub: string) =>
      c.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE subscription_id = $1 AND status = 'DELIVERED'`, [sub]).then((r) => r.rows[0].n as number)
    await waitFor(
      'every live delivery',
      async () => (await delivered(live.id)) === tokens,
      600_000,
      50,
      () => children[0]!.output(),
    )
    const phase1Seconds = (performance.now() - t1) / 1000
    const { rows: events } = await c.query<{ id: string; created_at: Date }>(`SELECT e.id::text, e.created_at FROM notification_event e`)
    const createdAt = new Map(events.map((e) => [`evt_${e.id}`, e.created_at.getTime()]))
    const delays = [...(receiver.arrivals.get('/live') ?? new Map()).entries()].map(([id, at]) => at - createdAt.get(id)!).sort((a, b) => a - b)
    const { rows: pend } = await c.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE subscription_id = $1 AND status = 'PENDING'`, [backlog.id])
    log(`phase 1: ${phase1Seconds.toFixed(2)} s, ${delays.length} received, backlog ${pend[0].n}`)

    // Phase 2: the paused webhook's backlog, sent at once
    log(`phase 2: resuming the backlog of ${fmt(pend[0].n)}`)
    const t2 = performance.now()
    await resumeWebhook(ds, backlog.id)
    await waitFor(
      'every backlog delivery',
      async () => (await delivered(backlog.id)) === tokens,
      600_000,
      20,
      () => children[0]!.output(),
    )
    const phase2Seconds = (performance.now() - t2) / 1000
    await ds.destroy()
    await c.end()

    const rate = tokens / phase2Seconds
    const bound = (concurrency * 1000) / latency
    const backlogReceived = receiver.arrivals.get('/backlog')?.size ?? 0
    const table = mdTable(
      ['measurement', 'figure', 'bound (same run)', 'ratio'],
      [
        [
          `deliveries/s, one webhook's backlog of ${fmt(tokens)} (resume -> last DELIVERED), receiver at ${latency} ms, WEBHOOK_CONCURRENCY ${concurrency}`,
          `**${fmt(rate)}/s** (${phase2Seconds.toFixed(2)} s)`,
          `${fmt(bound)}/s (concurrency / latency)`,
          `${((rate / bound) * 100).toFixed(1)}%`,
        ],
        [
          `metadata stored -> webhook received, ${fmt(delays.length)} live events, ${fmt(tokens)} documents stored at ${fmt(pace * 10)}/s (${phase1Seconds.toFixed(2)} s)`,
          `p50 **${fmt(percentile(delays, 50))} ms**, p99 **${fmt(percentile(delays, 99))} ms**, max ${fmt(delays[delays.length - 1]!)} ms`,
          '-',
          '-',
        ],
      ],
    )
    const body = [
      `\`npm run bench:webhooks -- --tokens ${tokens} --latency ${latency} --concurrency ${concurrency} --pace ${pace}\`: 1 worker process (WORKER_CONCURRENCY 50), embedded Postgres, hardhat; distinct events the receiver got from the backlog: ${fmt(backlogReceived)}.`,
      `Machine: ${os.cpus().length} CPUs, load average at the end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}.`,
      '',
      table,
    ].join('\n')
    console.log(`\n${body}\n`)
    if (!args.flags.has('no-md')) writeBenchResult('Webhooks (bench:webhooks)', body)
  } finally {
    for (const ch of children) await ch.stop()
    await chain.stop()
    await pg.stop()
    await host.close()
    await receiver.close()
  }
}

runBenchMain('bench:webhooks', main, 20)
