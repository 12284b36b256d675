import path from 'node:path'
import { DataSource, DataSourceOptions } from 'typeorm'
import { SnakeNamingStrategy } from '@subsquid/typeorm-config/lib/namingStrategy'
import * as model from '../model'
import { packageRoot } from '../lib/packageRoot'
import { GuardedClient, guardPoolConnect } from './databaseErrors'

/** Directory of the migrations (generated + hand-written), relative to the package root. */
export const MIGRATIONS_DIR = path.join(packageRoot(), 'db', 'migrations')

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const entities = Object.values(model as Record<string, unknown>).filter((v): v is Function => typeof v === 'function')

/**
 * TypeORM options for our model. Every process builds its DataSource from these (Subsquid's own
 * `createOrmConfig` reads process.env and loads the model from lib/, which tests do not build).
 */
/** `connectTimeoutMs`: how long a pool connect may wait for a connection (default: no limit). */
export function dataSourceOptions(url: string, poolSize = 10, connectTimeoutMs?: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    namingStrategy: new SnakeNamingStrategy(),
    entities,
    migrations: [path.join(MIGRATIONS_DIR, '*.js')],
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // every driver error passes through fromDriverError (a typed DatabaseUnavailableError)
    extra: { max: poolSize, Client: GuardedClient, ...(connectTimeoutMs !== undefined ? { connectionTimeoutMillis: connectTimeoutMs } : {}) },
  }
}

export async function openDataSource(url: string, poolSize?: number, connectTimeoutMs?: number): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(url, poolSize, connectTimeoutMs))
  await ds.initialize()
  const pool = (ds.driver as unknown as { master?: Parameters<typeof guardPoolConnect>[0] }).master
  if (pool) guardPoolConnect(pool)
  return ds
}

/**
 * Applies pending migrations; returns their names. Every process migrates at start, so a
 * session-level advisory lock makes concurrent starts take turns instead of racing.
 */
export async function migrate(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner()
  await runner.connect()
  try {
    await runner.query(`SELECT pg_advisory_lock(7305000)`)
    const done = await ds.runMigrations({ transaction: 'each' })
    return done.map((m) => m.name)
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(7305000)`).catch(() => {})
    await runner.release()
  }
}
