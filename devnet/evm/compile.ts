// Compiles the Solidity sources in `contracts/` with solc-js and caches abi + bytecode under
// `.cache/contracts/`, so that only the first run after a source or settings change pays for solc.
//
// solc-js is a synchronous WebAssembly build that takes seconds on these sources, so it runs in a
// worker thread and the caller's event loop (dev mode runs every process in one Node process) keeps
// turning.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Abi, Hex } from 'viem'
import { packageRoot } from '../../src/lib/packageRoot'

export const CONTRACT_NAMES = ['TestERC721', 'TestERC1155', 'TestERC20', 'TestConsecutive', 'NonStandardLogs', 'LegacyERC20'] as const

export type ContractName = (typeof CONTRACT_NAMES)[number]

export interface CompiledContract {
  name: string
  /** Source unit name, e.g. `contracts/TestERC721.sol`. */
  source: string
  abi: Abi
  /** Creation bytecode, 0x-prefixed. */
  bytecode: Hex
}

export type CompiledContracts = Record<ContractName, CompiledContract> & Record<string, CompiledContract | undefined>

export interface CompileOptions {
  /** Directory holding the `.sol` files. Default: `<project root>/contracts`. */
  contractsDir?: string
  /** Cache directory. Default: `<project root>/.cache/contracts`. */
  cacheDir?: string
  /** Ignore the cache and compile again. */
  force?: boolean
}

/** solc settings; part of the cache key. */
export const SOLC_SETTINGS = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
} as const

const CACHE_FORMAT = 1

interface CacheEntry {
  format: number
  key: string
  solcVersion: string
  /** Every file solc read through the import callback, with its sha256, to detect changed dependencies. */
  imports: Record<string, string>
  contracts: Record<string, CompiledContract>
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Finds an imported file: first relative to the project root, then inside node_modules packages. */
function resolveImport(root: string, importPath: string): string | undefined {
  const local = resolve(root, importPath)
  if (local.startsWith(root + sep) && existsSync(local)) return local
  const parts = importPath.split('/')
  const pkgLen = importPath.startsWith('@') ? 2 : 1
  if (parts.length <= pkgLen) return undefined
  const pkg = parts.slice(0, pkgLen).join('/')
  try {
    const pkgJson = require.resolve(`${pkg}/package.json`, { paths: [root] })
    const file = join(dirname(pkgJson), ...parts.slice(pkgLen))
    return existsSync(file) ? file : undefined
  } catch {
    return undefined
  }
}

// Runs inside the worker thread (plain CommonJS, evaluated from a string so that it works the same
// from TypeScript sources under vitest and from compiled output).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const solc = require(workerData.solcPath);
const root = workerData.root;
const imports = {};
function resolveImport(p) {
  const local = path.resolve(root, p);
  if (local.startsWith(root + path.sep) && fs.existsSync(local)) return local;
  const parts = p.split('/');
  const n = p.startsWith('@') ? 2 : 1;
  if (parts.length <= n) return undefined;
  try {
    const pkgJson = require.resolve(parts.slice(0, n).join('/') + '/package.json', { paths: [root] });
    const file = path.join(path.dirname(pkgJson), ...parts.slice(n));
    return fs.existsSync(file) ? file : undefined;
  } catch (e) { return undefined; }
}
function findImports(p) {
  const file = resolveImport(p);
  if (!file) return { error: 'File not found: ' + p };
  const contents = fs.readFileSync(file, 'utf8');
  imports[p] = contents;
  return { contents };
}
const output = solc.compile(JSON.stringify(workerData.input), { import: findImports });
parentPort.postMessage({ output, imports, version: solc.version() });
`

interface WorkerResult {
  output: string
  imports: Record<string, string>
  version: string
}

function runSolcInWorker(root: string, input: unknown): Promise<WorkerResult> {
  const solcPath = require.resolve('solc', { paths: [root] })
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { solcPath, root, input } })
    let settled = false
    worker.once('message', (msg: WorkerResult) => {
      settled = true
      resolvePromise(msg)
      void worker.terminate()
    })
    worker.once('error', (err) => {
      if (!settled) reject(err)
      settled = true
    })
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`solc worker exited with code ${code}`))
      settled = true
    })
  })
}

interface SolcError {
  severity: 'error' | 'warning' | 'info'
  formattedMessage?: string
  message: string
}

interface SolcOutput {
  errors?: SolcError[]
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
}

function readSources(root: string, contractsDir: string): Record<string, { content: string }> {
  const files = readdirSync(contractsDir)
    .filter((f) => f.endsWith('.sol'))
    .sort()
  if (files.length === 0) throw new Error(`no .sol files in ${contractsDir}`)
  const sources: Record<string, { content: string }> = {}
  for (const f of files) {
    const unit = relative(root, join(contractsDir, f)).split(sep).join('/')
    sources[unit] = { content: readFileSync(join(contractsDir, f), 'utf8') }
  }
  return sources
}

function cacheKey(sources: Record<string, { content: string }>, solcPackageVersion: string): string {
  return sha256(JSON.stringify({ format: CACHE_FORMAT, solcPackageVersion, settings: SOLC_SETTINGS, sources }))
}

function loadCache(root: string, file: string, key: string): CacheEntry | undefined {
  if (!existsSync(file)) return undefined
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry
    if (entry.format !== CACHE_FORMAT || entry.key !== key) return undefined
    for (const [p, hash] of Object.entries(entry.imports)) {
      const resolved = resolveImport(root, p)
      if (!resolved || sha256(readFileSync(resolved, 'utf8')) !== hash) return undefined
    }
    return entry
  } catch {
    return undefined
  }
}

function writeCacheAtomically(file: string, entry: CacheEntry): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  writeFileSync(tmp, JSON.stringify(entry))
  renameSync(tmp, file) // atomic: concurrent test workers never read a half-written file
}

function toCompiledContracts(contracts: Record<string, CompiledContract>): CompiledContracts {
  for (const name of CONTRACT_NAMES) {
    if (!contracts[name]) throw new Error(`contract ${name} missing from compiler output`)
  }
  return contracts as CompiledContracts
}

const memo = new Map<string, Promise<CompiledContracts>>()

/**
 * Compiles every `.sol` file in `contracts/` (OpenZeppelin imports resolve from node_modules).
 * Output is cached on disk keyed by the sources, the solc version and the settings; a warm call
 * reads one JSON file. Calls within a process share one result.
 */
export function compileContracts(opts: CompileOptions = {}): Promise<CompiledContracts> {
  const root = packageRoot()
  const contractsDir = opts.contractsDir ?? join(root, 'contracts')
  const cacheDir = opts.cacheDir ?? join(root, '.cache', 'contracts')
  const memoKey = `${contractsDir}\0${cacheDir}`
  if (!opts.force) {
    const hit = memo.get(memoKey)
    if (hit) return hit
  }
  const p = compileUncached(root, contractsDir, cacheDir, opts.force === true)
  memo.set(memoKey, p)
  p.catch(() => memo.delete(memoKey))
  return p
}

async function compileUncached(root: string, contractsDir: string, cacheDir: string, force: boolean): Promise<CompiledContracts> {
  const sources = readSources(root, contractsDir)
  const solcPackageVersion = (JSON.parse(readFileSync(require.resolve('solc/package.json', { paths: [root] }), 'utf8')) as { version: string }).version
  const key = cacheKey(sources, solcPackageVersion)
  const file = join(cacheDir, `${key.slice(0, 32)}.json`)
  if (!force) {
    const cached = loadCache(root, file, key)
    if (cached) return toCompiledContracts(cached.contracts)
  }

  const input = { language: 'Solidity', sources, settings: SOLC_SETTINGS }
  const { output: raw, imports, version } = await runSolcInWorker(root, input)
  const output = JSON.parse(raw) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) {
    throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage ?? e.message).join('\n')}`)
  }
  const contracts: Record<string, CompiledContract> = {}
  for (const unit of Object.keys(sources)) {
    for (const [name, c] of Object.entries(output.contracts?.[unit] ?? {})) {
      if (contracts[name]) throw new Error(`contract name ${name} defined twice (${contracts[name].source}, ${unit})`)
      contracts[name] = { name, source: unit, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }
    }
  }
  const importHashes: Record<string, string> = {}
  for (const [p, content] of Object.entries(imports)) importHashes[p] = sha256(content)
  const result = toCompiledContracts(contracts)
  writeCacheAtomically(file, { format: CACHE_FORMAT, key, solcVersion: version, imports: importHashes, contracts })
  return result
}
