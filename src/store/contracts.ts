import { Contract } from '../model'
import { upsertRows, type Column, type HotChanges } from './processorRows'
import type { SqlExecutor } from './sql'

/**
 * Owns the `contract` table: every statement that writes it. A chain's processor is its one
 * writer, in its batch transaction (the Stacks processor's asset names included).
 */

const CONTRACT_COLUMNS: Column<Contract>[] = [
  ['id', 'text', (c) => c.id],
  ['chain', 'text', (c) => c.chain],
  ['address', 'text', (c) => c.address],
  ['standard', 'text', (c) => c.standard],
  ['total_supply', 'numeric', (c) => c.totalSupply ?? null],
  ['deployer', 'text', (c) => c.deployer ?? null],
  ['deploy_tx', 'text', (c) => c.deployTx ?? null],
  ['deploy_block', 'int', (c) => c.deployBlock ?? null],
  ['first_seen_block', 'int', (c) => c.firstSeenBlock],
  ['update_mode', 'text', (c) => c.updateMode],
  ['update_ttl', 'int', (c) => c.updateTtl ?? null],
  ['created_at', 'timestamptz', (c) => c.createdAt],
]

export function upsertContracts(db: SqlExecutor, hot: HotChanges | undefined, rows: Contract[]): Promise<void> {
  return upsertRows(db, hot, Contract, 'contract', CONTRACT_COLUMNS, rows)
}

/** Sets the SIP-010 / SIP-013 asset names of the contracts that have a row; returns their ids. */
export async function storeAssetNames(db: SqlExecutor, ids: string[], names: (string | null)[]): Promise<string[]> {
  const written: { id: string }[] = await db.query(
    `UPDATE contract c SET asset_name = v.name FROM unnest($1::text[], $2::text[]) AS v(id, name)
      WHERE c.id = v.id RETURNING c.id`,
    [ids, names],
  )
  return written.map((w) => w.id)
}
