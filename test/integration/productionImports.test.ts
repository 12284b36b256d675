// A production install (`npm ci --omit=dev`) has no devDependencies and must never run the devnet
// code: a static walk of the compiled import graph (lib/, built by the global setup) from every
// production entry point proves neither is reachable. The devnet lives in devnet/ and is built on
// its own into .cache/devnet (devnet/tsconfig.json), so lib/ must not lead there nor to the sources.
import { builtinModules } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(__dirname, '../..')
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> }
const PRODUCTION_ENTRIES = [
  'lib/main/api.js',
  'lib/main/worker.js',
  'lib/main/evm-processor.js',
  'lib/main/stacks-processor.js',
  'lib/main/stacks-observer.js',
  'lib/main/migrate.js',
  'bin/token-metadata.js',
]
const BUILTIN = new Set(builtinModules)
/** Where devnet code is: its sources and its own build (npm run dev runs .cache/devnet/devnet/dev.js). */
const DEVNET_DIRS = [path.join(ROOT, 'devnet'), path.join(ROOT, '.cache/devnet')].map((d) => d + path.sep)
const DEV_ENTRY = '.cache/devnet/devnet/dev.js'

function isDevnet(file: string): boolean {
  return DEVNET_DIRS.some((dir) => file.startsWith(dir))
}

interface ImportGraph {
  /** Our files reached, each with the file that first required it. */
  files: Map<string, string | undefined>
  /** Package name -> the file that requires it. */
  packages: Map<string, string>
}

function packageName(spec: string): string {
  const parts = spec.split('/')
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

function resolveLocal(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec)
  for (const candidate of [base, `${base}.js`, path.join(base, 'index.js')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate
  }
  throw new Error(`${path.relative(ROOT, from)} requires ${spec}, which does not exist`)
}

/** Every `require("…")` of the compiled files reachable from the entries (dynamic import() compiles to require too). */
function walk(entries: string[]): ImportGraph {
  const graph: ImportGraph = { files: new Map(), packages: new Map() }
  const todo = entries.map((e) => ({ file: path.join(ROOT, e), from: undefined as string | undefined }))
  while (todo.length) {
    const { file, from } = todo.pop()!
    if (graph.files.has(file)) continue
    graph.files.set(file, from)
    const source = fs.readFileSync(file, 'utf8')
    for (const m of source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1]
      if (spec.startsWith('.')) todo.push({ file: resolveLocal(file, spec), from: file })
      else if (!spec.startsWith('node:') && !BUILTIN.has(spec)) graph.packages.set(packageName(spec), file)
    }
  }
  return graph
}

/** entry -> … -> file, for an assertion message. */
function chainTo(graph: ImportGraph, file: string): string {
  const chain: string[] = []
  for (let f: string | undefined = file; f; f = graph.files.get(f)) chain.unshift(path.relative(ROOT, f))
  return chain.join(' -> ')
}

describe('production entry points', () => {
  const graph = walk(PRODUCTION_ENTRIES)

  it('reach no devnet code', () => {
    const devnet = [...graph.files.keys()].filter(isDevnet)
    expect(devnet.map((f) => chainTo(graph, f))).toEqual([])
  })

  it('require only packages listed in dependencies', () => {
    const outside = [...graph.packages].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} from ${chainTo(graph, file)}`)
    expect(outside).toEqual([])
  })

  it('the walk sees what it checks: npm run dev reaches the devnet code and the clarinet SDK (a dev dependency)', () => {
    const dev = walk([DEV_ENTRY])
    expect([...dev.files.keys()].filter(isDevnet).length).toBeGreaterThan(10)
    expect(dev.packages.has('@stacks/clarinet-sdk')).toBe(true)
    expect('@stacks/clarinet-sdk' in pkg.devDependencies).toBe(true)
    expect(graph.packages.has('fastify')).toBe(true)
  })

  it('hardhat, solc, OpenZeppelin and the clarinet SDK are devDependencies', () => {
    for (const name of ['hardhat', 'solc', '@openzeppelin/contracts', '@stacks/clarinet-sdk']) {
      expect({ name, dev: name in pkg.devDependencies, prod: name in pkg.dependencies }).toEqual({ name, dev: true, prod: false })
    }
  })
})
