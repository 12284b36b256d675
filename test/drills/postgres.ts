/**
 * The drills' own Postgres: an embedded server (the same code the product runs, from lib/) in a
 * temp directory, on a fixed port so it can be stopped and started again on the same data
 * directory and port (the database-restart drill), plus isolated databases cloned from one
 * migrated template, and a small pooled query helper that survives the server going away.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client, Pool } from 'pg'
import type * as EmbeddedPgModule from '../../src/lib/embeddedPostgres'
import type * as NetModule from '../../src/lib/net'
import type * as DataSourceModule from '../../src/store/dataSource'
import { lib, type LogSink } from './runtime'

export interface DrillDb {
  name: string
  url: string
  q<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>
  close(): Promise<void>
}

const TEMPLATE = 'drill_template'

export class DrillPostgres {
  private server: EmbeddedPgModule.EmbeddedPostgres | undefined
  private templateReady = false
  private readonly dbs = new Set<DrillDb>()
  /** Times the server was stopped and started again by a drill. */
  restarts = 0
  /** where the server's log lines go (set by the context, once it has a run directory) */
  serverLog: string | undefined

  private constructor(
    readonly dir: string,
    readonly dataDir: string,
    readonly port: number,
    private readonly log: LogSink,
  ) {}

  static async start(log: LogSink, serverLog?: string): Promise<DrillPostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-drill-pg-'))
    fs.chmodSync(dir, 0o755) // as root, Postgres runs as the postgres user and must reach it
    const { freePort } = lib<typeof NetModule>('lib/net')
    const pg = new DrillPostgres(dir, path.join(dir, 'data'), await freePort(), log)
    pg.serverLog = serverLog
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
    const { EMBEDDED_USER, EMBEDDED_PASSWORD } = lib<typeof EmbeddedPgModule>('lib/embeddedPostgres')
    return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${this.port}/${database}`
  }

  /** Starts the server on the data directory and port it had (initialising the directory the first time). */
  async up(): Promise<void> {
    if (this.server) return
    const { startEmbeddedPostgres } = lib<typeof EmbeddedPgModule>('lib/embeddedPostgres')
    const started = Date.now()
    // The server's own log (deadlock reports name both statements) next to the processes' logs.
    const serverLog = this.serverLog
    this.server = await startEmbeddedPostgres({
      dataDir: this.dataDir,
      port: this.port,
      ephemeral: true,
      onLog: serverLog ? (line) => fs.appendFileSync(serverLog, `${line}\n`) : undefined,
    })
    this.log(`postgres up on 127.0.0.1:${this.port} (${Date.now() - started} ms)`)
  }

  /** Stops the server (fast shutdown: every session is terminated). */
  async down(): Promise<void> {
    const s = this.server
    if (!s) return
    this.server = undefined
    const started = Date.now()
    await s.stop()
    this.log(`postgres stopped (${Date.now() - started} ms)`)
  }

  async restart(downtimeMs: number): Promise<void> {
    await this.down()
    await new Promise((r) => setTimeout(r, downtimeMs))
    await this.up()
    this.restarts++
  }

  async admin(sql: string): Promise<void> {
    const c = new Client({ connectionString: this.adminUrl })
    await c.connect()
    try {
      await c.query(sql)
    } finally {
      await c.end()
    }
  }

  /** A fresh database cloned from the migrated template (the template is built on first use). */
  createDatabase(name: string): Promise<DrillDb> {
    // One at a time: the template is built once, and CREATE DATABASE … TEMPLATE wants it idle.
    const next = this.creating.then(() => this.create(name))
    this.creating = next.catch(() => undefined)
    return next
  }

  private creating: Promise<unknown> = Promise.resolve()

  private async create(name: string): Promise<DrillDb> {
    if (!this.templateReady) {
      await this.admin(`DROP DATABASE IF EXISTS "${TEMPLATE}" WITH (FORCE)`)
      await this.admin(`CREATE DATABASE "${TEMPLATE}"`)
      const { openDataSource, migrate } = lib<typeof DataSourceModule>('store/dataSource')
      const ds = await openDataSource(this.urlFor(TEMPLATE), 2)
      await migrate(ds)
      await ds.destroy()
      this.templateReady = true
    }
    await this.admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await this.admin(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE}"`)
    return this.open(name)
  }

  /** A pooled connection to a database; queries fail (and the pool heals) while the server is down. */
  open(name: string): DrillDb {
    const url = this.urlFor(name)
    const pool = new Pool({ connectionString: url, max: 3, idleTimeoutMillis: 5_000, connectionTimeoutMillis: 5_000 })
    pool.on('error', () => undefined) // an idle client whose server went away: the pool drops it
    const db: DrillDb = {
      name,
      url,
      q: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[],
      close: async () => {
        this.dbs.delete(db)
        await pool.end().catch(() => undefined)
      },
    }
    this.dbs.add(db)
    return db
  }

  async dropDatabase(db: DrillDb): Promise<void> {
    await db.close()
    await this.admin(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`).catch(() => undefined)
  }

  async close(): Promise<void> {
    for (const db of [...this.dbs]) await db.close()
    await this.down().catch(() => undefined)
    fs.rmSync(this.dir, { recursive: true, force: true })
  }
}
