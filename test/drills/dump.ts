/**
 * Normalised table dumps: what two databases that indexed the same chains and fetched the same
 * hosts must agree on, whatever happened to them on the way (kills, restarts, reorgs).
 *
 * Left out, because they legitimately differ between a live run and a clean one: wall-clock
 * timestamps (fetched/updated/queued/finished at), leases, job priority (NEW_MINT at the head,
 * BACKFILL while catching up), run_at, claimed_version and request_version (enqueues merge
 * differently when blocks arrive one by one or in one batch), error_message (timings in text).
 * Chain time (block timestamps, minted_at, created_at) is kept.
 *
 * Equality is decided by an md5 over every row in id order, computed in Postgres; only when the
 * digests differ are rows fetched to name the first differences.
 */
import type { DrillDb } from './postgres'

interface TableSpec {
  table: string
  /** SQL select list; `id` must come first */
  columns: string
  /** restricts the rows to one chain; `$1` is the chain */
  chainFilter: string
}

const TABLES: TableSpec[] = [
  {
    table: 'contract',
    columns: `id, chain, address, standard, total_supply::text, deployer, deploy_tx, deploy_block, first_seen_block, update_mode, update_ttl, created_at`,
    chainFilter: `chain = $1`,
  },
  {
    table: 'token',
    columns: `id, chain, contract_id, token_id::text, standard, owner, supply::text, burned, chain_uri, mint_block, mint_tx, minted_at, burn_block, update_mode, update_ttl`,
    chainFilter: `chain = $1`,
  },
  { table: 'balance', columns: `id, token_id, contract_id, account, amount::text`, chainFilter: `contract_id LIKE $1 || ':%'` },
  {
    table: 'update_notice',
    columns: `id, chain, kind, contract_id, token_id, from_token_id::text, to_token_id::text, token_count, uri, update_mode, ttl, sender, block_number, block_hash, tx_hash, log_index, timestamp`,
    chainFilter: `chain = $1`,
  },
  {
    table: 'token_metadata',
    columns: `id, token_id, contract_id, status, uri, resolved_url, content_hash, error_code, error_http_status, name, description, image, image_data, external_url, animation_url, background_color, youtube_url, decimals, properties, localization, normalized, raw`,
    chainFilter: `contract_id LIKE $1 || ':%'`,
  },
  {
    table: 'token_attribute',
    columns: `id, token_id, contract_id, position, trait_type, value, value_number::text, value_json, display_type, max_value::text`,
    chainFilter: `contract_id LIKE $1 || ':%'`,
  },
  { table: 'token_locale', columns: `id, token_id, locale, normalized, raw`, chainFilter: `token_id LIKE $1 || ':%'` },
  {
    table: 'contract_metadata',
    // total_supply left out: a point-in-time chain read (the contract job reads totalSupply() once;
    // a collection still minting has more tokens by the time a clean run reads it)
    columns: `id, contract_id, status, confirmed_standard, name, symbol, decimals, uri, resolved_url, normalized, raw, error_code`,
    chainFilter: `contract_id LIKE $1 || ':%'`,
  },
  {
    table: 'metadata_job',
    // attempts is reset to 0 on DONE and INVALID; a FAILED job's count depends on lease sweeps
    columns: `id, kind, chain, contract_id, token_ref, status, CASE WHEN status = 'FAILED' THEN NULL ELSE attempts END AS attempts, host, error_code, error_http_status, error_url`,
    chainFilter: `chain = $1`,
  },
]

export interface TableDigest {
  rows: number
  md5: string
}

export type Digest = Record<string, TableDigest>

export async function digest(db: DrillDb, chain: string): Promise<Digest> {
  const out: Digest = {}
  for (const t of TABLES) {
    const [r] = await db.q<{ n: number; md5: string | null }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x.id), '')) AS md5
         FROM (SELECT ${t.columns} FROM "${t.table}" WHERE ${t.chainFilter}) x`,
      [chain],
    )
    out[t.table] = { rows: r.n, md5: r.md5 ?? '' }
  }
  return out
}

export interface Comparison {
  equal: boolean
  /** per table: rows in each database and whether they match */
  tables: { table: string; a: number; b: number; equal: boolean }[]
  /** first differences, `table id: a=… b=…` */
  differences: string[]
}

/** Compares two databases' normalised dumps of one chain; names up to `maxDiffs` differing rows per table. */
export async function compareDatabases(a: DrillDb, b: DrillDb, chain: string, maxDiffs = 2): Promise<Comparison> {
  const [da, db] = [await digest(a, chain), await digest(b, chain)]
  const tables = TABLES.map((t) => ({ table: t.table, a: da[t.table].rows, b: db[t.table].rows, equal: da[t.table].md5 === db[t.table].md5 }))
  const differences: string[] = []
  for (const t of TABLES) {
    if (da[t.table].md5 === db[t.table].md5) continue
    const load = async (d: DrillDb) => {
      const rows = await d.q<{ id: string; row: string }>(
        `SELECT x.id::text AS id, x::text AS row FROM (SELECT ${t.columns} FROM "${t.table}" WHERE ${t.chainFilter}) x ORDER BY x.id`,
        [chain],
      )
      return new Map(rows.map((r) => [r.id, r.row]))
    }
    const [ra, rb] = [await load(a), await load(b)]
    let n = 0
    for (const id of new Set([...ra.keys(), ...rb.keys()])) {
      const x = ra.get(id)
      const y = rb.get(id)
      if (x === y) continue
      if (n++ < maxDiffs) differences.push(`${t.table} ${id}: ${a.name}=${clip(x)} ${b.name}=${clip(y)}`)
    }
    differences.push(`${t.table}: ${n} row(s) differ (${ra.size} vs ${rb.size} rows)`)
  }
  return { equal: tables.every((t) => t.equal), tables, differences }
}

function clip(s: string | undefined): string {
  if (s === undefined) return '(absent)'
  return s.length > 160 ? `${s.slice(0, 160)}…` : s
}

/**
 * The status counters and the per-collection counters (trigger-maintained deltas folded by
 * compact_counters) must equal what a COUNT(*) finds, whatever was killed in the middle of which
 * transaction or rolled back by a reorg.
 */
export async function counterMismatches(db: DrillDb): Promise<string[]> {
  const rows = await db.q<{ scope: string; chain: string; name: string; counted: string; real: string }>(
    `WITH c AS (
       SELECT scope, chain, name, sum(total)::bigint AS total FROM (
         SELECT scope, chain, name, total FROM counter UNION ALL SELECT scope, chain, name, delta FROM counter_delta) u
        GROUP BY 1, 2, 3),
     r AS (
       SELECT 'job' AS scope, chain, status AS name, count(*)::bigint AS total FROM metadata_job GROUP BY 2, 3
       UNION ALL SELECT 'token', chain, standard, count(*) FROM token WHERE seen_on_chain GROUP BY 2, 3
       UNION ALL SELECT 'contract', chain, standard, count(*) FROM contract GROUP BY 2, 3
       -- per collection (ExplorerQueries migration): the contract id stands in the chain column
       UNION ALL SELECT 'ctoken', contract_id, 'tokens', count(*) FROM token WHERE seen_on_chain GROUP BY 2
       UNION ALL SELECT 'trait', contract_id, coalesce(trait_type, '') || chr(31) || coalesce(value, ''), count(*) FROM token_attribute GROUP BY 2, 3
       UNION ALL SELECT 'cmeta', contract_id,
                        CASE WHEN status = 'DONE' THEN 'available' WHEN has_document THEN 'stale'
                             WHEN status IN ('QUEUED', 'RUNNING') THEN 'pending' WHEN status = 'FAILED' THEN 'failed' ELSE 'invalid' END,
                        count(*) FROM metadata_job WHERE kind = 'TOKEN' GROUP BY 2, 3
       UNION ALL SELECT 'holders', contract_id, 'holders', count(DISTINCT account) FROM (
                   SELECT contract_id, owner AS account FROM token WHERE owner IS NOT NULL
                   UNION ALL SELECT contract_id, account FROM balance WHERE amount > 0) h GROUP BY 2)
     SELECT coalesce(c.scope, r.scope) AS scope, coalesce(c.chain, r.chain) AS chain, coalesce(c.name, r.name) AS name,
            coalesce(c.total, 0)::text AS counted, coalesce(r.total, 0)::text AS real
       FROM c FULL JOIN r ON c.scope = r.scope AND c.chain = r.chain AND c.name = r.name
      WHERE coalesce(c.total, 0) <> coalesce(r.total, 0)`,
  )
  return rows.map((r) => `${r.scope}/${r.chain}/${r.name}: counter ${r.counted}, real ${r.real}`)
}
