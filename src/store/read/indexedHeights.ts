import { stateSchemaFor } from '../processorSchema'
import type { ReadDb } from './readDb'

/**
 * Processor checkpoints: each chain processor keeps its state in the schema
 * `<sanitised chain>_processor` (store/processorSchema.ts), table `status(height, hash)` (the final head) and, near the
 * chain head, `hot_block(height, hash)` (applied blocks that may still be orphaned).
 */

export interface IndexedHeight {
  schema: string
  /** The chain whose sanitised name gives this schema, when one of `knownChains` does. */
  chain: string | null
  height: number | null
}

const SCHEMAS_SQL = `
SELECT n.nspname AS schema,
       EXISTS (SELECT 1 FROM pg_catalog.pg_class h WHERE h.relnamespace = n.oid AND h.relname = 'hot_block' AND h.relkind IN ('r', 'p')) AS hot
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname = 'status' AND c.relkind IN ('r', 'p') AND n.nspname LIKE '%\\_processor' ESCAPE '\\'
 ORDER BY n.nspname`

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/**
 * Heights of every processor found in the catalog, each the newest block it applied (final or
 * hot: hot blocks are served like final ones): one statement to discover the schemas and one to
 * read all their checkpoints.
 */
export async function indexedHeights(db: ReadDb, knownChains: readonly string[] = []): Promise<IndexedHeight[]> {
  const found = await db.query<{ schema: string; hot: boolean }>(SCHEMAS_SQL)
  if (found.length === 0) return []
  const schemas = found.map((r) => r.schema)
  const heightOf = (s: string, hot: boolean) =>
    hot ? `greatest((SELECT max(height) FROM ${quoteIdent(s)}.status), (SELECT max(height) FROM ${quoteIdent(s)}.hot_block))` : `(SELECT max(height) FROM ${quoteIdent(s)}.status)`
  const text = found.map((r, i) => `SELECT $${i + 1}::text AS schema, ${heightOf(r.schema, r.hot)}::bigint AS height`).join('\nUNION ALL\n')
  const rows = await db.query<{ schema: string; height: string | null }>(text, schemas)
  const bySchema = new Map(knownChains.map((c) => [stateSchemaFor(c), c]))
  return rows.map((r) => ({
    schema: r.schema,
    chain: bySchema.get(r.schema) ?? null,
    height: r.height === null ? null : Number(r.height),
  }))
}
