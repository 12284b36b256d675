import type { ReadDb } from './readDb'

/**
 * Search over token names, contract names and contract symbols: case-insensitive substring
 * matches through the trigram indexes (db/migrations/*-ExplorerQueries.js), ranked exact >
 * prefix > substring, then by the collection's holder count, then kind and id (a total order,
 * so keyset pages resume exactly). Placeholder tokens (only a read asked for them) are not
 * found. Token names are searched from 3 characters on (shorter
 * patterns have no trigram to use an index with); contract names and symbols at any length.
 */
export type SearchKind = 'TOKEN' | 'CONTRACT'
export type MatchedField = 'NAME' | 'SYMBOL'

export interface SearchHit {
  kind: SearchKind
  /** Token ref or contract id. */
  id: string
  contractId: string
  field: MatchedField
  text: string
  /** 0 exact, 1 prefix, 2 substring. */
  rank: number
  holders: number
}

export interface SearchCursor {
  rank: number
  holders: number
  kind: SearchKind
  id: string
}

export interface SearchOptions {
  kinds: readonly SearchKind[]
  /** null: every chain. */
  chains: readonly string[] | null
  after: SearchCursor | null
  limit: number
}

export const MIN_TOKEN_QUERY = 3

const SEARCH_SQL = `
WITH hits AS (
  SELECT 'TOKEN' AS kind, m.id, m.contract_id, 'NAME' AS field, m.name AS text, lower(m.name) AS l
    FROM token_metadata m JOIN token t ON t.id = m.id AND t.seen_on_chain
   WHERE 'TOKEN' = ANY($3::text[]) AND length($1) >= ${MIN_TOKEN_QUERY} AND lower(m.name) LIKE $2
  UNION ALL
  SELECT 'CONTRACT', cm.id, cm.id, 'NAME', cm.name, lower(cm.name)
    FROM contract_metadata cm WHERE 'CONTRACT' = ANY($3::text[]) AND lower(cm.name) LIKE $2
  UNION ALL
  SELECT 'CONTRACT', cm.id, cm.id, 'SYMBOL', cm.symbol, lower(cm.symbol)
    FROM contract_metadata cm WHERE 'CONTRACT' = ANY($3::text[]) AND lower(cm.symbol) LIKE $2
       AND lower(coalesce(cm.name, '')) NOT LIKE $2
), ranked AS (
  SELECT h.kind, h.id, h.contract_id, h.field, h.text,
         CASE WHEN h.l = $1 THEN 0 WHEN left(h.l, length($1)) = $1 THEN 1 ELSE 2 END AS rank,
         coalesce(hc.total, 0)::bigint AS holders
    FROM hits h
    JOIN contract c ON c.id = h.contract_id
    LEFT JOIN counter hc ON hc.scope = 'holders' AND hc.chain = h.contract_id AND hc.name = 'holders'
   WHERE $4::text[] IS NULL OR c.chain = ANY($4::text[])
)
SELECT kind, id, contract_id, field, text, rank, holders::text AS holders FROM ranked
 WHERE (rank, -holders, kind, id) > ($5::int, $6::bigint, $7::text, $8::text)
 ORDER BY rank, -holders, kind, id
 LIMIT $9`

/** `%` and `_` in the user's text match themselves. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}

export async function search(db: ReadDb, query: string, opts: SearchOptions): Promise<{ hits: SearchHit[]; hasNext: boolean }> {
  const q = query.toLowerCase()
  const a = opts.after
  const rows = await db.query<{ kind: SearchKind; id: string; contract_id: string; field: MatchedField; text: string; rank: number; holders: string }>(SEARCH_SQL, [
    q,
    `%${likeEscape(q)}%`,
    opts.kinds,
    opts.chains,
    a?.rank ?? -1,
    a ? -a.holders : 0,
    a?.kind ?? '',
    a?.id ?? '',
    opts.limit + 1,
  ])
  const hits = rows.slice(0, opts.limit).map((r) => ({ kind: r.kind, id: r.id, contractId: r.contract_id, field: r.field, text: r.text, rank: r.rank, holders: Number(r.holders) }))
  return { hits, hasNext: rows.length > opts.limit }
}
