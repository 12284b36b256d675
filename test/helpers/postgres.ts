// Part of the harness shared by the tests, the drills and the benchmarks: no vitest imports here.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client } from 'pg'
import { EMBEDDED_PASSWORD, EMBEDDED_USER, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/lib/embeddedPostgres'
import { freePort } from '../../src/lib/net'
import { migrate, openDataSource } from '../../src/store/dataSource'

export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/**
 * A throw-away embedded Postgres (the product's own lib/embeddedPostgres) in a temp directory,
 * durability off. Its port is chosen once, so `down()` and `up()` restart it on the same data
 * directory and port (the database-restart drill); `stop()` removes the directory.
 */
export class ScratchPostgres {
  private server: EmbeddedPostgres | undefined

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly onLog?: (line: string) => void,
  ) {}

  static async start(opts: { onLog?: (line: string) => void } = {}): Promise<ScratchPostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-pg-'))
    fs.chmodSync(dir, 0o755) // as root, Postgres runs as the postgres user and must reach it
    const pg = new ScratchPostgres(path.join(dir, 'data'), await freePort(), opts.onLog)
    await pg.up()
    return pg
  }

  get running(): boolean {
    return this.server !== undefined
  }

  get adminUrl(): string {
    return this.urlFor('postgres')
  }

  urlFor(database: string): string {
    return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${this.port}/${database}`
  }

  /** The postmaster's pid while running (for CPU accounting). */
  get pid(): number | undefined {
    if (!this.server) return undefined
    return Number(fs.readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  }

  /** Starts the server (initialising the data directory the first time). */
  async up(): Promise<void> {
    if (this.server) return
    this.server = await startEmbeddedPostgres({ dataDir: this.dataDir, port: this.port, ephemeral: true, onLog: this.onLog })
  }

  /** Stops the server (fast shutdown: every session is terminated); `up()` starts it again. */
  async down(): Promise<void> {
    const s = this.server
    this.server = undefined
    await s?.stop()
  }

  async stop(): Promise<void> {
    try {
      await this.down()
    } finally {
      fs.rmSync(path.dirname(this.dataDir), { recursive: true, force: true })
    }
  }
}

export interface PgServer {
  adminUrl: string
  /** the postmaster's pid when embedded (for CPU accounting), else undefined */
  pid?: number
  embedded: boolean
  stop(): Promise<void>
}

/** DATABASE_URL's server (a user with CREATE DATABASE rights), else a ScratchPostgres. */
export async function startPostgres(): Promise<PgServer> {
  const url = process.env.DATABASE_URL
  if (url) return { adminUrl: url, embedded: false, stop: async () => {} }
  const pg = await ScratchPostgres.start()
  return { adminUrl: pg.adminUrl, pid: pg.pid, embedded: true, stop: () => pg.stop() }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
}

/** A fresh database `name` (dropped first if it exists) with every migration run; returns its URL. */
export async function createMigratedDatabase(adminUrl: string, name: string): Promise<string> {
  await dropDatabase(adminUrl, name)
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`)
  const url = withDatabase(adminUrl, name)
  const ds = await openDataSource(url, 2)
  try {
    await migrate(ds)
  } finally {
    await ds.destroy()
  }
  return url
}

/**
 * A copy of a migrated template (CREATE DATABASE … TEMPLATE takes ~100 ms, migrating takes
 * seconds), dropped first if it exists; returns its URL. The template must have no sessions.
 */
export async function cloneDatabase(adminUrl: string, name: string, template: string): Promise<string> {
  await dropDatabase(adminUrl, name)
  await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`)
  return withDatabase(adminUrl, name)
}
