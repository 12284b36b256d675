import type { SqlExecutor } from './sql'

/**
 * Folds the append-only counter deltas (written by the triggers on token, metadata_job,
 * token_attribute and contract_holder) into their totals, rescores the rarity of the
 * collections whose counts moved (at most 50 per call), then rebuilds the trait token sets of the
 * collections whose attribute rows changed (at most 50 per call; migration 1797000000700). Each
 * function serialises itself with an advisory lock, so any number of workers may call this.
 */
export async function compactCounters(db: SqlExecutor): Promise<void> {
  await db.query(`SELECT compact_counters()`)
  await db.query(`SELECT rebuild_trait_sets()`)
}
