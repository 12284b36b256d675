import type { Store } from '@subsquid/typeorm-store'
import { Balance, Contract, Token } from '../model'
import { hotTrackerOf, sqlOf } from './storeAccess'

/**
 * Set-based upserts of the processor's rows: one `INSERT … SELECT FROM unnest(…) ON CONFLICT`
 * per table and chunk, instead of TypeORM's per-entity upsert (which spent most of a 100,000-mint
 * backfill building and hydrating entities: bench/ingest.ts). Inside a hot block the rows' prior
 * state is recorded in the change log first, exactly as Store.upsert would, so a reorg rolls
 * them back.
 */
const CHUNK = 10_000

type Column<T> = [name: string, sqlType: string, get: (row: T) => unknown]

async function upsert<T extends { id: string }>(store: Store, entity: new () => T, table: string, columns: Column<T>[], rows: T[]): Promise<void> {
  if (rows.length === 0) return
  const db = sqlOf(store)
  await hotTrackerOf(store)?.trackUpsert(entity, rows)
  const names = columns.map((c) => `"${c[0]}"`).join(', ')
  const params = columns.map((c, i) => `$${i + 1}::${c[1]}[]`).join(', ')
  const updates = columns.filter((c) => c[0] !== 'id').map((c) => `"${c[0]}" = excluded."${c[0]}"`).join(', ')
  const sql = `INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${params}) ON CONFLICT (id) DO UPDATE SET ${updates}`
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK)
    await db.query(sql, columns.map((c) => chunk.map(c[1] === 'numeric' ? (r) => nullableString(c[2](r)) : c[2])))
  }
}

function nullableString(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v)
}

const TOKEN_COLUMNS: Column<Token>[] = [
  ['id', 'text', (t) => t.id],
  ['chain', 'text', (t) => t.chain],
  ['contract_id', 'text', (t) => t.contract.id],
  ['token_id', 'numeric', (t) => t.tokenId],
  ['standard', 'text', (t) => t.standard],
  ['owner', 'text', (t) => t.owner ?? null],
  ['supply', 'numeric', (t) => t.supply],
  ['burned', 'bool', (t) => t.burned],
  ['chain_uri', 'text', (t) => t.chainUri ?? null],
  ['mint_block', 'int', (t) => t.mintBlock ?? null],
  ['mint_tx', 'text', (t) => t.mintTx ?? null],
  ['minted_at', 'timestamptz', (t) => t.mintedAt ?? null],
  ['burn_block', 'int', (t) => t.burnBlock ?? null],
  ['update_mode', 'text', (t) => t.updateMode],
  ['update_ttl', 'int', (t) => t.updateTtl ?? null],
]

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

const BALANCE_COLUMNS: Column<Balance>[] = [
  ['id', 'text', (b) => b.id],
  ['token_id', 'text', (b) => b.token.id],
  ['contract_id', 'text', (b) => b.contract.id],
  ['account', 'text', (b) => b.account],
  ['amount', 'numeric', (b) => b.amount],
]

export const upsertContracts = (store: Store, rows: Contract[]) => upsert(store, Contract, 'contract', CONTRACT_COLUMNS, rows)
export const upsertTokens = (store: Store, rows: Token[]) => upsert(store, Token, 'token', TOKEN_COLUMNS, rows)
export const upsertBalances = (store: Store, rows: Balance[]) => upsert(store, Balance, 'balance', BALANCE_COLUMNS, rows)
