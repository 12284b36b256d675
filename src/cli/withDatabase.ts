import type { DataSource } from 'typeorm'
import { databaseTarget, type Config } from '../config'
import { migrate, openDataSource } from '../store/dataSource'
import { CliError } from './cliErrors'
import { writeLine, type CliIo } from './cliIo'
import { embeddedServer, type DatabaseServer } from './embeddedServer'
import { describeDriverError } from '../store/databaseErrors'

/** A dead or black-holed database fails within this, instead of hanging the command. */
const CONNECT_TIMEOUT_MS = 10_000

/**
 * Runs `work` against the project's database and always lets go of it afterwards:
 * DATABASE_URL or the DB_* variables when set (databaseTarget), else the embedded Postgres
 * under DATA_DIR (started and stopped again unless it was already running). Migrations are applied first, as every process does at start
 * (`migrate` serialises concurrent runs with an advisory lock).
 */
export async function withDatabase<T>(config: Config, io: CliIo, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const target = databaseTarget(config)
  const server = target.source === 'embedded' ? await embeddedServer(config) : { url: target.url, label: target.label, stop: async () => {} }
  if (target.source === 'embedded') writeLine(io.stderr, `note: using ${server.label}`)
  try {
    const ds = await connect(server)
    try {
      await migrate(ds)
      return await work(ds)
    } finally {
      await ds.destroy()
    }
  } finally {
    await server.stop()
  }
}

async function connect(server: DatabaseServer): Promise<DataSource> {
  try {
    return await openDataSource(server.url, 2, CONNECT_TIMEOUT_MS)
  } catch (e) {
    throw new CliError(`cannot connect to ${server.label}: ${describeDriverError(e)}`, undefined, { cause: e })
  }
}
