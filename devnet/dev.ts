import 'reflect-metadata'
import fs from 'node:fs'
import path from 'node:path'
import type { DataSource } from 'typeorm'
import { ConfigError, loadConfig, type Config } from '../src/config'
import { startLocalEvmChain } from './evm'
import { DevMetadataServer } from './metadataServer'
import { startActivity } from './seed/activity'
import { seedEvm } from './seed/seedEvm'
import { seedStacks } from './seed/seedStacks'
import { startStacksSimulator } from './stacks/simulator'
import { openEmbeddedPostgres } from '../src/lib/embeddedPostgres'
import { createLogger } from '../src/lib/logger'
import { Shutdown } from '../src/lib/shutdown'
import { freePort } from '../src/lib/net'
import { stateSchemaFor } from '../src/store/processorSchema'
import { forgetChainProgress } from '../src/store/chainProgress'
import { migrate, openDataSource } from '../src/store/dataSource'
import { printBanner, progressLine } from './devConsole'
import { Supervisor } from './supervisor'

const EVM_CHAIN = 'eip155:31337'

/**
 * `npm run dev`: the whole system on one machine with embedded defaults. The embedded Postgres
 * keeps its data under DATA_DIR (API keys and refresh history survive a restart); the local
 * chains are in memory, so their tokens are indexed afresh at every start. `--reset` wipes
 * DATA_DIR first. Each role runs as its own process, as in production.
 */
async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2))
  const config = loadConfig(process.env)
  const started = Date.now()
  const tty = process.stdout.isTTY === true
  const say = (line: string) => process.stdout.write(`${line}\n`)
  const log = createLogger(config.LOG_LEVEL).child({ role: 'dev' })
  // Everything started registers its stop; a failure half-way or Ctrl-C stops what is running,
  // last started first, and leaves nothing behind.
  const shutdown = new Shutdown(log, 15_000)
  shutdown.installSignalHandlers((code) => {
    if (tty) process.stdout.write('\n')
    say(code === 0 ? 'stopped' : 'stopped (with errors, see above)')
    process.exit(code)
  })
  try {
    if (args.has('--reset')) fs.rmSync(config.DATA_DIR, { recursive: true, force: true })
    const pg = await openEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_PG_PORT, ownSignals: true })
    shutdown.register('postgres', () => pg.stop())
    const ds = await openDataSource(pg.url, 4)
    shutdown.register('database pool', () => ds.destroy())
    await migrate(ds)
    const sim = await startStacksSimulator()
    shutdown.register('stacks simulator', () => sim.stop())
    await forgetDevChains(ds, [EVM_CHAIN, sim.chainId])
    const { node, driver } = await startLocalEvmChain({ chainId: 31337 })
    shutdown.register('hardhat node', () => node.stop())
    const host = new DevMetadataServer()
    await host.listen()
    shutdown.register('metadata host', () => host.close())
    const evm = await seedEvm(driver, host)
    const stx = await seedStacks(sim, host)

    const apiPort = await choosePort(config.API_PORT)
    const apiUrl = `http://127.0.0.1:${apiPort}`
    const supervisor = new Supervisor({ logDir: path.join(config.DATA_DIR, 'logs'), passThrough: !tty })
    shutdown.register('processes', () => supervisor.stopAll())
    // --stacks-node (or STACKS_SOURCE=node): the simulator posts its blocks to the event observer
    // role and the Stacks processor reads what that stored, as with a real stacks-node
    const fromNode = args.has('--stacks-node') || config.STACKS_SOURCE === 'node'
    const observerPort = fromNode ? await freePort() : 0
    const env = childEnv(config, { dbUrl: pg.url, rpcUrl: node.rpcUrl, stacksUrl: sim.url, stacksChain: sim.chainId, hostUrl: host.url, hostPort: host.port, apiPort })
    const stacksEnv = fromNode ? { ...env, STACKS_SOURCE: 'node', STACKS_OBSERVER_PORT: String(observerPort) } : { ...env, STACKS_SOURCE: 'api' }
    if (fromNode) {
      const observerUrl = `http://127.0.0.1:${observerPort}`
      supervisor.start({ name: 'stacks-observer', script: 'stacks-observer', env: stacksEnv })
      await waitForOk(`${observerUrl}/`, 'the Stacks event observer', path.join(config.DATA_DIR, 'logs', 'stacks-observer.log'))
      const warn = (err: unknown) => log.warn({ err }, 'stacks simulator cannot post to the event observer; retrying')
      void sim.observe(observerUrl, warn).catch(warn)
    }
    supervisor.start({ name: 'stacks-processor', script: 'stacks-processor', env: stacksEnv })
    for (const role of [
      { name: 'evm-processor', script: 'evm-processor', args: [EVM_CHAIN] },
      { name: 'worker', script: 'worker' },
      { name: 'api', script: 'api' },
    ])
      supervisor.start({ ...role, env })

    await waitForHealth(apiUrl, path.join(config.DATA_DIR, 'logs'))
    printBanner(say, {
      apiUrl,
      hostUrl: host.url,
      rpcUrl: node.rpcUrl,
      stacksUrl: sim.url,
      stacksObserver: fromNode ? `http://127.0.0.1:${observerPort}` : undefined,
      dataDir: config.DATA_DIR,
      logsInFiles: tty,
      contracts: { squids: evm.squids.address, items: evm.items.address, stacksNft: sim.contracts.nft, pixels: evm.pixels.address },
      stacksChain: sim.chainId,
    })
    if (!args.has('--no-activity')) {
      const stopActivity = startActivity(driver, sim, host, evm, stx, 4000, (err) => log.warn({ err }, 'dev activity step failed'))
      shutdown.register('live activity', stopActivity)
    }
    const progress = startProgress(ds, sim.chainId, started, tty, say)
    shutdown.register('progress line', () => progress.stop())
  } catch (e) {
    log.error({ err: e }, 'npm run dev could not start')
    await shutdown.run().catch(() => {})
    process.exit(1)
  }
}

/** The local chains start fresh on every run: drop what an earlier run indexed from them. */
async function forgetDevChains(ds: DataSource, chains: string[]): Promise<void> {
  await ds.transaction(async (em) => {
    for (const chain of chains) await em.query(`DROP SCHEMA IF EXISTS "${stateSchemaFor(chain)}" CASCADE`)
    await em.query(`DELETE FROM balance WHERE contract_id IN (SELECT id FROM contract WHERE chain = ANY($1))`, [chains])
    await em.query(`DELETE FROM update_notice WHERE chain = ANY($1)`, [chains])
    await em.query(`DELETE FROM token WHERE chain = ANY($1)`, [chains])
    await em.query(`DELETE FROM metadata_job WHERE chain = ANY($1)`, [chains])
    await em.query(`DELETE FROM contract WHERE chain = ANY($1)`, [chains])
    await em.query(`DELETE FROM stacks_pending_event WHERE chain = ANY($1)`, [chains])
    await em.query(`DELETE FROM stacks_node_block WHERE chain = ANY($1)`, [chains])
    await forgetChainProgress(em, chains)
  })
}

interface ChildWiring {
  dbUrl: string
  rpcUrl: string
  stacksUrl: string
  stacksChain: string
  hostUrl: string
  hostPort: number
  apiPort: number
}

function childEnv(config: Config, w: ChildWiring): Record<string, string> {
  return {
    DATABASE_URL: w.dbUrl,
    LOG_LEVEL: config.LOG_LEVEL,
    EVM_CHAINS: JSON.stringify([{ chain: EVM_CHAIN, rpcUrl: w.rpcUrl, finality: 3, headPollMs: 200 }]),
    STACKS_API_URL: w.stacksUrl,
    STACKS_CHAIN: w.stacksChain,
    STACKS_FINALITY: '3',
    STACKS_POLL_MS: '300',
    STACKS_DYNAMIC_TTL_SECONDS: '60',
    FETCH_ALLOW_HOSTS: [...config.FETCH_ALLOW_HOSTS, `127.0.0.1:${w.hostPort}`].join(','),
    IPFS_GATEWAY: w.hostUrl,
    FETCH_TIMEOUT_MS: '3000',
    JOB_MAX_ATTEMPTS: '3',
    JOB_BACKOFF_BASE_MS: '1000',
    API_HOST: '127.0.0.1',
    API_PORT: String(w.apiPort),
    // The children inherit this shell's environment: a GQL_PORT there must not move the API off
    // the port the banner prints (an empty value counts as unset).
    GQL_PORT: '',
    GRAPHQL_SANDBOX: 'true',
    GRAPHQL_INTROSPECTION: 'true',
    REFRESH_DEFAULT_CHAIN: EVM_CHAIN,
    MAVIS_CHAIN: EVM_CHAIN,
    // cached images live with the rest of the dev state (served by the API under /media)
    MEDIA_DIR: path.join(config.DATA_DIR, 'media'),
    SQD_LOG_LEVEL: 'WARN',
  }
}

async function choosePort(preferred: number): Promise<number> {
  if (preferred === 0) return freePort()
  const net = await import('node:net')
  const free = await new Promise<boolean>((resolve) => {
    const s = net.createServer().once('error', () => resolve(false))
    s.listen(preferred, '127.0.0.1', () => s.close(() => resolve(true)))
  })
  return free ? preferred : freePort()
}

async function waitForOk(url: string, what: string, logFile: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${what} did not answer at ${url} within ${timeoutMs} ms (see ${logFile})`)
}

async function waitForHealth(apiUrl: string, logDir: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ok = await fetch(`${apiUrl}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`the API did not become healthy at ${apiUrl} within ${timeoutMs} ms (see ${logDir}/api.log)`)
}

function startProgress(ds: DataSource, stacksChain: string, started: number, tty: boolean, say: (l: string) => void): { stop(): void } {
  let firstMetadata: number | undefined
  let busy = false
  const timer = setInterval(async () => {
    if (busy) return
    busy = true
    try {
      const line = await progressLine(ds, [EVM_CHAIN, stacksChain])
      if (firstMetadata === undefined && line.available > 0) {
        firstMetadata = (Date.now() - started) / 1000
        if (tty) process.stdout.write('\n')
        say(
          tty
            ? `first token metadata AVAILABLE ${firstMetadata.toFixed(1)} s after start`
            : JSON.stringify({ level: 'info', msg: 'first token metadata available', seconds: firstMetadata }),
        )
      }
      if (tty) process.stdout.write(`\r\x1b[2K${line.text}`)
    } catch {
      // the database is restarting or stopping: the next tick tries again
    } finally {
      busy = false
    }
  }, 1000)
  return { stop: () => clearInterval(timer) }
}

main().catch((e: unknown) => {
  process.stderr.write(e instanceof ConfigError ? `${e.message}\n` : `npm run dev failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exit(e instanceof ConfigError ? 2 : 1)
})
