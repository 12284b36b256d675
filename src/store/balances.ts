import { Balance } from '../model'
import { upsertRows, type Column, type HotChanges } from './processorRows'
import type { SqlExecutor } from './sql'

/**
 * Owns the `balance` table's upserts (a chain's processor is its one writer, in its batch
 * transaction; emptied balances are removed through the Store, so the change log has them).
 */

const BALANCE_COLUMNS: Column<Balance>[] = [
  ['id', 'text', (b) => b.id],
  ['token_id', 'text', (b) => b.token.id],
  ['contract_id', 'text', (b) => b.contract.id],
  ['account', 'text', (b) => b.account],
  ['amount', 'numeric', (b) => b.amount],
]

export function upsertBalances(db: SqlExecutor, hot: HotChanges | undefined, rows: Balance[]): Promise<void> {
  return upsertRows(db, hot, Balance, 'balance', BALANCE_COLUMNS, rows)
}
