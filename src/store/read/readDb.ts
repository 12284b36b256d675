import { createHash } from 'node:crypto'
import type { Pool, PoolClient, QueryResultRow } from 'pg'
import type { DataSource } from 'typeorm'

/**
 * The read side of the store: plain rows from the pg pool, no entity hydration.
 *
 * Every statement runs as a named prepared statement (name derived from its text), so each
 * pooled connection parses it once. Statement texts are constants or built from a bounded set of
 * shapes, so the per-connection statement cache stays small.
 *
 * Connections used for reads plan prepared statements generically (plan_cache_mode). With the
 * default, Postgres compares the generic plan (which guesses 10 elements for every array
 * parameter) with custom plans (which know there is 1), keeps choosing custom plans, and so
 * re-plans the 6-table token lookup on every request: measured 1.09 ms against 0.43 ms per
 * single-token lookup (300,000 tokens, sequential calls). Every read statement here is written
 * so that its generic plan is index probes.
 *
 * They also plan no parallel workers: a generic plan's default row guesses (5,000 for a LIKE on a
 * million names) priced search's substring tier past the parallel threshold, and launching two
 * workers took 15-25 ms of a statement whose work is under 1 ms (1,000,000 tokens). The API runs
 * many short statements side by side; workers would only compete with the other requests.
 */
export interface ReadDb {
  query<T extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<T[]>
}

const SESSION_SETUP = `SET plan_cache_mode = force_generic_plan; SET max_parallel_workers_per_gather = 0`

const names = new Map<string, string>()

function statementName(text: string): string {
  let name = names.get(text)
  if (name === undefined) {
    name = `tms_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`
    names.set(text, name)
  }
  return name
}

export function readDbFromPool(pool: Pool): ReadDb {
  const prepared = new WeakSet<PoolClient>()
  return {
    async query<T extends QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<T[]> {
      const client = await pool.connect()
      let failure: Error | undefined
      // pg-pool drops its idle-error listener while a client is checked out; a server restart
      // (57P01) arriving between queries would otherwise be an unhandled 'error' and end the process.
      const onError = (err: Error) => {
        failure = err
      }
      client.on('error', onError)
      try {
        if (!prepared.has(client)) {
          await client.query(SESSION_SETUP)
          prepared.add(client)
        }
        return (await client.query<T>({ name: statementName(text), text, values: values as unknown[] })).rows
      } catch (err) {
        failure = err as Error
        throw err
      } finally {
        // Like pg's pool.query: a connection that saw an error is not reused.
        client.removeListener('error', onError)
        client.release(failure)
      }
    },
  }
}

/** Uses the pool TypeORM already holds for the DataSource (one pool per process). */
export function readDbFromDataSource(ds: DataSource): ReadDb {
  const pool = (ds.driver as unknown as { master?: Pool }).master
  if (!pool) throw new Error('the DataSource is not initialised (no Postgres pool)')
  return readDbFromPool(pool)
}
