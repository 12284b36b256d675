import type { ReadDb } from './readDb'

/**
 * Search over token names, contract names and contract symbols: case-insensitive substring
 * matches (prefix indexes, then trigram indexes: see tierSql), ranked exact >
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

// Two tiers, each ordered and limited on its own: exact and prefix matches (rank 0 and 1) through
// the btree indexes on lower(name) / lower(symbol) with text_pattern_ops (a byte range [q,
// successor of q), db/migrations/*-SearchPrefixIndexes.js), then, only when those do not fill the
// page, substring matches (rank 2) through the trigram indexes (SEARCH_SQL). So the page of a
// query with many prefix matches never sorts every trigram match. A contract is found by its symbol
// only when its name does not contain the text (one hit per contract).
type Tier = 'prefix' | 'substring'

function tierSql(tier: Tier): string {
  // $1 lowered text, $2 its LIKE pattern, $10 the successor of $1 (upper end of the prefix range)
  const inTier = (col: string) =>
    tier === 'prefix'
      ? `${col} ~>=~ $1 AND ${col} ~<~ $10 AND left(${col}, length($1)) = $1`
      : `${col} LIKE $2 AND NOT (${col} ~>=~ $1 AND ${col} ~<~ $10 AND left(${col}, length($1)) = $1)`
  return `
WITH hits AS (
  SELECT 'TOKEN' AS kind, m.id, m.contract_id, 'NAME' AS field, m.name AS text, lower(m.name) AS l
    FROM token_metadata m JOIN token t ON t.id = m.id AND t.seen_on_chain
   WHERE 'TOKEN' = ANY($3::text[]) AND length($1) >= ${MIN_TOKEN_QUERY} AND ${inTier('lower(m.name)')}
  UNION ALL
  SELECT 'CONTRACT', cm.id, cm.id, 'NAME', cm.name, lower(cm.name)
    FROM contract_metadata cm WHERE 'CONTRACT' = ANY($3::text[]) AND ${inTier('lower(cm.name)')}
  UNION ALL
  SELECT 'CONTRACT', cm.id, cm.id, 'SYMBOL', cm.symbol, lower(cm.symbol)
    FROM contract_metadata cm WHERE 'CONTRACT' = ANY($3::text[]) AND ${inTier('lower(cm.symbol)')}
       AND lower(coalesce(cm.name, '')) NOT LIKE $2
), ranked AS (
  SELECT h.kind, h.id, h.contract_id, h.field, h.text,
         ${tier === 'prefix' ? 'CASE WHEN h.l = $1 THEN 0 ELSE 1 END' : '2'} AS rank,
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
}

// One statement: the substring tier sits under a one-time filter on the first tier's row count,
// so Postgres runs it (and reads the trigram indexes) only when the first tier leaves room.
const SEARCH_SQL = `
WITH first_tier AS MATERIALIZED (${tierSql('prefix')}),
     second_tier AS (SELECT * FROM (${tierSql('substring')}) s WHERE (SELECT count(*) FROM first_tier) < $9)
SELECT * FROM (SELECT * FROM first_tier UNION ALL SELECT * FROM second_tier) u
 ORDER BY rank, -holders::bigint, kind, id
 LIMIT $9`

/**
 * The first text after every text that starts with `q`, in byte (code point) order: `q` with its
 * last code point incremented (past the surrogates); null when `q` is all U+10FFFF.
 */
export function prefixSuccessor(q: string): string | null {
  const points = [...q]
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last + 1 === 0xd800 ? 0xe000 : last + 1)
  }
  return null
}

/** `%` and `_` in the user's text match themselves. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}

export async function search(db: ReadDb, query: string, opts: SearchOptions): Promise<{ hits: SearchHit[]; hasNext: boolean }> {
  const q = query.toLowerCase()
  const a = opts.after
  // no successor (q is all U+10FFFF): the range ends at q + U+10FFFF, missing only texts that go on
  // with more U+10FFFF after that
  const params = [
    q,
    `%${likeEscape(q)}%`,
    opts.kinds,
    opts.chains,
    a?.rank ?? -1,
    a ? -a.holders : 0,
    a?.kind ?? '',
    a?.id ?? '',
    opts.limit + 1,
    prefixSuccessor(q) ?? `${q}\u{10ffff}`,
  ]
  const rows = await db.query<SearchRow>(SEARCH_SQL, params)
  const hits = rows.slice(0, opts.limit).map((r) => ({ kind: r.kind, id: r.id, contractId: r.contract_id, field: r.field, text: r.text, rank: r.rank, holders: Number(r.holders) }))
  return { hits, hasNext: rows.length > opts.limit }
}

interface SearchRow {
  kind: SearchKind
  id: string
  contract_id: string
  field: MatchedField
  text: string
  rank: number
  holders: string
}
