import path from 'node:path'
import type { DataSource } from 'typeorm'
import { databaseTarget, type Config } from '../config'
import { openEmbeddedPostgres } from '../lib/embeddedPostgres'
import type { Logger } from '../lib/logger'
import type { Shutdown } from '../lib/shutdown'
import { migrate, openDataSource } from '../store/dataSource'

export interface Database {
  url: string
  ds: DataSource
}

/**
 * The Postgres the configuration names (DATABASE_URL, else the add-on's DB_* variables, see
 * databaseTarget); only when neither is set an embedded Postgres with its data under DATA_DIR
 * (stopped by the shutdown sequence, after everything that uses it). Migrations are applied
 * either way.
 */
export async function openDatabase(config: Config, log: Logger, shutdown: Shutdown): Promise<Database> {
  const target = databaseTarget(config)
  let url: string
  if (target.source === 'embedded') {
    const started = Date.now()
    const pg = await openEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_PG_PORT, ownSignals: true })
    shutdown.register('embedded postgres', () => pg.stop())
    log.info({ port: pg.port, dataDir: config.DATA_DIR, joined: pg.joined, ms: Date.now() - started }, 'embedded Postgres ready')
    url = pg.urlFor('postgres')
  } else {
    log.info({ database: target.label }, 'using Postgres')
    url = target.url
  }
  const ds = await openDataSource(url, config.DB_POOL_SIZE)
  shutdown.register('database pool', () => ds.destroy())
  const applied = await migrate(ds)
  if (applied.length) log.info({ applied }, 'migrations applied')
  return { url, ds }
}
