import type { ReadDb } from './readDb'
import type { AttributeCondition, TokenViewPage } from './tokenLists'
import { attributeMatchSql } from './tokenLists'
import { listWithViews } from './tokenViews'

/**
 * Statistical rarity, as compact_counters() computes it (db/migrations/*-ExplorerQueries.js):
 * score = sum over the token's attributes of -log2(tokens with that trait value / tokens in the
 * collection); rank 1 is the rarest, equal scores share a rank. Tokens are ranked once the
 * compactor has folded their attributes (within a maintenance interval of the worker).
 */
export interface Rarity {
  score: number
  rank: number
}

export async function rarityOfTokens(db: ReadDb, refs: readonly string[]): Promise<Map<string, Rarity>> {
  if (refs.length === 0) return new Map()
  const rows = await db.query<{ token_id: string; score: number; rank: number }>(`SELECT token_id, score, rank FROM token_rarity WHERE token_id = ANY($1::text[])`, [refs])
  return new Map(rows.map((r) => [r.token_id, { score: r.score, rank: r.rank }]))
}

export interface RarityCursor {
  rank: number
  ref: string
}

/**
 * Tokens of a contract from rarest to most common (then by id), optionally matching attribute
 * conditions, with each token's rarity and view, in one statement (a page needs no second lookup).
 */
export async function tokensByRarity(
  db: ReadDb,
  contractId: string,
  conditions: readonly AttributeCondition[],
  after: RarityCursor | null,
  limit: number,
): Promise<TokenViewPage & { rarities: Rarity[] }> {
  const params: unknown[] = [contractId, after?.rank ?? 0, after?.ref ?? '', limit + 1]
  const match = conditions.length > 0 ? `AND r.token_id IN (${attributeMatchSql(conditions, params)})` : ''
  const rows = await listWithViews<{ ref: string; contract_id: string; token_id: string; score: number; rank: number }>(db, {
    sql: `SELECT r.token_id AS ref, r.contract_id, t.token_id::text AS token_id, r.score, r.rank
            FROM token_rarity r JOIN token t ON t.id = r.token_id
           WHERE r.contract_id = $1 AND (r.rank, r.token_id) > ($2::int, $3::text) ${match}
           ORDER BY r.rank, r.token_id
           LIMIT $4`,
    params,
    orderBy: 'r.rank, r.ref',
  })
  const kept = rows.slice(0, limit)
  return {
    items: kept.map(({ row: r }) => ({ ref: r.ref, contractId: r.contract_id, tokenId: r.token_id })),
    views: kept.map((k) => k.view),
    rarities: kept.map(({ row: r }) => ({ score: r.score, rank: r.rank })),
    hasNext: rows.length > limit,
  }
}
