import path from 'node:path'
import { DataSource, DataSourceOptions } from 'typeorm'
import { SnakeNamingStrategy } from '@subsquid/typeorm-config/lib/namingStrategy'
import * as model from '../model'

/** Directory of the migrations (generated + hand-written), relative to the package root. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '../../db/migrations')

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const entities = Object.values(model as Record<string, unknown>).filter((v): v is Function => typeof v === 'function')

/**
 * TypeORM options for our model. Every process builds its DataSource from these (Subsquid's own
 * `createOrmConfig` reads process.env and loads the model from lib/, which tests do not build).
 */
export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    namingStrategy: new SnakeNamingStrategy(),
    entities,
    migrations: [path.join(MIGRATIONS_DIR, '*.js')],
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: poolSize },
  }
}

export async function openDataSource(url: string, poolSize?: number): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(url, poolSize))
  await ds.initialize()
  return ds
}

/** Applies pending migrations; returns their names. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const done = await ds.runMigrations({ transaction: 'each' })
  return done.map((m) => m.name)
}
