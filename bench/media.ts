/**
 * Media cache benchmark (issue 16): one real worker process (`node lib/main/worker.js`, its media
 * lane) caches N distinct 1024 x 1024 PNGs (default 1,000) from a local host answering each after
 * 20 ms. The jobs are queued by the production hook (queueDocumentMedia over N token rows), as a
 * worker's settle queues them.
 *
 * Measured: images/s from the worker's start line to the last DONE, the worker's peak RSS (VmHWM)
 * and its CPU ms per image (libvips threads included). The bound, measured in the same run: the
 * same files decoded and resized (the production renditions function: 3 thumbnails and a
 * ThumbHash) in one fresh process with no queue, no fetch and no storage, at the same
 * concurrency; the report gives the worker's rate as a share of it.
 *
 *   npm run bench:media
 *   options: --images 1000  --latency 20  --concurrency 4 (MEDIA_CONCURRENCY)  --no-md
 */
import { fork } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { renderImage } from '../src/media/renditions'
import { queueDocumentMedia } from '../src/store/jobs/mediaJobs'
import { DEFAULT_REWRITE_GATEWAYS } from '../src/metadata'
import {
  writeBenchResult,
  commandLine,
  connect,
  createDatabase,
  dropDatabase,
  fmt,
  intArg,
  log,
  machine,
  machineTable,
  mb,
  mdTable,
  parseArgs,
  runBenchMain,
  startChild,
  startPostgres,
  waitFor,
} from './common'

const WIDTHS = [64, 300, 600]

interface BoundResult {
  seconds: number
  cpuMs: number
  hwmKb: number
}

/**
 * Distinct 1024 x 1024 PNGs: a gradient field shifted per image plus the image's index stamped as
 * 16 black / white 32 px squares, so no two files share their bytes (the cache would otherwise
 * skip the decode of a repeat by its content hash).
 */
async function writeImages(dir: string, n: number): Promise<number> {
  let bytes = 0
  const size = 1024
  for (let i = 0; i < n; i++) {
    const raw = Buffer.alloc(size * size * 3)
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const at = (y * size + x) * 3
        raw[at] = (x + i * 7) & 0xff
        raw[at + 1] = (y + i * 13) & 0xff
        raw[at + 2] = ((x ^ y) + i) & 0xff
      }
    }
    for (let bit = 0; bit < 16; bit++) {
      const v = (i >> bit) & 1 ? 255 : 0
      for (let y = 0; y < 32; y++) for (let x = bit * 32; x < bit * 32 + 32; x++) raw.fill(v, (y * size + x) * 3, (y * size + x) * 3 + 3)
    }
    const png = await sharp(raw, { raw: { width: size, height: size, channels: 3 } })
      .png({ compressionLevel: 6 })
      .toBuffer()
    fs.writeFileSync(path.join(dir, `${i}.png`), png)
    bytes += png.length
  }
  return bytes
}

function startHost(dir: string, latencyMs: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const m = /^\/img\/(\d+)\.png$/.exec(req.url ?? '')
    setTimeout(() => {
      if (!m) return void res.writeHead(404).end()
      const body = fs.readFileSync(path.join(dir, `${m[1]}.png`))
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length }).end(body)
    }, latencyMs)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/** The bound, in a fresh child process (this file with --bound): renderImage over every file. */
function runBound(dir: string, n: number, concurrency: number): Promise<BoundResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--bound', dir, String(n), String(concurrency)], { stdio: 'inherit' })
    child.once('message', (m) => resolve(m as BoundResult))
    child.once('error', reject)
    child.once('exit', (code) => code !== 0 && reject(new Error(`bound process exited with ${code}`)))
  })
}

async function boundChild(dir: string, n: number, concurrency: number): Promise<void> {
  sharp.cache(false)
  const files = Array.from({ length: n }, (_, i) => path.join(dir, `${i}.png`))
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) await renderImage(fs.readFileSync(files[next++]!), { maxPixels: 40_000_000, thumbnailWidths: WIDTHS })
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const hwmKb = Number(/^VmHWM:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0)
  process.send!({ seconds, cpuMs: (cpu.user + cpu.system) / 1000, hwmKb } satisfies BoundResult)
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const n = intArg(args, 'images', 1000)
  const latency = intArg(args, 'latency', 20)
  const concurrency = intArg(args, 'concurrency', 4)
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-bench-media-'))
  const images = path.join(work, 'images')
  const mediaDir = path.join(work, 'media')
  fs.mkdirSync(images)
  log(`writing ${n} distinct 1024 x 1024 PNGs`)
  const bytes = await writeImages(images, n)
  const host = await startHost(images, latency)
  const port = (host.address() as AddressInfo).port
  const pg = await startPostgres()
  const dbName = 'tms_bench_media'
  const url = await createDatabase(pg, dbName)
  const c = await connect(url)
  try {
    log('queueing media jobs through the production hook')
    const contractId = 'eip155:1:0x00000000000000000000000000000000000b3c4a'
    await c.query(
      `INSERT INTO contract (id, chain, address, standard, deploy_block, first_seen_block, update_mode, created_at)
                   VALUES ($1, 'eip155:1', '0x00000000000000000000000000000000000b3c4a', 'ERC721', 1, 1, 'STANDARD', now())`,
      [contractId],
    )
    await c.query(
      `INSERT INTO token (id, chain, contract_id, token_id, standard, owner, supply, burned, update_mode)
       SELECT $1 || ':' || i, 'eip155:1', $1, i, 'ERC721', NULL, 1, false, 'STANDARD' FROM generate_series(0, $2 - 1) AS i`,
      [contractId, n],
    )
    const docs = Array.from({ length: n }, (_, i) => ({
      subjectId: `${contractId}:${i}`,
      contractId,
      tokenId: `${contractId}:${i}`,
      fields: { image: `http://127.0.0.1:${port}/img/${i}.png` },
    }))
    // the store's executor shape (rows back), as TypeORM's manager gives it to the settle
    const executor = { query: async (sql: string, params?: unknown[]) => (await c.query(sql, params)).rows }
    await c.query('BEGIN')
    await queueDocumentMedia(
      executor,
      { gateways: { ipfsGateway: 'http://127.0.0.1:9', arweaveGateway: 'http://127.0.0.1:9', rewriteGateways: [...DEFAULT_REWRITE_GATEWAYS] } },
      docs,
      new Date(),
    )
    await c.query('COMMIT')

    log(`starting a worker (MEDIA_CONCURRENCY=${concurrency})`)
    const worker = startChild('worker', [], {
      DATABASE_URL: url,
      EVM_CHAINS: '[]',
      FETCH_ALLOW_HOSTS: `127.0.0.1:${port}`,
      MEDIA_DIR: mediaDir,
      MEDIA_CONCURRENCY: String(concurrency),
      LOG_LEVEL: 'info',
    })
    await waitFor(
      'the worker to start',
      async () => worker.output().includes('worker started'),
      60_000,
      20,
      () => worker.output(),
    )
    const cpu0 = worker.cpuSeconds()
    const t0 = Date.now()
    const sampler = setInterval(() => worker.sample(), 100)
    const done = await waitFor(
      'every media job to finish',
      async () => {
        const r = await c.query(
          `SELECT count(*) FILTER (WHERE status = 'DONE')::int AS done, count(*) FILTER (WHERE status IN ('FAILED', 'INVALID'))::int AS bad FROM metadata_job WHERE kind = 'MEDIA'`,
        )
        const row = r.rows[0] as { done: number; bad: number }
        return row.done + row.bad >= n ? row : undefined
      },
      30 * 60_000,
      50,
      () => worker.output(),
    )
    const seconds = (Date.now() - t0) / 1000
    clearInterval(sampler)
    worker.sample()
    const cpuMs = (worker.cpuSeconds() - cpu0) * 1000
    await worker.stop()
    const stored = fs.readdirSync(mediaDir, { recursive: true }).filter((f) => String(f).endsWith('.png')).length
    const distinct = (await c.query(`SELECT count(DISTINCT content_hash)::int AS n FROM media_source`)).rows[0].n as number
    if (distinct !== n) throw new Error(`the fixture has ${distinct} distinct contents, not ${n}: the run would measure deduplication`)

    log('measuring the bound (decode + resize, one process, no queue)')
    const bound = await runBound(images, n, concurrency)
    const rate = n / seconds
    const boundRate = n / bound.seconds
    const table = mdTable(
      ['run', 'images', 'seconds', 'images/s', 'CPU ms per image', 'peak RSS', 'share of the bound'],
      [
        [
          `worker (media lane, host at ${latency} ms, MEDIA_CONCURRENCY=${concurrency})`,
          fmt(n),
          seconds.toFixed(1),
          rate.toFixed(1),
          (cpuMs / n).toFixed(1),
          mb(worker.peak.hwmKb),
          `${((rate / boundRate) * 100).toFixed(0)} %`,
        ],
        [
          `bound: renderImage in one process, no queue, concurrency ${concurrency}`,
          fmt(n),
          bound.seconds.toFixed(1),
          boundRate.toFixed(1),
          (bound.cpuMs / n).toFixed(1),
          mb(bound.hwmKb),
          '100 %',
        ],
      ],
    )
    const summary = [
      machineTable(machine(), commandLine()),
      '',
      `${fmt(n)} distinct 1024 x 1024 PNGs (${mb(bytes / 1024)} in all, ${fmt(bytes / n / 1024)} KiB each), each answered after ${latency} ms; thumbnails ${WIDTHS.join(', ')} px (WebP) and a ThumbHash per image. Outcomes: ${done.done} DONE, ${done.bad} FAILED or INVALID; ${distinct} distinct contents, ${stored} originals stored. The machine is shared with other agents (2 cores): figures vary between runs.`,
      '',
      table,
    ].join('\n')
    process.stdout.write(`\n${summary}\n`)
    if (!args.flags.has('no-md')) writeBenchResult('Media cache (npm run bench:media)', summary)
  } finally {
    await c.end().catch(() => {})
    await dropDatabase(pg, dbName)
    await pg.stop()
    host.close()
    fs.rmSync(work, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--bound') {
  boundChild(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5])).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bound failed: ${e instanceof Error ? e.stack : String(e)}\n`)
      process.exit(1)
    },
  )
} else {
  runBenchMain('bench:media', main, 60)
}
