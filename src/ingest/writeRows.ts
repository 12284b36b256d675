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

/**
 * name, Postgres type, value of a row; `mutable` = may change after the row is created; `fill` =
 * set once: written when the stored value is null (the mint facts of a worker's placeholder row).
 */
type Column<T> = [name: string, sqlType: string, get: (row: T) => unknown, kind?: 'mutable' | 'fill']

/**
 * Which columns a conflict overwrites:
 * - `all`: rows the batch believes new. The conflicting row, if any, was written by someone else
 *   after the batch loaded its rows (a worker's placeholder for a token it fetched before the
 *   processor saw it), and the processor's chain facts replace every column of it.
 * - `mutable`: rows loaded from the table. Their immutable columns (id parts, standard) were
 *   read from the row itself and only the processor writes them, so rewriting them would only
 *   cost work. Mint facts are filled where the row has none (a placeholder the processor loads
 *   before it sees the mint).
 */
type Overwrite = 'all' | 'mutable'

async function upsert<T extends { id: string }>(store: Store, entity: new () => T, table: string, columns: Column<T>[], rows: T[], overwrite: Overwrite = 'all'): Promise<void> {
  if (rows.length === 0) return
  const db = sqlOf(store)
  await hotTrackerOf(store)?.trackUpsert(entity, rows)
  const names = columns.map((c) => `"${c[0]}"`).join(', ')
  const updated = columns.filter((c) => c[0] !== 'id' && (overwrite === 'all' || c[3] !== undefined))
  const updates = updated
    .map(([name, , , kind]) => (overwrite === 'mutable' && kind === 'fill' ? `"${name}" = coalesce("${table}"."${name}", excluded."${name}")` : `"${name}" = excluded."${name}"`))
    .join(', ')
  const onConflict = updates ? `DO UPDATE SET ${updates}` : 'DO NOTHING'
  for (let i = 0; i < rows.length; i += CHUNK) {
    const { select, from, params } = unnestOf(columns, rows.slice(i, i + CHUNK))
    await db.query(`INSERT INTO "${table}" (${names}) SELECT ${select}${from} ON CONFLICT (id) ${onConflict}`, params)
  }
}

/**
 * The chunk's rows as a SELECT over unnest(). A column with the same value in every row (the
 * chain always; in a backfill batch also standard, supply, burned, the nulls, often the contract)
 * is sent once as a scalar instead of an array of identical values: each array element costs
 * node-postgres an escape and Postgres a parse, and this was a third of the statement's time.
 */
function unnestOf<T>(columns: Column<T>[], chunk: T[]): { select: string; from: string; params: unknown[] } {
  const params: unknown[] = []
  const select: string[] = []
  const arrays: string[] = []
  for (const [, sqlType, get] of columns) {
    const values = chunk.map((r) => toParam(get(r)))
    const first = values[0]
    params.push(values.every((v) => v === first) ? first : values)
    const ref = `$${params.length}::${sqlType}`
    if (Array.isArray(params[params.length - 1])) {
      arrays.push(`${ref}[]`)
      select.push(`u.c${arrays.length}`)
    } else select.push(ref)
  }
  const aliases = arrays.map((_, i) => `c${i + 1}`).join(', ')
  // a one-row chunk folds every column: a FROM-less SELECT of the scalars is that one row
  const from = arrays.length > 0 ? ` FROM unnest(${arrays.join(', ')}) AS u(${aliases})` : ''
  return { select: select.join(', '), from, params }
}

/**
 * A value as node-postgres sends it, made comparable with `===`: bigint and number as decimal
 * text, Date as ISO-8601 (node-postgres would format each Date itself, slower), null as null.
 */
function toParam(v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (v instanceof Date) return v.toISOString()
  return typeof v === 'bigint' || typeof v === 'number' ? v.toString() : v
}

const TOKEN_COLUMNS: Column<Token>[] = [
  ['id', 'text', (t) => t.id],
  ['chain', 'text', (t) => t.chain],
  ['contract_id', 'text', (t) => t.contract.id],
  ['token_id', 'numeric', (t) => t.tokenId],
  ['standard', 'text', (t) => t.standard],
  ['owner', 'text', (t) => t.owner ?? null, 'mutable'],
  ['supply', 'numeric', (t) => t.supply, 'mutable'],
  ['burned', 'bool', (t) => t.burned, 'mutable'],
  ['chain_uri', 'text', (t) => t.chainUri ?? null, 'mutable'],
  ['mint_block', 'int', (t) => t.mintBlock ?? null, 'fill'],
  ['mint_tx', 'text', (t) => t.mintTx ?? null, 'fill'],
  ['minted_at', 'timestamptz', (t) => t.mintedAt ?? null, 'fill'],
  ['burn_block', 'int', (t) => t.burnBlock ?? null, 'mutable'],
  ['update_mode', 'text', (t) => t.updateMode, 'mutable'],
  ['update_ttl', 'int', (t) => t.updateTtl ?? null, 'mutable'],
  ['seen_on_chain', 'bool', (t) => t.seenOnChain !== false, 'mutable'],
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
/** Tokens the batch created (`created`) and tokens it loaded and changed (`loaded`). */
export async function upsertTokens(store: Store, created: Token[], loaded: Token[]): Promise<void> {
  await upsert(store, Token, 'token', TOKEN_COLUMNS, created, 'all')
  await upsert(store, Token, 'token', TOKEN_COLUMNS, loaded, 'mutable')
}
export const upsertBalances = (store: Store, rows: Balance[]) => upsert(store, Balance, 'balance', BALANCE_COLUMNS, rows)
