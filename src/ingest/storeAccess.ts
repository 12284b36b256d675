import type { Store } from '@subsquid/typeorm-store'
import type { ChangeTracker } from '@subsquid/typeorm-store/lib/hot'
import type { EntityManager } from 'typeorm'
import type { SqlExecutor } from '../store/sql'

/**
 * The two things the ingest stage needs from Subsquid's Store beyond its public API:
 * - the batch transaction's EntityManager, for set-based SQL (job enqueue, range lookups);
 * - the hot-block ChangeTracker (present only while a not-yet-final block is processed), so rows
 *   written with raw SQL are recorded in hot_change_log and rolled back with the block on a
 *   reorg, exactly like rows written through the Store.
 * typeorm-store 1.5.1 keeps both in private fields; they are read in this one place.
 */
interface StoreInternals {
  em: () => EntityManager
  changes?: ChangeTracker
}

export function sqlOf(store: Store): SqlExecutor {
  return (store as unknown as StoreInternals).em()
}

export function hotTrackerOf(store: Store): ChangeTracker | undefined {
  return (store as unknown as StoreInternals).changes
}

/**
 * Records rows inserted with raw SQL into a table without a model class (the change outbox) in
 * the hot-block change log, so a rollback of the block deletes them. ChangeTracker's public
 * methods need an entity class; its private writeChangeRows takes the plain records.
 */
export async function trackRawInserts(store: Store, table: string, ids: readonly string[]): Promise<void> {
  const tracker = hotTrackerOf(store) as unknown as { writeChangeRows(changes: { kind: 'insert'; table: string; id: string }[]): Promise<void> } | undefined
  if (!tracker || ids.length === 0) return
  await tracker.writeChangeRows(ids.map((id) => ({ kind: 'insert', table, id })))
}
