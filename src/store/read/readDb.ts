import { createHash } from 'node:crypto'
import type { Pool, QueryResultRow } from 'pg'
import type { DataSource } from 'typeorm'

/**
 * The read side of the store: plain rows from the pg pool, no entity hydration.
 *
 * Every statement runs as a named prepared statement (name derived from its text), so each
 * pooled connection parses and plans a given query once instead of on every request. Statement
 * texts are constants or built from a bounded set of shapes, so the per-connection statement
 * cache stays small.
 */
export interface ReadDb {
  query<T extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<T[]>
}

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
  return {
    async query<T extends QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<T[]> {
      const result = await pool.query<T>({ name: statementName(text), text, values: values as unknown[] })
      return result.rows
    },
  }
}

/** Uses the pool TypeORM already holds for the DataSource (one pool per process). */
export function readDbFromDataSource(ds: DataSource): ReadDb {
  const pool = (ds.driver as unknown as { master?: Pool }).master
  if (!pool) throw new Error('the DataSource is not initialised (no Postgres pool)')
  return readDbFromPool(pool)
}
