import type { SqlExecutor } from './sql'

/**
 * Folds the append-only counter deltas (written by the triggers on token, metadata_job,
 * token_attribute and contract_holder) into their totals, and rescores the rarity of the
 * collections whose counts moved (at most 50 per call). The function serialises itself with an
 * advisory lock, so any number of workers may call it.
 */
export async function compactCounters(db: SqlExecutor): Promise<void> {
  await db.query(`SELECT compact_counters()`)
}
