/**
 * Timing probe for the benchmarks, loaded into a child process with `node -r` (never by the
 * product): it wraps a few async functions of the compiled lib/ and node-postgres' Client#query
 * with timers and, when the process exits, writes a JSON summary to $BENCH_TRACE_OUT.
 *
 * $BENCH_TRACE_ROLE picks the functions: `processor` or `worker`. Wrapped functions are the
 * module exports / prototype methods the product itself calls through (tsc's commonjs output calls
 * `(0, mod_1.fn)(…)`, so replacing the export is seen by every caller). Times are sums of call
 * latencies: concurrent calls overlap, so for a worker they are per-call costs, not wall shares.
 */
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'

const out = process.env.BENCH_TRACE_OUT
const role = process.env.BENCH_TRACE_ROLE ?? ''
const LIB = path.resolve(__dirname, '../../../../lib')

interface Stat {
  calls: number
  ms: number
  maxMs: number
  /** optional size measure (rows, params) summed over calls */
  items: number
}

const stats = new Map<string, Stat>()
const sql = new Map<string, Stat>()
const spans: Record<string, [number, number][]> = {}

function add(map: Map<string, Stat>, key: string, ms: number, items = 0): void {
  const s = map.get(key) ?? { calls: 0, ms: 0, maxMs: 0, items: 0 }
  s.calls++
  s.ms += ms
  s.items += items
  if (ms > s.maxMs) s.maxMs = ms
  map.set(key, s)
}

type AnyFn = (...args: unknown[]) => unknown

function wrap(obj: Record<string, unknown>, key: string, label: string, opts: { span?: boolean; items?: (args: unknown[]) => number } = {}): void {
  const orig = obj[key] as AnyFn | undefined
  if (typeof orig !== 'function') {
    process.stderr.write(`[bench trace] ${label}: not a function, not traced\n`)
    return
  }
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now()
    const done = () => {
      const t1 = performance.now()
      add(stats, label, t1 - t0, opts.items ? opts.items(args) : 0)
      if (opts.span) (spans[label] ??= []).push([t0, t1])
    }
    const r = orig.apply(this, args)
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      ;(r as Promise<unknown>).then(done, done)
    } else {
      done()
    }
    return r
  }
  obj[key] = wrapped
}

function libModule(rel: string): Record<string, unknown> {
  return require(path.join(LIB, rel)) as Record<string, unknown>
}

function proto(mod: Record<string, unknown>, cls: string): Record<string, unknown> {
  return (mod[cls] as { prototype: Record<string, unknown> }).prototype
}

const len = (i: number) => (args: unknown[]) => (Array.isArray(args[i]) ? (args[i] as unknown[]).length : 0)

function sqlKey(text: string): string {
  const s = text.trim().replace(/\s+/g, ' ')
  const v = s.search(/ VALUES /i)
  const head = v > 0 ? s.slice(0, v) + ' VALUES …' : s
  // column lists of generated INSERTs are long and say nothing
  return head.replace(/\((?:"[a-z_]+", ?)+"[a-z_]+"\)/g, '(…)').slice(0, 110)
}

function tracePg(): void {
  const pg = require('pg') as { Client: { prototype: Record<string, unknown> } }
  const orig = pg.Client.prototype.query as AnyFn
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0]
    const text = typeof first === 'string' ? first : first && typeof (first as { text?: unknown }).text === 'string' ? (first as { text: string }).text : undefined
    if (!text || (first && typeof (first as { submit?: unknown }).submit === 'function')) return orig.apply(this, args)
    const params = Array.isArray(args[1]) ? (args[1] as unknown[]) : Array.isArray((first as { values?: unknown }).values) ? (first as { values: unknown[] }).values : []
    let items = params.length
    for (const p of params) if (Array.isArray(p)) items = Math.max(items, p.length)
    const key = sqlKey(text)
    const t0 = performance.now()
    const last = args[args.length - 1]
    if (typeof last === 'function') {
      args[args.length - 1] = function (this: unknown, ...cbArgs: unknown[]) {
        add(sql, key, performance.now() - t0, items)
        return (last as AnyFn).apply(this, cbArgs)
      }
      return orig.apply(this, args)
    }
    const r = orig.apply(this, args)
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      const done = () => add(sql, key, performance.now() - t0, items)
      ;(r as Promise<unknown>).then(done, done)
    }
    return r
  }
}

function traceProcessor(): void {
  const tstore = require('@subsquid/typeorm-store/lib/database') as Record<string, unknown>
  // ChainDatabase (lib/store/chainDatabase.js) overrides both methods and calls the originals
  // only in some cases: wrap the class the processor instantiates
  const chainDb = libModule('store/chainDatabase.js')
  const db = chainDb.ChainDatabase ? proto(chainDb, 'ChainDatabase') : proto(tstore, 'TypeormDatabase')
  wrap(db, 'transact', 'TypeormDatabase.transact (finalized batch tx)', { span: true })
  wrap(db, 'transactHot2', 'TypeormDatabase.transactHot2 (hot blocks tx)', { span: true })
  const store = proto(require('@subsquid/typeorm-store/lib/store') as Record<string, unknown>, 'Store')
  for (const m of ['upsert', 'insert', 'remove', 'findBy']) wrap(store, m, `Store.${m}`, { items: len(0) })
  const hot = proto(require('@subsquid/typeorm-store/lib/hot') as Record<string, unknown>, 'ChangeTracker')
  wrap(hot, 'trackUpsert', 'ChangeTracker.trackUpsert (hot blocks)', { items: len(1) })
  const bs = libModule('ingest/batchState.js').BatchState as unknown as Record<string, unknown>
  wrap(bs, 'load', 'BatchState.load')
  wrap(libModule('ingest/applyEvents.js'), 'applyEvents', 'applyEvents (handler minus decode)', { items: len(1) })
  wrap(libModule('store/jobs/enqueue.js'), 'enqueueJobs', 'enqueueJobs', { items: len(1) })
  const rpc = proto(require('@subsquid/rpc-client') as Record<string, unknown>, 'RpcClient')
  wrap(rpc, 'call', 'RpcClient.call')
  wrap(rpc, 'batchCall', 'RpcClient.batchCall', { items: len(0) })
}

function traceWorker(): void {
  wrap(libModule('store/jobs/claim.js'), 'claimJobs', 'claimJobs', { span: true })
  wrap(libModule('store/refreshItems.js'), 'startRefreshes', 'startRefreshes', { items: len(1) })
  wrap(libModule('queue/settle.js'), 'settleJobs', 'settleJobs (in its tx)', { items: len(2), span: true })
  wrap(proto(libModule('chains/evm/evmReader.js'), 'EvmReader'), 'tokenUri', 'EvmReader.tokenUri (eth_call)')
  wrap(proto(libModule('chains/evm/evmReader.js'), 'EvmReader'), 'contractReads', 'EvmReader.contractReads')
  wrap(libModule('metadata/loadMetadata.js'), 'loadMetadata', 'loadMetadata (slot + fetch + normalise)')
  wrap(libModule('metadata/fetcher/safeFetch.js'), 'safeFetch', 'safeFetch (HTTP)')
  wrap(proto(libModule('queue/hostSlots.js'), 'HostSlots'), 'acquire', 'HostSlots.acquire')
  const jobs = libModule('queue/jobs/index.js')
  const origHandler = jobs.metadataJobHandler as AnyFn
  jobs.metadataJobHandler = (...args: unknown[]) => {
    const h = origHandler(...args) as AnyFn
    const holder = { h }
    wrap(holder as unknown as Record<string, unknown>, 'h', 'job handler (whole attempt)')
    return holder.h
  }
}

let elu0: ReturnType<typeof performance.eventLoopUtilization> | undefined

function start(): void {
  if (!out) return
  require('reflect-metadata')
  tracePg()
  if (role === 'processor') traceProcessor()
  if (role === 'worker') traceWorker()
  elu0 = performance.eventLoopUtilization()
  process.on('exit', () => {
    const elu = performance.eventLoopUtilization(elu0)
    const gaps = (label: string) => {
      const s = (spans[label] ?? []).sort((a, b) => a[0] - b[0])
      let gap = 0
      for (let i = 1; i < s.length; i++) gap += Math.max(0, s[i][0] - s[i - 1][1])
      return { spans: s.length, first: s[0]?.[0], last: s[s.length - 1]?.[1], gapMs: gap }
    }
    const obj = {
      role,
      pid: process.pid,
      uptimeMs: performance.now(),
      eventLoopUtilization: elu.utilization,
      functions: Object.fromEntries(stats),
      sql: Object.fromEntries([...sql.entries()].sort((a, b) => b[1].ms - a[1].ms)),
      spans: Object.fromEntries(Object.keys(spans).map((k) => [k, gaps(k)])),
    }
    try {
      fs.writeFileSync(out, JSON.stringify(obj, null, 1))
    } catch {
      // nothing to do at exit
    }
  })
}

start()
