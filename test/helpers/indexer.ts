import type { DataSource } from 'typeorm'
import { stateSchemaFor } from '../../src/store/processorSchema'
import type { RunningProcess } from './processes'
import { waitFor } from './processes'

/** Highest block a chain's processor has written (final or hot), or -1. */
export async function indexedHeight(ds: DataSource, chain: string): Promise<number> {
  const schema = stateSchemaFor(chain)
  try {
    const [row] = await ds.query(`SELECT greatest((SELECT height FROM "${schema}".status WHERE id = 0), (SELECT max(height) FROM "${schema}".hot_block)) AS h`)
    return row?.h ?? -1
  } catch {
    return -1 // the schema does not exist until the processor has connected
  }
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
