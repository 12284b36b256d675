/**
 * Refresh benchmark: wall time from an Immutable X style refresh request (`POST
 * /v1/metadata-refreshes`, 10,000 token ids in one refresh) to the status endpoint reporting
 * `completed`, with real processes: the API (`node lib/main/api.js`) and worker(s)
 * (`node lib/main/worker.js`), a local hardhat chain holding the collection (the workers read
 * tokenURI from it), and a local metadata host answering every token after 20 ms.
 *
 * The tokens are inserted as the processor would have written them (contract + token rows, no
 * jobs): the refresh enqueues every job itself. Each variant gets a fresh database.
 *
 *   npx tsc -p tsconfig.json                  # lib/ (the processes and the store code run from it)
 *   npx tsc bench/refresh.ts --outDir .cache/bench-refresh --rootDir . --target ES2022 --module commonjs \
 *       --moduleResolution node --esModuleInterop --skipLibCheck --types node \
 *       --strict --experimentalDecorators --emitDecoratorMetadata --resolveJsonModule
 *   node .cache/bench-refresh/bench/refresh.js [--tokens 10000] [--latency 20] [--variants 1x16,1x100,2x100]
 *
 * A variant `WxC` runs W workers (WORKER_CONCURRENCY 50 each) with HOST_MAX_CONCURRENCY C; the
 * bound printed is min(50 x W, C) / latency. A variant `WxC:queue` is the baseline: the same
 * 10,000 jobs inserted straight into the queue at the same priority (no API, no refresh items),
 * timed from the insert to the last job DONE, so the refresh's own cost shows as the difference.
 * Figures are printed, not asserted.
 */
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import type { AddressInfo } from 'node:net'
import { newKeyAt } from '../test/helpers/refreshApi'
import { insertCollection } from './apiFixture'
import {
  connect,
  createDatabase,
  dropDatabase,
  fmt,
  intArg,
  log,
  mintCollection,
  parseArgs,
  sleep,
  startChain,
  startChild,
  startPostgres,
  waitFor,
  type Child,
  runBenchMain,
} from './common'

const CHAIN = 'eip155:31337'
const WORKER_CONCURRENCY = 50

interface Variant {
  workers: number
  hostCap: number
  /** baseline: jobs inserted directly, no refresh */
  queueOnly: boolean
}

interface Result extends Variant {
  wallSeconds: number
  serverSeconds: number
  enqueueMs: number
  succeeded: number
  failed: number
  served: number
}

async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as AddressInfo).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

/** A metadata host answering `GET /t/<id>` after `latencyMs` with a small ERC-721 document. */
async function startHost(latencyMs: number): Promise<{ port: number; served: () => number; close(): Promise<void> }> {
  let served = 0
  const server = http.createServer((req, res) => {
    const m = /^\/t\/(\d+)$/.exec(req.url ?? '')
    if (!m) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}')
    setTimeout(() => {
      served++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ name: `Revealed #${m[1]}`, image: `ipfs://QmBench/${m[1]}.png`, attributes: [{ trait_type: 'Power', value: Number(m[1]) % 10 }] }))
    }, latencyMs)
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, served: () => served, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const tokens = intArg(args, 'tokens', 10_000)
  const latency = intArg(args, 'latency', 20)
  const variants: Variant[] = (args.values.get('variants') ?? '1x16,1x100,1x100:queue,2x100,2x100:queue').split(',').map((v) => {
    const [spec, mode] = v.split(':')
    const [w, c] = spec.split('x').map(Number)
    if (!(w >= 1) || !(c >= 1) || (mode !== undefined && mode !== 'queue')) throw new Error(`--variants: ${v} is not WxC or WxC:queue`)
    return { workers: w, hostCap: c, queueOnly: mode === 'queue' }
  })

  const host = await startHost(latency)
  const pg = await startPostgres()
  log(`starting hardhat and minting ${fmt(tokens)} tokens`)
  const chain = await startChain()
  const minted = await mintCollection(chain, tokens, `http://127.0.0.1:${host.port}/t/`, 'Refresh bench')
  const address = minted.contract.address.toLowerCase()
  const contractId = `${CHAIN}:${address}`
  log(`minted in ${minted.seconds.toFixed(1)} s (${minted.txs} txs)`)

  const results: Result[] = []
  try {
    for (const [i, v] of variants.entries()) {
      results.push(await runVariant(i, v))
    }
  } finally {
    await chain.stop()
    await pg.stop()
    await host.close()
  }

  console.log('')
  console.log(`Refresh of ${fmt(tokens)} tokens in one request, metadata host latency ${latency} ms, WORKER_CONCURRENCY ${WORKER_CONCURRENCY}`)
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${os.cpus().length} CPUs)`,
  )
  console.log(
    '| what | workers | HOST_MAX_CONCURRENCY | wall: request -> completed | server: started_at -> completed_at | POST (enqueue) | tokens/s | bound | of bound | succeeded / failed |',
  )
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const r of results) {
    const bound = (Math.min(WORKER_CONCURRENCY * r.workers, r.hostCap) * 1000) / latency
    const rate = tokens / r.wallSeconds
    const what = r.queueOnly ? 'queue baseline (jobs inserted, no refresh)' : 'refresh (IMX POST -> GET completed)'
    console.log(
      `| ${what} | ${r.workers} | ${r.hostCap} | **${r.wallSeconds.toFixed(2)} s** | ${r.queueOnly ? '-' : `${r.serverSeconds.toFixed(2)} s`} | ${r.queueOnly ? '-' : `${fmt(r.enqueueMs)} ms`} | ${fmt(rate)} | ${fmt(bound)} | ${((rate / bound) * 100).toFixed(1)}% | ${fmt(r.succeeded)} / ${fmt(r.failed)} |`,
    )
  }

  async function runVariant(index: number, v: Variant): Promise<Result> {
    const name = `tms_bench_refresh_${index}`
    const url = await createDatabase(pg, name)
    const c = await connect(url)
    await insertCollection(c, CHAIN, address, tokens)
    await c.query('VACUUM ANALYZE token')
    const key = await newKeyAt(url, 'bench')

    const port = await freePort()
    const base = {
      DATABASE_URL: url,
      EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.node.rpcUrl }]),
      LOG_LEVEL: 'info',
    }
    const children: Child[] = []
    try {
      const apiProc = startChild('api', [], {
        ...base,
        API_HOST: '127.0.0.1',
        API_PORT: String(port),
        REFRESH_DEFAULT_CHAIN: CHAIN,
        REFRESH_MAX_TOKENS_PER_REQUEST: String(tokens),
      })
      children.push(apiProc)
      const api = `http://127.0.0.1:${port}`
      await waitFor(
        'the API',
        async () => (await fetch(`${api}/health`).catch(() => undefined))?.status === 200,
        60_000,
        100,
        () => apiProc.output(),
      )
      for (let w = 0; w < v.workers; w++) {
        children.push(
          startChild('worker', [], {
            ...base,
            FETCH_ALLOW_HOSTS: `127.0.0.1:${host.port}`,
            WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
            HOST_MAX_CONCURRENCY: String(v.hostCap),
            MEDIA_CACHE: 'false', // bench:media measures media
          }),
        )
      }
      for (const w of children.slice(1))
        await waitFor(
          'a worker',
          async () => w.output().includes('worker started'),
          60_000,
          50,
          () => w.output(),
        )
      await sleep(500)

      const servedBefore = host.served()
      if (v.queueOnly) {
        const t0 = performance.now()
        await c.query(
          `INSERT INTO metadata_job (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version, queued_at, created_at, updated_at)
           SELECT 'token:' || t.id, 'TOKEN', t.chain, t.contract_id, t.id, 'QUEUED', 100, now(), 0, 1, now(), now(), now() FROM token t WHERE t.contract_id = $1`,
          [contractId],
        )
        const settled = await waitFor(
          'every job to finish',
          async () => {
            const { rows } = await c.query(
              `SELECT count(*) FILTER (WHERE status = 'DONE')::int AS done, count(*) FILTER (WHERE status IN ('FAILED', 'INVALID'))::int AS failed FROM metadata_job`,
            )
            return rows[0].done + rows[0].failed === tokens ? (rows[0] as { done: number; failed: number }) : undefined
          },
          600_000,
          100,
        )
        const wallSeconds = (performance.now() - t0) / 1000
        log(`queue baseline, ${v.workers} worker(s), host cap ${v.hostCap}: ${wallSeconds.toFixed(2)} s`)
        return { ...v, wallSeconds, serverSeconds: 0, enqueueMs: 0, succeeded: settled.done, failed: settled.failed, served: host.served() - servedBefore }
      }
      const headers = { 'content-type': 'application/json', 'x-immutable-api-key': key }
      const t0 = performance.now()
      const created = await fetch(`${api}/v1/metadata-refreshes`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ collection_address: address, token_ids: Array.from({ length: tokens }, (_, i) => String(i)) }),
      })
      const enqueueMs = performance.now() - t0
      if (created.status !== 202) throw new Error(`refresh refused: ${created.status} ${await created.text()}`)
      const { refresh_id: id } = (await created.json()) as { refresh_id: string }
      type Status = { status: string; started_at: string; completed_at: string; summary: { succeeded: number; failed: number; pending: number } }
      let last: Status | undefined
      const done = await waitFor(
        'the refresh to complete',
        async () => {
          last = (await (await fetch(`${api}/v1/metadata-refreshes/${id}`, { headers })).json()) as Status
          return last.status === 'completed' ? last : undefined
        },
        600_000,
        100,
        () => JSON.stringify(last),
      )
      const wallSeconds = (performance.now() - t0) / 1000
      log(`${v.workers} worker(s), host cap ${v.hostCap}: ${wallSeconds.toFixed(2)} s, ${JSON.stringify(done.summary)}`)
      return {
        ...v,
        wallSeconds,
        serverSeconds: (Date.parse(done.completed_at) - Date.parse(done.started_at)) / 1000,
        enqueueMs,
        succeeded: done.summary.succeeded,
        failed: done.summary.failed,
        served: host.served() - servedBefore,
      }
    } finally {
      await Promise.all(children.map((ch) => ch.stop()))
      await c.end()
      await dropDatabase(pg, name)
    }
  }
}

runBenchMain('refresh bench', main)
