/**
 * Shared plumbing of the benchmarks (not a benchmark itself): command-line arguments, child
 * processes with RSS/CPU accounting, a local hardhat chain with minted tokens, CPU-profile
 * summaries, markdown tables and the writer of run reports (bench/results/). Postgres, process
 * start-up, chains and waits are the harness's (test/helpers), shared with the tests and drills.
 *
 * The benchmarks import src/ as typed modules; bench/tsconfig.json compiles them (with the src/
 * they use) into .cache/bench. The processes they measure run the main build in lib/. Every loop
 * here is bounded in count and time.
 */
import { execFileSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client } from 'pg'
import * as DevnetEvm from '../devnet/evm'
import { packageRoot } from '../src/lib/packageRoot'
import { cloneDatabase, createMigratedDatabase, dropDatabase as harnessDropDatabase, startPostgres as harnessStartPostgres, type PgServer } from '../test/helpers/postgres'
import { indexedHeight as harnessIndexedHeight } from '../test/helpers/indexer'
import { roleEnv, startProcess } from '../test/helpers/processes'
import { spawnNode, type NodeProcess } from '../src/lib/nodeProcess'

// ---------------------------------------------------------------------------------------------
// Paths and the code under test

export const ROOT = packageRoot()

/**
 * @deprecated Import the module instead (typed, checked by bench/tsconfig.json). Kept only so a
 * benchmark written before the typed imports still builds; no benchmark here uses it.
 */
export function fromLib<T>(module: string): T {
  const file = path.join(ROOT, 'lib', `${module}.js`)
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: build first (npx tsc -p tsconfig.json)`)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as T
}

/** The local chains of devnet/evm. */
export function devnet(): typeof DevnetEvm {
  return DevnetEvm
}

// ---------------------------------------------------------------------------------------------
// Command line

export interface Args {
  flags: Set<string>
  values: Map<string, string>
}

export function parseArgs(argv: string[]): Args {
  const flags = new Set<string>()
  const values = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) continue
    const eq = a.indexOf('=')
    if (eq > 0) values.set(a.slice(2, eq), a.slice(eq + 1))
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.set(a.slice(2), argv[++i])
    else flags.add(a.slice(2))
  }
  return { flags, values }
}

export function intArg(args: Args, name: string, dflt: number): number {
  const v = args.values.get(name)
  if (v === undefined) return dflt
  const n = Number(v.replace(/[_,]/g, ''))
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got ${v}`)
  return n
}

export function listArg(args: Args, name: string, dflt: number[]): number[] {
  const v = args.values.get(name)
  if (v === undefined) return dflt
  return v.split(',').map((x) => {
    const n = Number(x.trim().replace(/_/g, ''))
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected positive integers, got ${v}`)
    return n
  })
}

// ---------------------------------------------------------------------------------------------
// Small utilities

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export function log(msg: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
}

export { waitFor } from '../test/helpers/waitFor'

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n)
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`
}

export function mb(kb: number): string {
  return `${(kb / 1024).toFixed(0)} MB`
}

export function mdTable(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n')
}

// ---------------------------------------------------------------------------------------------
// Machine, process accounting

export interface Machine {
  nproc: number
  memory: string
  cpu: string
  node: string
}

export function machine(): Machine {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8')
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown'
  return {
    nproc: os.availableParallelism(),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    cpu: model,
    node: process.version,
  }
}

/** VmHWM / VmRSS of a live process, in kB (0 when unreadable). */
export function memoryOf(pid: number): { hwmKb: number; rssKb: number } {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0)
    return { hwmKb: get('VmHWM'), rssKb: get('VmRSS') }
  } catch {
    return { hwmKb: 0, rssKb: 0 }
  }
}

const TICKS = 100 // USER_HZ on Linux

function statFields(pid: number): string[] | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return s.slice(s.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** CPU seconds of a process (user + system); with `children`, also those of its reaped children. */
export function cpuOf(pid: number, children = false): number {
  const f = statFields(pid)
  if (!f) return 0
  // fields after "(comm)": state=0 ppid=1 ... utime=11 stime=12 cutime=13 cstime=14
  const t = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0)
  return t / TICKS
}

/** Pids whose parent is `pid` (one level). */
export function childPids(pid: number): number[] {
  const out: number[] = []
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    const f = statFields(Number(e))
    if (f && Number(f[1]) === pid) out.push(Number(e))
  }
  return out
}

/** CPU seconds of a process tree: the root (with reaped children) plus live descendants. */
export function treeCpu(pid: number, depth = 3): number {
  let t = cpuOf(pid, true)
  if (depth > 0) for (const c of childPids(pid)) t += treeCpu(c, depth - 1)
  return t
}

// ---------------------------------------------------------------------------------------------
// Postgres (the harness's: test/helpers/postgres.ts)

export { adminQuery, withDatabase, type PgServer } from '../test/helpers/postgres'

/** DATABASE_URL's server, or an embedded Postgres in a temp dir (durability off, like the tests). */
export const startPostgres = harnessStartPostgres

/** A fresh database (dropped first if it exists), migrated unless `template` is given. */
export function createDatabase(pg: PgServer, name: string, template?: string): Promise<string> {
  return template ? cloneDatabase(pg.adminUrl, name, template) : createMigratedDatabase(pg.adminUrl, name)
}

/** Drops a database if it exists; a failure is logged, not thrown (a bench's cleanup goes on). */
export async function dropDatabase(pg: PgServer, name: string): Promise<void> {
  await harnessDropDatabase(pg.adminUrl, name).catch((e: unknown) => log(`could not drop database ${name}: ${e instanceof Error ? e.message : String(e)}`))
}

/**
 * The root's node-postgres client type, for bench code under bench/peers (whose own node_modules,
 * when installed, hold another @types/pg that a plain `import from 'pg'` there would resolve to).
 */
export type PgClient = Client

export async function connect(url: string): Promise<Client> {
  const c = new Client({ connectionString: url })
  // a connection dropped by the server (database dropped, server stopped) must not crash the bench
  c.on('error', (err) => log(`postgres connection error (${new URL(url).pathname}): ${err.message}`))
  await c.connect()
  return c
}

/** pg_stat_database counters of one database (flushed by the server at most once a second). */
export interface DbStats {
  xact_commit: number
  xact_rollback: number
  tup_inserted: number
  tup_updated: number
  tup_deleted: number
  tup_returned: number
  tup_fetched: number
  blks_hit: number
  blks_read: number
}

export async function dbStats(c: Client, database: string): Promise<DbStats> {
  const { rows } = await c.query(
    `SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_returned, tup_fetched, blks_hit, blks_read
       FROM pg_stat_database WHERE datname = $1`,
    [database],
  )
  const r = rows[0] as Record<string, string>
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as unknown as DbStats
}

export function statsDelta(a: DbStats, b: DbStats): DbStats {
  return Object.fromEntries(Object.keys(a).map((k) => [k, b[k as keyof DbStats] - a[k as keyof DbStats]])) as unknown as DbStats
}

/** Highest block a chain's processor has written (final or hot), or -1 (the harness's indexedHeight). */
export function indexedHeight(c: Client, chain: string): Promise<number> {
  return harnessIndexedHeight({ query: async (sql, params) => (await c.query(sql, params)).rows }, chain)
}

// ---------------------------------------------------------------------------------------------
// Child processes (the real entry points in lib/main)

export interface Child {
  name: string
  child: ChildProcess
  pid: number
  output(): string
  exited: Promise<number | null>
  /** last VmHWM/VmRSS seen by sample() or at stop */
  peak: { hwmKb: number; rssKb: number }
  /** records VmHWM now (call before stopping; /proc is gone after exit) */
  sample(): void
  cpuSeconds(): number
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>
}

export interface ChildOptions {
  /** write a V8 CPU profile (node --cpu-prof) into this directory */
  cpuProfDir?: string
  /** `node -r <file>` for each */
  preload?: string[]
  /** extra node flags */
  nodeFlags?: string[]
  /** extra environment */
  env?: Record<string, string>
}

/**
 * Starts `node lib/main/<entry>.js` with only the given environment (the harness's startProcess,
 * at LOG_LEVEL warn), with memory and CPU accounting.
 */
export function startChild(entry: string, args: string[], env: Record<string, string>, opts: ChildOptions = {}): Child {
  const nodeFlags = [...(opts.nodeFlags ?? [])]
  if (opts.cpuProfDir) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`)
  for (const p of opts.preload ?? []) nodeFlags.push('-r', p)
  return accountedChild(entry, startProcess(entry, args, { LOG_LEVEL: 'warn', ...env, ...opts.env }, { nodeFlags, keepLines: 300 }))
}

/**
 * Runs a script that is not one of ours (a peer's CLI, bench/peers) from `cwd` with only the given
 * environment on top of the harness's minimal one, with the same memory and CPU accounting.
 */
export function startScript(script: string, args: string[], env: Record<string, string>, cwd: string): Child {
  return accountedChild(path.basename(script), spawnNode(script, args, { cwd, env: roleEnv({ LOG_LEVEL: 'warn', ...env }), keepLines: 300 }))
}

function accountedChild(name: string, proc: NodeProcess): Child {
  const pid = proc.pid
  const c: Child = {
    name,
    child: proc.child,
    pid,
    output: () => proc.output(),
    exited: proc.exited,
    peak: { hwmKb: 0, rssKb: 0 },
    sample() {
      const m = memoryOf(pid)
      if (m.hwmKb > 0) c.peak = { hwmKb: Math.max(c.peak.hwmKb, m.hwmKb), rssKb: Math.max(c.peak.rssKb, m.rssKb) }
    },
    cpuSeconds: () => cpuOf(pid, true),
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000) {
      c.sample()
      return proc.stop(signal, timeoutMs)
    },
  }
  return c
}

// ---------------------------------------------------------------------------------------------
// Local EVM chain

export type Chain = DevnetEvm.LocalEvmChain

/** A hardhat node with the compiled test contracts (devnet/evm startLocalEvmChain). */
export function startChain(): Promise<Chain> {
  return DevnetEvm.startLocalEvmChain({ blockGasLimit: 60_000_000 })
}

/** Mints `count` ERC-721 tokens (prefix URIs, ~530 per transaction); returns the contract and timing. */
export async function mintCollection(
  chain: Chain,
  count: number,
  uriPrefix: string,
  name = 'Bench',
): Promise<{ contract: DevnetEvm.DeployedContract; txs: number; seconds: number; logs: number }> {
  const d = chain.driver
  const contract = await d.deploy('TestERC721', [name, 'BNCH', ''])
  const started = performance.now()
  const to = d.accounts[1]
  let txs = 0
  let logs = 0
  // In slices so progress is visible and memory stays flat (the driver keeps receipts per call).
  const SLICE = 10_000
  for (let start = 0; start < count; start += SLICE) {
    const n = Math.min(SLICE, count - start)
    const r = await d.mintErc721Batch(contract, to, BigInt(start), n, uriPrefix)
    txs += r.txs.length
    for (const tx of r.txs) logs += tx.logs.length
    if (count > SLICE) log(`  minted ${fmt(start + n)} / ${fmt(count)} (${txs} txs, ${((performance.now() - started) / 1000).toFixed(1)} s)`)
  }
  return { contract, txs, seconds: (performance.now() - started) / 1000, logs }
}

/** One JSON-RPC call (or batch) with fetch. */
export async function rpcCall<T>(url: string, body: unknown, timeoutMs = 60_000): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!res.ok) throw new Error(`RPC HTTP ${res.status}`)
  return (await res.json()) as T
}

// ---------------------------------------------------------------------------------------------
// CPU profiles (node --cpu-prof): self time by function and by where the code lives

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface ProfileSummary {
  file: string
  totalMs: number
  byArea: { area: string; ms: number; share: number }[]
  byFunction: { fn: string; where: string; ms: number; share: number }[]
}

function areaOf(url: string, fn: string): string {
  if (!url) {
    if (fn === '(garbage collector)') return 'GC'
    if (fn === '(idle)') return 'idle'
    if (fn === '(program)') return 'program (native, unattributed)'
    return fn || 'native'
  }
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (url.startsWith('node:')) return 'node core'
  const lib = url.indexOf('/lib/')
  if (lib >= 0 && url.includes(ROOT))
    return `lib/${url
      .slice(lib + 5)
      .split('/')
      .slice(0, 2)
      .join('/')}`
  return url.replace(/^file:\/\//, '')
}

/** Summarises a .cpuprofile: self time per area (package / our module folder) and per function. */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
  const areas = new Map<string, number>()
  const fns = new Map<string, { fn: string; where: string; ms: number }>()
  let total = 0
  for (const [id, us] of self) {
    const n = byId.get(id)!
    const ms = us / 1000
    total += ms
    const area = areaOf(n.callFrame.url, n.callFrame.functionName)
    areas.set(area, (areas.get(area) ?? 0) + ms)
    const where = n.callFrame.url ? `${areaOf(n.callFrame.url, '')}:${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''
    const key = `${n.callFrame.functionName}|${where}`
    const f = fns.get(key) ?? { fn: n.callFrame.functionName || '(anonymous)', where, ms: 0 }
    f.ms += ms
    fns.set(key, f)
  }
  const busy = total - (areas.get('idle') ?? 0)
  return {
    file,
    totalMs: total,
    byArea: [...areas.entries()]
      .map(([area, ms]) => ({ area, ms, share: ms / total }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
    byFunction: [...fns.values()]
      .filter((f) => f.fn !== '(idle)')
      .map((f) => ({ ...f, share: f.ms / busy }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
  }
}

export function profileTables(s: ProfileSummary): string {
  return [
    `Profile \`${path.relative(ROOT, s.file)}\` (${fmt(s.totalMs)} ms sampled):`,
    '',
    mdTable(
      ['area (self time)', 'ms', 'share'],
      s.byArea.map((a) => [a.area, fmt(a.ms), pct(a.share)]),
    ),
    '',
    mdTable(
      ['function (self time, idle excluded)', 'where', 'ms', 'share of busy'],
      s.byFunction.map((f) => [f.fn, f.where, fmt(f.ms), pct(f.share)]),
    ),
  ].join('\n')
}

export function latestProfile(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
  files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
  return files[0]
}

// ---------------------------------------------------------------------------------------------
// Run reports

/** The code measured: commit, and whether src/ had uncommitted changes (others edit the tree). */
export function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'db'], { cwd: ROOT, encoding: 'utf8' }).trim()
    return dirty ? `${head} + uncommitted src/db changes` : head
  } catch {
    return 'unknown'
  }
}

export function machineTable(m: Machine, command: string): string {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  return mdTable(
    ['nproc', 'memory', 'CPU', 'Node', 'load avg at report (1/5/15 min)', 'code', 'command'],
    [[m.nproc, m.memory, m.cpu, m.node, load, codeVersion(), `\`${command}\``]],
  )
}

/**
 * Writes a run's report to `bench/results/<UTC stamp>-<title>.md` (raw dated runs live there;
 * BENCHMARKS.md keeps the latest figure of each measurement and links the file). Returns the path.
 */
export function writeBenchResult(title: string, body: string): string {
  const now = new Date()
  const stamp = now.toISOString().replace('T', ' ').slice(0, 19) + ' UTC'
  const file = path.join(ROOT, 'bench', 'results', `${resultFileStamp(now)}-${slugOf(title)}.md`)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, `# ${title}: ${stamp}\n\n${body.trim()}\n`)
  log(`report written to ${path.relative(ROOT, file)}; update its row in BENCHMARKS.md`)
  return file
}

/** `20261204-0213`: the file-name form of a UTC time. */
export function resultFileStamp(at: Date): string {
  return at.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')
}

function slugOf(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
}

export function commandLine(): string {
  const npmScript = process.env.npm_lifecycle_event
  const args = process.argv.slice(2).join(' ')
  if (npmScript && npmScript.startsWith('bench')) return `npm run ${npmScript}${args ? ` -- ${args}` : ''}`
  return `node ${path.relative(ROOT, process.argv[1])}${args ? ` ${args}` : ''}`
}

// ---------------------------------------------------------------------------------------------
// Timing probe (bench/preload/trace.ts) in child processes

export interface TraceStat {
  calls: number
  ms: number
  maxMs: number
  items: number
}

export interface Trace {
  role: string
  pid: number
  uptimeMs: number
  eventLoopUtilization: number
  functions: Record<string, TraceStat>
  sql: Record<string, TraceStat>
  spans: Record<string, { spans: number; first?: number; last?: number; gapMs: number }>
}

/** Child options that load the probe, writing its summary to `file` at exit. */
export function traceOptions(file: string | undefined, role: 'processor' | 'worker'): { preload?: string[]; env?: Record<string, string> } {
  const preload: string[] = []
  const env: Record<string, string> = {}
  if (file) {
    fs.rmSync(file, { force: true })
    preload.push(path.join(__dirname, 'preload', 'trace.js'))
    Object.assign(env, { BENCH_TRACE_OUT: file, BENCH_TRACE_ROLE: role })
  }
  return { preload, env }
}

export function readTrace(file: string): Trace | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Trace
  } catch {
    return undefined
  }
}

/** Markdown: wrapped functions and the SQL statements by total client-side time. */
export function traceTables(t: Trace, what: string, perUnit?: { n: number; unit: string }, topSql = 12): string {
  const fnRows = Object.entries(t.functions)
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([k, s]) => [k, fmt(s.calls), fmt(s.ms), (s.ms / s.calls).toFixed(2), fmt(s.maxMs, 1), s.items ? fmt(s.items) : ''])
  const sqlEntries = Object.entries(t.sql)
  const totalSql = sqlEntries.reduce((a, [, s]) => a + s.calls, 0)
  const totalSqlMs = sqlEntries.reduce((a, [, s]) => a + s.ms, 0)
  const sqlRows = sqlEntries.slice(0, topSql).map(([k, s]) => [`\`${k}\``, fmt(s.calls), fmt(s.ms), (s.ms / s.calls).toFixed(2), perUnit ? (s.calls / perUnit.n).toFixed(3) : ''])
  return [
    `Timing probe in the ${what} (bench/preload/trace.ts; sums of call latencies, concurrent calls overlap): uptime ${fmt(t.uptimeMs)} ms, event-loop utilisation ${pct(t.eventLoopUtilization)}, ${fmt(totalSql)} SQL statements (${fmt(totalSqlMs)} ms)${perUnit ? `, ${(totalSql / perUnit.n).toFixed(2)} statements per ${perUnit.unit}` : ''}.`,
    '',
    mdTable(['function', 'calls', 'total ms', 'mean ms', 'max ms', 'items'], fnRows),
    '',
    mdTable(['SQL statement (normalised)', 'calls', 'total ms', 'mean ms', perUnit ? `per ${perUnit.unit}` : ''], sqlRows),
  ].join('\n')
}

/**
 * A benchmark's entry point: exit 0 when `main` resolves, 1 with the stack when it throws, 3 when
 * it is still running after `limitMinutes` (none when undefined).
 */
export function runBenchMain(name: string, main: () => Promise<unknown>, limitMinutes?: number): void {
  if (limitMinutes !== undefined) {
    const hardLimit = setTimeout(() => {
      process.stderr.write(`${name}: ${limitMinutes} minute limit reached, exiting\n`)
      process.exit(3)
    }, limitMinutes * 60_000)
    hardLimit.unref()
  }
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
      process.exit(1)
    },
  )
}
