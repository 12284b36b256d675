import type { ReadDb } from './readDb'

/** Filters of the fungible-token directory (Hiro `GET /ft`). */
export interface FungibleTokenQuery {
  chain: string
  /** Substring of the name, case-insensitive. */
  name?: string
  /** Exact symbol, case-insensitive. */
  symbol?: string
  /** Prefix of the contract address (a deployer address lists its tokens). */
  address?: string
  /** Only tokens whose last metadata fetch succeeded. */
  validMetadataOnly: boolean
  orderBy: 'name' | 'symbol'
  order: 'asc' | 'desc'
  offset: number
  limit: number
}

export interface FungibleTokenItem {
  contractId: string
  address: string
  name: string | null
  symbol: string | null
  decimals: number | null
  totalSupply: string | null
  tokenUri: string | null
  description: string | null
  image: string | null
  deployTx: string | null
  deployer: string | null
}

export interface FungibleTokenPage {
  total: number
  results: FungibleTokenItem[]
}

/** LIKE metacharacters in user input match literally. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * One statement returns the page and the total of the filtered set (also when the offset runs
 * past the end). FT metadata is the document of the token row with id 0 (docs/architecture.md §2);
 * name, symbol, decimals and supply come from the contract reads. Order ties break on the
 * contract id so pages never overlap.
 */
export async function listFungibleTokens(db: ReadDb, q: FungibleTokenQuery): Promise<FungibleTokenPage> {
  const sortKey = q.orderBy === 'symbol' ? 'lower(cm.symbol)' : 'lower(cm.name)'
  const dir = q.order === 'desc' ? 'DESC' : 'ASC'
  const text = `
WITH f AS (
  SELECT c.id, c.address, c.deploy_tx, c.deployer, cm.name, cm.symbol, cm.decimals,
         coalesce(c.total_supply, cm.total_supply)::text AS total_supply,
         coalesce(m.uri, cm.uri) AS token_uri,
         m.normalized->>'description' AS description, m.normalized->>'image' AS image,
         ${sortKey} AS sort_key
    FROM contract c
    LEFT JOIN contract_metadata cm ON cm.id = c.id
    LEFT JOIN token_metadata m ON m.id = c.id || ':0'
   WHERE c.chain = $1 AND c.standard IN ('SIP010', 'ERC20')
     AND ($2::text IS NULL OR lower(cm.name) LIKE '%' || lower($2::text) || '%')
     AND ($3::text IS NULL OR lower(cm.symbol) = lower($3::text))
     AND ($4::text IS NULL OR c.address LIKE $4::text || '%')
     AND (NOT $5::bool OR m.status = 'AVAILABLE'))
SELECT (SELECT count(*) FROM f)::int AS total,
       coalesce((SELECT json_agg(p) FROM (
         SELECT * FROM f ORDER BY sort_key ${dir}, id ${dir} LIMIT $6 OFFSET $7) p), '[]'::json) AS results`
  const [row] = await db.query<{ total: number; results: Record<string, string | number | null>[] }>(text, [
    q.chain,
    q.name === undefined ? null : likeEscape(q.name),
    q.symbol ?? null,
    q.address === undefined ? null : likeEscape(q.address),
    q.validMetadataOnly,
    q.limit,
    q.offset,
  ])
  return {
    total: row.total,
    results: row.results.map((r) => ({
      contractId: r.id as string,
      address: r.address as string,
      name: r.name as string | null,
      symbol: r.symbol as string | null,
      decimals: r.decimals as number | null,
      totalSupply: r.total_supply as string | null,
      tokenUri: r.token_uri as string | null,
      description: r.description as string | null,
      image: r.image as string | null,
      deployTx: r.deploy_tx as string | null,
      deployer: r.deployer as string | null,
    })),
  }
}
