import type { ReadDb } from './readDb'
import { listWithViews, type TokenCore } from './tokenViews'

/**
 * Keyset-paginated token lists. Every list has a stable total order, so a cursor (the last
 * item's sort key) resumes exactly where the previous page ended even while rows are added:
 * - tokens of a contract: token id (numeric);
 * - tokens of an owner, attribute matches across one contract: (contract id, token id).
 * Each query fetches one row more than asked to tell whether a next page exists.
 * Placeholder rows (`seen_on_chain = false`: tokens only a read asked for) are never listed.
 */
export interface TokenListItem {
  ref: string
  contractId: string
  tokenId: string
  /** Holdings only: amount held (1 for an owned NFT). */
  amount?: string
}

export interface TokenPage {
  items: TokenListItem[]
  hasNext: boolean
}

/** A page with each listed token's view, read in the same statement as the list. */
export interface TokenViewPage extends TokenPage {
  views: TokenCore[]
}

/** Position after which a page starts; absent = from the beginning. */
export interface TokenCursor {
  contractId: string
  tokenId: string
}

interface ListRow {
  ref: string
  contract_id: string
  token_id: string
  amount?: string
}

function page(rows: { row: ListRow; view: TokenCore }[], limit: number): TokenViewPage {
  const kept = rows.slice(0, limit)
  const items = kept.map(({ row: r }) => ({ ref: r.ref, contractId: r.contract_id, tokenId: r.token_id, ...(r.amount !== undefined ? { amount: r.amount } : {}) }))
  return { items, views: kept.map((k) => k.view), hasNext: rows.length > limit }
}

/** A list ordered by (contract id, token id) with, in the same statement, each listed token's view. */
function byContractAndToken(db: ReadDb, sql: string, params: readonly unknown[]): Promise<{ row: ListRow; view: TokenCore }[]> {
  return listWithViews<ListRow>(db, { sql, params, orderBy: 'r.contract_id, r.token_id::numeric' })
}

// A page for many contracts in one statement: one index range scan per contract. Token ids are
// never negative, so -1 stands for "from the beginning" without an OR that would keep the planner
// from using the (contract_id, token_id) index.
const BY_CONTRACTS_SQL = `
SELECT x.ref, x.contract_id, x.token_id::text AS token_id, c.ord AS list_ord, x.token_id AS list_token
  FROM unnest($1::text[]) WITH ORDINALITY AS c(id, ord)
  CROSS JOIN LATERAL (
    SELECT t.id AS ref, t.contract_id, t.token_id
      FROM token t
     WHERE t.contract_id = c.id AND t.token_id > coalesce($2::numeric, -1) AND t.seen_on_chain
     ORDER BY t.token_id
     LIMIT $3) x
 ORDER BY c.ord, x.token_id`

/** First page (after `after`) of each contract's tokens, in the order of `contractIds`. */
export async function tokensOfContracts(db: ReadDb, contractIds: readonly string[], after: string | null, limit: number): Promise<TokenViewPage[]> {
  if (contractIds.length === 0) return []
  const rows = await listWithViews<ListRow>(db, { sql: BY_CONTRACTS_SQL, params: [contractIds, after, limit + 1], orderBy: 'r.list_ord, r.list_token' })
  const byContract = new Map<string, { row: ListRow; view: TokenCore }[]>()
  for (const r of rows) {
    let list = byContract.get(r.row.contract_id)
    if (!list) byContract.set(r.row.contract_id, (list = []))
    list.push(r)
  }
  return contractIds.map((id) => page(byContract.get(id) ?? [], limit))
}

// NFT ownership lives on the token row (ERC-721, SIP-009), semi-fungible holdings in balance
// (ERC-1155, SIP-013); the two never describe the same token.
const BY_OWNER_SQL = `
SELECT ref, contract_id, token_id::text AS token_id, amount::text AS amount FROM (
  SELECT t.id AS ref, t.contract_id, t.token_id, 1::numeric AS amount
    FROM token t
   WHERE t.owner = $1 AND t.chain = $2
  UNION ALL
  SELECT b.token_id AS ref, b.contract_id, t.token_id, b.amount
    FROM balance b JOIN token t ON t.id = b.token_id
   WHERE b.account = $1 AND b.amount > 0 AND t.chain = $2
) h
 WHERE (h.contract_id, h.token_id) > ($3::text, $4::numeric)
 ORDER BY h.contract_id, h.token_id
 LIMIT $5`

export async function tokensOfOwner(db: ReadDb, chain: string, owner: string, after: TokenCursor | null, limit: number): Promise<TokenViewPage> {
  return page(await byContractAndToken(db, BY_OWNER_SQL, [owner, chain, after?.contractId ?? '', after?.tokenId ?? '-1', limit + 1]), limit)
}

/** One trait condition: trait type equal, and value among `values` and/or numeric value within [min, max]. */
export interface AttributeCondition {
  traitType: string
  values?: readonly string[]
  min?: number
  max?: number
}

/**
 * Tokens of a contract whose attributes satisfy every condition (AND across conditions, OR
 * within one condition's values). Each condition is one probe of the
 * (contract_id, trait_type, value) index; the matches are intersected before touching token.
 */
export async function tokensByAttributes(db: ReadDb, contractId: string, conditions: readonly AttributeCondition[], after: string | null, limit: number): Promise<TokenViewPage> {
  const params: unknown[] = [contractId, after, limit + 1]
  const text = `
WITH matched AS (${attributeMatchSql(conditions, params)})
SELECT t.id AS ref, t.contract_id, t.token_id::text AS token_id
  FROM matched m JOIN token t ON t.id = m.token_id
 WHERE t.token_id > coalesce($2::numeric, -1) AND t.seen_on_chain
 ORDER BY t.token_id
 LIMIT $3`
  return page(await byContractAndToken(db, text, params), limit)
}

/**
 * Token ids of contract $1 that satisfy every condition: one probe of the (contract_id,
 * trait_type, value) index per condition, intersected. Appends its parameters to `params`.
 */
export function attributeMatchSql(conditions: readonly AttributeCondition[], params: unknown[]): string {
  const selects = conditions.map((c) => {
    params.push(c.traitType)
    let sql = `SELECT a.token_id FROM token_attribute a WHERE a.contract_id = $1 AND a.trait_type = $${params.length}`
    if (c.values !== undefined) {
      params.push(c.values)
      sql += ` AND a.value = ANY($${params.length}::text[])`
    }
    if (c.min !== undefined) {
      params.push(c.min)
      sql += ` AND a.value_number >= $${params.length}::numeric`
    }
    if (c.max !== undefined) {
      params.push(c.max)
      sql += ` AND a.value_number <= $${params.length}::numeric`
    }
    return sql
  })
  return selects.join('\n  INTERSECT\n  ')
}

// The same holdings across chains (an address on every EVM chain at once), optionally one
// contract: (contract id, token id) orders them across chains, since a contract id starts with
// its chain.
const ACROSS_CHAINS_SQL = `
SELECT ref, contract_id, token_id::text AS token_id, amount::text AS amount FROM (
  SELECT t.id AS ref, t.contract_id, t.token_id, 1::numeric AS amount
    FROM token t
   WHERE t.owner = $1 AND t.chain = ANY($2::text[]) AND ($6::text IS NULL OR t.contract_id = $6)
  UNION ALL
  SELECT b.token_id AS ref, b.contract_id, t.token_id, b.amount
    FROM balance b JOIN token t ON t.id = b.token_id
   WHERE b.account = $1 AND b.amount > 0 AND t.chain = ANY($2::text[]) AND ($6::text IS NULL OR b.contract_id = $6)
) h
 WHERE (h.contract_id, h.token_id) > ($3::text, $4::numeric)
 ORDER BY h.contract_id, h.token_id
 LIMIT $5`

export async function tokensOfOwnerOnChains(
  db: ReadDb,
  chains: readonly string[],
  owner: string,
  contractId: string | null,
  after: TokenCursor | null,
  limit: number,
): Promise<TokenViewPage> {
  return page(await byContractAndToken(db, ACROSS_CHAINS_SQL, [owner, chains, after?.contractId ?? '', after?.tokenId ?? '-1', limit + 1, contractId]), limit)
}

/**
 * Indexed token ids of a contract, in id order, at most `limit` (the caller asks for one more
 * than it allows, to tell "too many" apart). `neverFetched`: only tokens without fetched
 * metadata yet (Sequence's newMints).
 */
export async function indexedTokenIds(db: ReadDb, contractId: string, limit: number, neverFetched: boolean): Promise<bigint[]> {
  const found = await db.query<{ token_id: string }>(
    `SELECT t.token_id::text AS token_id FROM token t
      WHERE t.contract_id = $1 AND NOT t.burned
        AND (NOT $2::bool OR NOT EXISTS (SELECT 1 FROM token_metadata m WHERE m.id = t.id))
      ORDER BY t.token_id LIMIT $3`,
    [contractId, neverFetched, limit],
  )
  return found.map((r) => BigInt(r.token_id))
}

/** How many of these token refs are indexed (placeholders of on-demand fetches included). */
export async function countIndexedTokens(db: ReadDb, tokenRefs: readonly string[]): Promise<number> {
  const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM token WHERE id = ANY($1::text[])`, [tokenRefs])
  return n
}
