/**
 * The one query interface the queue and the ingest code need: TypeORM's EntityManager and
 * QueryRunner satisfy it, so the same functions run inside a processor's batch transaction,
 * a worker's transaction, or on the pool.
 */
export interface SqlExecutor {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any>
}

/**
 * Runs a statement and returns its rows. TypeORM returns `[rows, count]` for UPDATE and DELETE
 * and plain rows otherwise; wrap data-modifying statements in a CTE (`WITH x AS (UPDATE …
 * RETURNING …) SELECT * FROM x`) so they always come back as rows.
 */
export async function rows<T>(db: SqlExecutor, sql: string, params?: unknown[]): Promise<T[]> {
  return (await db.query(sql, params)) as T[]
}
