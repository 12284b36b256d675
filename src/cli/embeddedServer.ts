import path from 'node:path'
import type { Config } from '../config'
import { openEmbeddedPostgres } from '../lib/embeddedPostgres'
import { CliError, EXIT } from './cliErrors'

/** A Postgres server the CLI talks to, and how to let go of it. */
export interface DatabaseServer {
  url: string
  /** For messages: where the data is, never a password. */
  label: string
  stop(): Promise<void>
}

/** The embedded Postgres data directory: `<DATA_DIR>/postgres`. */
export function embeddedDataDir(config: Config): string {
  return path.resolve(config.DATA_DIR, 'postgres')
}

/**
 * The embedded Postgres under DATA_DIR. When a server already runs on that directory (e.g. under
 * `npm run dev`) the CLI joins it instead of failing on its lock, and leaves it running.
 */
export async function embeddedServer(config: Config): Promise<DatabaseServer> {
  const dataDir = embeddedDataDir(config)
  const pg = await openEmbeddedPostgres({ dataDir, port: config.EMBEDDED_PG_PORT }).catch((e: unknown) => {
    // A busy EMBEDDED_PG_PORT, a full disk, an untraversable DATA_DIR: the user's to fix, not a bug.
    throw new CliError(`DATA_DIR (${JSON.stringify(config.DATA_DIR)}): ${(e as Error).message}`, EXIT.USAGE, { cause: e })
  })
  const label = pg.joined ? `the embedded Postgres already running on ${dataDir} (port ${pg.port})` : `the embedded Postgres in ${dataDir}`
  return { url: pg.url, label, stop: () => pg.stop() }
}
