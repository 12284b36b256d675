/**
 * The drills' own Postgres: the harness's ScratchPostgres (test/helpers/postgres.ts), which keeps
 * its data directory and port so it can be stopped and started again (the database-restart
 * drill), plus isolated databases cloned from one migrated template, and a small pooled query
 * helper that survives the server going away.
 */
import fs from 'node:fs'
import { Pool } from 'pg'
import { cloneDatabase, createMigratedDatabase, dropDatabase, ScratchPostgres } from '../helpers/postgres'
import type { LogSink } from './runtime'

export interface DrillDb {
  name: string
  url: string
  q<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>
  close(): Promise<void>
}

const TEMPLATE = 'drill_template'

export class DrillPostgres {
  private templateReady = false
  private readonly dbs = new Set<DrillDb>()
  /** Times the server was stopped and started again by a drill. */
  restarts = 0

  private constructor(
    private readonly server: ScratchPostgres,
    private readonly log: LogSink,
  ) {}

  /** `serverLog`: a file for the server's own log (deadlock reports name both statements), next to the processes' logs. */
  static async start(log: LogSink, serverLog?: string): Promise<DrillPostgres> {
    const started = Date.now()
    const server = await ScratchPostgres.start({ onLog: serverLog ? (line) => fs.appendFileSync(serverLog, `${line}\n`) : undefined })
    log(`postgres up on 127.0.0.1:${server.port} (${Date.now() - started} ms)`)
    return new DrillPostgres(server, log)
  }

  get running(): boolean {
    return this.server.running
  }

  get adminUrl(): string {
    return this.server.adminUrl
  }

  urlFor(database: string): string {
    return this.server.urlFor(database)
  }

  /** Starts the server on the data directory and port it had. */
  async up(): Promise<void> {
    if (this.server.running) return
    const started = Date.now()
    await this.server.up()
    this.log(`postgres up on 127.0.0.1:${this.server.port} (${Date.now() - started} ms)`)
  }

  /** Stops the server (fast shutdown: every session is terminated). */
  async down(): Promise<void> {
    if (!this.server.running) return
    const started = Date.now()
    await this.server.down()
    this.log(`postgres stopped (${Date.now() - started} ms)`)
  }

  async restart(downtimeMs: number): Promise<void> {
    await this.down()
    await new Promise((r) => setTimeout(r, downtimeMs))
    await this.up()
    this.restarts++
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
      await createMigratedDatabase(this.adminUrl, TEMPLATE)
      this.templateReady = true
    }
    await cloneDatabase(this.adminUrl, name, TEMPLATE)
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
    await dropDatabase(this.adminUrl, db.name).catch(() => undefined)
  }

  async close(): Promise<void> {
    for (const db of [...this.dbs]) await db.close()
    await this.server.stop()
  }
}
