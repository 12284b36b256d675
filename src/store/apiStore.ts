import type { DataSource } from 'typeorm'
import { readDbFromDataSource, type ReadDb } from './read/readDb'

/**
 * The API's one database handle. Route handlers give it store functions, never SQL: it has no
 * query method of its own, and each function runs on the connection it is written for.
 * - `read`: a read-model function (store/read) on the read connection (named prepared
 *   statements, generic plans; see readDb.ts).
 * - `run`: any other store function (every write, and the reads of refreshes, keys and webhooks),
 *   or a service that composes store functions, on the DataSource; a function that needs a
 *   transaction opens it itself.
 * `npm run lint` keeps SQL text out of src/api (no `.query(` there).
 */
export class ApiStore {
  readonly #read: ReadDb
  readonly #ds: DataSource

  constructor(ds: DataSource, read: ReadDb = readDbFromDataSource(ds)) {
    this.#ds = ds
    this.#read = read
  }

  read<A extends unknown[], R>(fn: (db: ReadDb, ...args: A) => Promise<R>, ...args: A): Promise<R> {
    return fn(this.#read, ...args)
  }

  run<A extends unknown[], R>(fn: (ds: DataSource, ...args: A) => Promise<R>, ...args: A): Promise<R> {
    return fn(this.#ds, ...args)
  }

  /** The names of the migrations this code expects (health and readiness compare them with the database's). */
  migrationNames(): string[] {
    return this.#ds.migrations.map((m) => m.name ?? m.constructor.name)
  }
}
