// Part of the harness shared by the tests, the drills and the benchmarks: no vitest imports here.
import type { DataSource } from 'typeorm'
import { stateSchemaFor } from '../../src/store/processorSchema'
import type { SqlExecutor } from '../../src/store/sql'
import type { RunningProcess } from './processes'
import { waitFor } from './processes'

/** Highest block a chain's processor has written (final or hot), or -1 before the processor has made its schema. */
export async function indexedHeight(db: SqlExecutor, chain: string): Promise<number> {
  const schema = stateSchemaFor(chain)
  const [{ ready }] = await db.query(`SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ready`, [`"${schema}".status`, `"${schema}".hot_block`])
  if (!ready) return -1
  const [row] = await db.query(`SELECT greatest((SELECT height FROM "${schema}".status WHERE id = 0), (SELECT max(height) FROM "${schema}".hot_block)) AS h`)
  return row?.h ?? -1
}

/** Waits until the processor has indexed `height` and the block at that height is the chain's. */
export async function waitForIndexed(ds: DataSource, chain: string, height: number, proc?: RunningProcess, timeoutMs = 90_000): Promise<void> {
  await waitFor(
    `${chain} indexed to ${height}`,
    async () => (await indexedHeight(ds, chain)) >= height,
    timeoutMs,
    100,
    () => proc?.output() ?? '',
  )
}
