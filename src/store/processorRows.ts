import type { ChangeTracker } from '@subsquid/typeorm-store/lib/hot'
import type { EntityManager, EntityMetadata } from 'typeorm'
import type { SqlExecutor } from './sql'

/**
 * How the processors' rows are written and loaded; the tables' owners (store/contracts.ts,
 * store/tokens.ts, store/balances.ts) hold the column lists. Set-based upserts: one
 * `INSERT … SELECT FROM unnest(…) ON CONFLICT` per table and chunk, instead of TypeORM's per-entity upsert (which spent most of a 100,000-mint
 * backfill building and hydrating entities: bench/ingest.ts). Inside a hot block the rows' prior
 * state is recorded in the change log first, exactly as Store.upsert would, so a reorg rolls
 * them back.
 */
const CHUNK = 10_000

/** The batch's hot-block change log (Subsquid's ChangeTracker): present only inside a block that is not final yet. */
export type HotChanges = Pick<ChangeTracker, 'trackUpsert'>

/**
 * name, Postgres type, value of a row; `mutable` = may change after the row is created; `fill` =
 * set once: written when the stored value is null (the mint facts of a worker's placeholder row).
 */
export type Column<T> = [name: string, sqlType: string, get: (row: T) => unknown, kind?: 'mutable' | 'fill']

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
export type Overwrite = 'all' | 'mutable'

export async function upsertRows<T extends { id: string }>(
  db: SqlExecutor,
  hot: HotChanges | undefined,
  entity: new () => T,
  table: string,
  columns: Column<T>[],
  rows: T[],
  overwrite: Overwrite = 'all',
): Promise<void> {
  if (rows.length === 0) return
  await hot?.trackUpsert(entity, rows)
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

/** One statement with its parameters. */
export interface Statement {
  text: string
  params: unknown[]
}

/**
 * The chunk's rows as a SELECT over unnest(). A column with the same value in every row (the
 * chain always; in a backfill batch also standard, supply, burned, the nulls, often the contract)
 * is sent once as a scalar instead of an array of identical values: each array element costs
 * node-postgres an escape and Postgres a parse, and this was a third of the statement's time.
 */
function unnestOf<T>(columns: Column<T>[], chunk: T[]): { select: string; from: string; params: unknown[] } {
  const u = unnestColumns(
    columns.map(([, sqlType, get]) => [sqlType, get]),
    chunk,
  )
  return { select: u.exprs.join(', '), from: u.from, params: u.params }
}

/** A column for unnestColumns: its Postgres type and its value in a row. */
export type UnnestColumn<T> = [sqlType: string, get: (row: T) => unknown]

/**
 * Rows as one expression per column over `unnest(…) AS u(…)` (`from`, empty when every column is
 * folded), a column with one value in every row folded into a scalar parameter (see unnestOf).
 * The caller places the expressions in its own SELECT list. `chunk` must not be empty.
 */
export function unnestColumns<T>(columns: UnnestColumn<T>[], chunk: readonly T[], firstParam = 1): { exprs: string[]; from: string; params: unknown[] } {
  const params: unknown[] = []
  const exprs: string[] = []
  const arrays: string[] = []
  for (const [sqlType, get] of columns) {
    const first = toParam(get(chunk[0]))
    const values: unknown[] = new Array(chunk.length)
    values[0] = first
    let folded = true
    for (let i = 1; i < chunk.length; i++) {
      const v = toParam(get(chunk[i]))
      values[i] = v
      if (v !== first) folded = false
    }
    params.push(folded ? first : arrayLiteral(values))
    const ref = `$${firstParam + params.length - 1}::${sqlType}`
    if (folded) exprs.push(ref)
    else {
      arrays.push(`${ref}[]`)
      exprs.push(`u.c${arrays.length}`)
    }
  }
  const aliases = arrays.map((_, i) => `c${i + 1}`).join(', ')
  // a one-row chunk folds every column: a FROM-less SELECT of the scalars is that one row
  const from = arrays.length > 0 ? ` FROM unnest(${arrays.join(', ')}) AS u(${aliases})` : ''
  return { exprs, from, params }
}

/**
 * A text array literal (`{"a","b",NULL}`) of values from toParam, the same text node-postgres
 * makes of an array parameter, made in the pass that checks the column for one value, and
 * escaping only values that need it (node-postgres runs two replaces on every element).
 */
function arrayLiteral(values: readonly unknown[]): string {
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (i > 0) out += ','
    if (v === null) {
      out += 'NULL'
      continue
    }
    const text = typeof v === 'object' ? JSON.stringify(v) : String(v)
    out += `"${NEEDS_ESCAPE.test(text) ? text.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : text}"`
  }
  return `${out}}`
}

const NEEDS_ESCAPE = /["\\]/

/**
 * A value as node-postgres sends it, made comparable with `===`: bigint and number as decimal
 * text, Date as ISO-8601 (node-postgres would format each Date itself, slower), null as null.
 */
function toParam(v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (v instanceof Date) return isoOf(v)
  return typeof v === 'bigint' || typeof v === 'number' ? v.toString() : v
}

// The rows of a batch share a few instants (a block's time is every one of its tokens' mint
// time): the last one formatted is kept.
let lastTime = NaN
let lastIso = ''

function isoOf(d: Date): string {
  const t = d.getTime()
  if (t !== lastTime) {
    lastIso = d.toISOString()
    lastTime = t
  }
  return lastIso
}

/**
 * Loads rows by id with plain SQL and maps them onto entities (TypeORM's findBy with In() spent
 * twice as long on the same rows: bench/ingest.ts). Relations are set by the caller.
 */
export async function loadRowsByIds<E extends { id: string }>(em: EntityManager, cls: new () => E, ids: string[]): Promise<E[]> {
  const meta = em.connection.getMetadata(cls)
  const out: E[] = []
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows: Record<string, unknown>[] = await em.query(`SELECT * FROM "${meta.tableName}" WHERE id = ANY($1::text[])`, [ids.slice(i, i + CHUNK)])
    for (const row of rows) out.push(toEntity(cls, meta, row))
  }
  return out
}

/** A raw row to an entity, through each column's transformer (numeric -> bigint, …). */
function toEntity<E>(cls: new () => E, meta: EntityMetadata, row: Record<string, unknown>): E {
  const e = new cls() as Record<string, unknown>
  for (const col of meta.columns) {
    if (col.relationMetadata) continue
    const raw = row[col.databaseName]
    const t = col.transformer
    e[col.propertyName] = raw === null || raw === undefined ? raw : t && !Array.isArray(t) ? t.from(raw) : raw
  }
  return e as E
}
