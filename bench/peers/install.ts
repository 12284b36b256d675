/**
 * The peers of `npm run bench:peers`, installed on demand: `npm ci` into bench/peers from its own
 * package-lock.json (exact pins), outside the root install, then the code that needs them built
 * by bench/peers/tsconfig.json into .cache/peers and the Ponder app type-checked (Ponder runs its .ts
 * files itself).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { ROOT, log } from '../common'

export const PEERS_DIR = path.join(ROOT, 'bench/peers')
const PEER_MODULES = path.join(PEERS_DIR, 'node_modules')

/** Where `npm ci` leaves its record of what it installed; older than the lock file = stale. */
function installed(): boolean {
  const record = path.join(PEER_MODULES, '.package-lock.json')
  if (!fs.existsSync(record)) return false
  return fs.statSync(record).mtimeMs >= fs.statSync(path.join(PEERS_DIR, 'package-lock.json')).mtimeMs
}

export interface PeerVersions {
  ponder: string
  graphileWorker: string
  graphqlServer: string
  evmProcessor: string
  typeormStore: string
}

function versionOf(pkg: string, base: string): string {
  const file = path.join(base, 'node_modules', pkg, 'package.json')
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version
}

/** Installs (when missing or stale) and builds the peers; returns the versions in use. */
export function preparePeers(): PeerVersions {
  if (!installed()) {
    log('installing the peers (npm ci --prefix bench/peers)…')
    execFileSync('npm', ['ci', '--prefix', PEERS_DIR, '--no-audit', '--no-fund', '--loglevel', 'error'], { stdio: 'inherit' })
  }
  log('building bench/peers/tsconfig.json, type-checking the Ponder app…')
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc')
  for (const project of ['tsconfig.json', 'app/ponder/tsconfig.json']) execFileSync(process.execPath, [tsc, '-p', path.join(PEERS_DIR, project)], { stdio: 'inherit' })
  return {
    ponder: versionOf('ponder', PEERS_DIR),
    graphileWorker: versionOf('graphile-worker', PEERS_DIR),
    graphqlServer: versionOf('@subsquid/graphql-server', PEERS_DIR),
    evmProcessor: versionOf('@subsquid/evm-processor', ROOT),
    typeormStore: versionOf('@subsquid/typeorm-store', ROOT),
  }
}

/** A peer's CLI script inside bench/peers/node_modules. */
export function peerBin(pkg: string, relative: string): string {
  return path.join(PEER_MODULES, pkg, relative)
}
