// Hand-written: explorer and wallet queries.
//
// 1. Search: trigram indexes (pg_trgm) on lower(name) of token and contract metadata and on
//    lower(symbol), so case-insensitive substring and prefix matches use an index and follow
//    every metadata write with no extra step.
// 2. Per-collection counters in the existing counter / counter_delta scheme (append-only deltas
//    written by statement triggers, folded by compact_counters(); readers sum both), with the
//    contract id in the `chain` column:
//      scope 'ctoken'  name 'tokens'                  tokens of the contract seen on chain (burned ones too)
//      scope 'trait'   name trait_type \x1f value      tokens' attribute rows per trait value
//      scope 'cmeta'   name available|pending|stale|failed|invalid   token jobs by the status
//                      readers see (the job status, and whether a good document is stored)
//      scope 'holders' name 'holders'                 accounts holding at least one token
//    Holders need the per-account count behind them: contract_holder, written only by the
//    processor's own statements (token owners and balances have one writer per chain), so its
//    upserts never wait on another writer.
// 3. Rarity: compact_counters() also remembers which collections' trait or token counts moved
//    and recomputes their scores in one pass each (statistical rarity: the sum over a token's
//    attributes of -log2(count of that trait value / tokens in the collection)), ranked 1 = rarest.
//    A 10,000-token reveal is folded by a few compactions, each one pass per collection; one call
//    rescores at most 50 collections (the rest wait for the next call).

const BUCKET = `CASE WHEN status = 'DONE' THEN 'available'
                     WHEN has_document THEN 'stale'
                     WHEN status IN ('QUEUED', 'RUNNING') THEN 'pending'
                     WHEN status = 'FAILED' THEN 'failed' ELSE 'invalid' END`

const TRAIT_NAME = `coalesce(trait_type, '') || chr(31) || coalesce(value, '')`

/** [table, scope, name expression, row filter] counted per contract. */
const PER_CONTRACT = [
  // placeholder rows (seen_on_chain = false, PlaceholderTokens migration) are not the collection's yet
  ['token', 'ctoken', `'tokens'`, 'seen_on_chain'],
  ['token_attribute', 'trait', TRAIT_NAME, 'true'],
  ['metadata_job', 'cmeta', BUCKET, `kind = 'TOKEN'`],
]

async function counterTriggers(db, table, scope, expr, where) {
  const sources = {
    insert: `SELECT contract_id, ${expr} AS name, 1 AS d FROM new_rows WHERE ${where}`,
    delete: `SELECT contract_id, ${expr} AS name, -1 AS d FROM old_rows WHERE ${where}`,
    update: `SELECT contract_id, ${expr} AS name, 1 AS d FROM new_rows WHERE ${where}
             UNION ALL SELECT contract_id, ${expr}, -1 FROM old_rows WHERE ${where}`,
  }
  for (const [ev, source] of Object.entries(sources)) {
    const fn = `${table}_contract_count_${ev}`
    await db.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO counter_delta (scope, chain, name, delta)
        SELECT '${scope}', contract_id, name, sum(d) FROM (${source}) x GROUP BY 2, 3 HAVING sum(d) <> 0;
        RETURN NULL;
      END $$`)
    const ref = ev === 'insert' ? 'NEW TABLE AS new_rows' : ev === 'delete' ? 'OLD TABLE AS old_rows' : 'OLD TABLE AS old_rows NEW TABLE AS new_rows'
    await db.query(`CREATE TRIGGER ${fn} AFTER ${ev.toUpperCase()} ON "${table}" REFERENCING ${ref} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`)
  }
}

/**
 * Holdings per (contract, account) from a table's rows (`held` says whether a row is a holding),
 * and the holder count's delta when an account's holding count crosses zero. One function per
 * event: a statement trigger sees only the transition tables its event has.
 */
async function holderFunction(db, table, account, held) {
  const sources = {
    insert: `SELECT contract_id, ${account} AS account, 1 AS x FROM new_rows WHERE ${held}`,
    delete: `SELECT contract_id, ${account} AS account, -1 AS x FROM old_rows WHERE ${held}`,
    update: `SELECT contract_id, ${account} AS account, 1 AS x FROM new_rows WHERE ${held}
             UNION ALL SELECT contract_id, ${account}, -1 FROM old_rows WHERE ${held}`,
  }
  const crossed = `CASE WHEN up.tokens > 0 AND up.tokens - d.delta <= 0 THEN 1 WHEN up.tokens <= 0 AND up.tokens - d.delta > 0 THEN -1 ELSE 0 END`
  for (const [ev, source] of Object.entries(sources)) {
    const fn = `${table}_holders_${ev}`
    await db.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        WITH d AS (SELECT contract_id, account, sum(x)::bigint AS delta FROM (${source}) y GROUP BY 1, 2 HAVING sum(x) <> 0),
             up AS (INSERT INTO contract_holder AS h (contract_id, account, tokens)
                    SELECT contract_id, account, delta FROM d ORDER BY 1, 2
                    ON CONFLICT (contract_id, account) DO UPDATE SET tokens = h.tokens + excluded.tokens
                    RETURNING h.contract_id, h.account, h.tokens)
        INSERT INTO counter_delta (scope, chain, name, delta)
        SELECT 'holders', up.contract_id, 'holders', sum(${crossed})
          FROM up JOIN d USING (contract_id, account)
         GROUP BY up.contract_id HAVING sum(${crossed}) <> 0;
        RETURN NULL;
      END $$`)
    const ref = ev === 'insert' ? 'NEW TABLE AS new_rows' : ev === 'delete' ? 'OLD TABLE AS old_rows' : 'OLD TABLE AS old_rows NEW TABLE AS new_rows'
    await db.query(`CREATE TRIGGER ${fn} AFTER ${ev.toUpperCase()} ON "${table}" REFERENCING ${ref} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`)
  }
}

// compact_counters() as the Infrastructure migration wrote it, and this migration's version: the
// same folding, plus collections whose trait or token counts moved marked in rarity_dirty by the
// same statement (so no delta is folded without its recompute), then rescored. Only the
// compactor writes rarity_dirty and token_rarity (it holds the lock).
function compactCounters({ withRarity }) {
  return `CREATE OR REPLACE FUNCTION compact_counters() RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE moved bigint;${withRarity ? ' c text;' : ''}
      BEGIN
        IF NOT pg_try_advisory_xact_lock(7305001) THEN RETURN 0; END IF;
        WITH d AS (DELETE FROM counter_delta RETURNING scope, chain, name, delta),
             agg AS (SELECT scope, chain, name, sum(delta) AS delta, count(*) AS n FROM d GROUP BY 1, 2, 3),
             ins AS (INSERT INTO counter (scope, chain, name, total)
                     SELECT scope, chain, name, delta FROM agg
                     ON CONFLICT (scope, chain, name) DO UPDATE SET total = counter.total + excluded.total)${
                       withRarity
                         ? `,
             dirty AS (INSERT INTO rarity_dirty (contract_id)
                       SELECT DISTINCT chain FROM agg WHERE scope IN ('trait', 'ctoken')
                       ON CONFLICT DO NOTHING)`
                         : ''
                     }
        SELECT coalesce(sum(n), 0) INTO moved FROM agg;${
          withRarity
            ? `
        -- At most 50 collections per call, so one maintenance run stays short after a backfill
        -- that touched thousands; the rest stay marked for the next run.
        FOR c IN SELECT contract_id FROM rarity_dirty ORDER BY contract_id LIMIT 50 LOOP
          PERFORM tms_rescore_rarity(c);
          DELETE FROM rarity_dirty WHERE contract_id = c;
        END LOOP;`
            : ''
        }
        RETURN moved;
      END $$`
}

// One pass over a collection's attribute rows: score = sum of -log2(frequency), frequency =
// (tokens with that trait value) / (tokens of the collection), both from the folded counters.
// Tokens with no attributes score 0. Rank 1 is the rarest; equal scores share a rank.
// One pass over a collection's attribute rows: score = sum of -log2(frequency), frequency =
// (tokens with that trait value) / (tokens of the collection). The value counts are taken in the
// same pass (a window count over the collection's rows, equal to the folded counters, which the
// drills check against COUNT(*)): joining the counter table instead let a stale estimate pick a
// nested loop of (values x rows) per collection, minutes for a 1,000-collection backfill.
// Tokens with no attributes score 0. Rank 1 is the rarest; equal scores share a rank.
const RESCORE = `CREATE FUNCTION tms_rescore_rarity(p_contract text) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE n numeric;
      BEGIN
        SELECT total INTO n FROM counter WHERE scope = 'ctoken' AND chain = p_contract AND name = 'tokens';
        DELETE FROM token_rarity WHERE contract_id = p_contract;
        IF n IS NULL OR n <= 0 THEN RETURN; END IF;
        INSERT INTO token_rarity (token_id, contract_id, score, rank)
        SELECT token_id, p_contract, score, rank() OVER (ORDER BY score DESC)
          FROM (SELECT t.id AS token_id, coalesce(s.score, 0) AS score
                  FROM token t
                  LEFT JOIN (SELECT token_id, sum(-log(2::numeric, least(1, cnt / n)))::float8 AS score
                               FROM (SELECT a.token_id, count(*) OVER (PARTITION BY a.trait_type, a.value) AS cnt
                                       FROM token_attribute a WHERE a.contract_id = p_contract) v
                              GROUP BY token_id) s ON s.token_id = t.id
                 WHERE t.contract_id = p_contract AND t.seen_on_chain) x;
      END $$`

module.exports = class ExplorerQueries1796500000000 {
  name = 'ExplorerQueries1796500000000'

  async up(db) {
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`)
    await db.query(`CREATE INDEX token_metadata_name_trgm ON token_metadata USING gin (lower(name) gin_trgm_ops)`)
    await db.query(`CREATE INDEX contract_metadata_name_trgm ON contract_metadata USING gin (lower(name) gin_trgm_ops)`)
    await db.query(`CREATE INDEX contract_metadata_symbol_trgm ON contract_metadata USING gin (lower(symbol) gin_trgm_ops)`)
    await db.query(`CREATE INDEX counter_delta_scope_chain ON counter_delta (scope, chain)`)

    // Whether the token job's subject has a good document stored: with the job status it gives
    // the status readers see (metadataStatus.ts), so per-collection status counts follow jobs alone.
    await db.query(`ALTER TABLE metadata_job ADD has_document boolean NOT NULL DEFAULT false`)
    await db.query(`UPDATE metadata_job j SET has_document = true FROM token_metadata m WHERE j.kind = 'TOKEN' AND m.id = j.token_ref AND m.normalized IS NOT NULL`)

    await db.query(`CREATE TABLE contract_holder (
      contract_id text NOT NULL REFERENCES contract (id) ON DELETE CASCADE, account text NOT NULL, tokens bigint NOT NULL,
      PRIMARY KEY (contract_id, account))`)
    await db.query(`CREATE TABLE rarity_dirty (contract_id text PRIMARY KEY)`)
    await db.query(`CREATE TABLE token_rarity (
      token_id text PRIMARY KEY REFERENCES token (id) ON DELETE CASCADE,
      contract_id text NOT NULL REFERENCES contract (id) ON DELETE CASCADE, score float8 NOT NULL, rank int NOT NULL)`)
    await db.query(`CREATE INDEX token_rarity_rank ON token_rarity (contract_id, rank, token_id)`)

    for (const [table, scope, expr, where] of PER_CONTRACT) await counterTriggers(db, table, scope, expr, where)
    for (const [table, account, held] of [
      ['token', 'owner', 'owner IS NOT NULL'],
      ['balance', 'account', 'amount > 0'],
    ]) {
      await holderFunction(db, table, account, held)
    }

    // What already exists, counted once.
    await db.query(`INSERT INTO contract_holder (contract_id, account, tokens)
      SELECT contract_id, account, count(*) FROM (
        SELECT contract_id, owner AS account FROM token WHERE owner IS NOT NULL
        UNION ALL SELECT contract_id, account FROM balance WHERE amount > 0) h GROUP BY 1, 2`)
    await db.query(`INSERT INTO counter_delta (scope, chain, name, delta)
      SELECT 'ctoken', contract_id, 'tokens', count(*) FROM token WHERE seen_on_chain GROUP BY contract_id
      UNION ALL SELECT 'trait', contract_id, ${TRAIT_NAME}, count(*) FROM token_attribute GROUP BY 2, 3
      UNION ALL SELECT 'cmeta', contract_id, ${BUCKET}, count(*) FROM metadata_job WHERE kind = 'TOKEN' GROUP BY 2, 3
      UNION ALL SELECT 'holders', contract_id, 'holders', count(*) FROM contract_holder WHERE tokens > 0 GROUP BY contract_id`)

    await db.query(RESCORE)
    await db.query(compactCounters({ withRarity: true }))
  }

  async down(db) {
    await db.query(compactCounters({ withRarity: false }))
    await db.query(`DROP FUNCTION tms_rescore_rarity(text)`)
    for (const table of ['token', 'balance']) {
      for (const ev of ['insert', 'delete', 'update']) {
        await db.query(`DROP TRIGGER ${table}_holders_${ev} ON "${table}"`)
        await db.query(`DROP FUNCTION ${table}_holders_${ev}()`)
      }
    }
    for (const [table] of PER_CONTRACT) {
      for (const ev of ['insert', 'delete', 'update']) {
        await db.query(`DROP TRIGGER ${table}_contract_count_${ev} ON "${table}"`)
        await db.query(`DROP FUNCTION ${table}_contract_count_${ev}()`)
      }
    }
    await db.query(`DELETE FROM counter WHERE scope IN ('ctoken', 'trait', 'cmeta', 'holders')`)
    await db.query(`DELETE FROM counter_delta WHERE scope IN ('ctoken', 'trait', 'cmeta', 'holders')`)
    await db.query(`DROP TABLE token_rarity`)
    await db.query(`DROP TABLE rarity_dirty`)
    await db.query(`DROP TABLE contract_holder`)
    await db.query(`ALTER TABLE metadata_job DROP COLUMN has_document`)
    await db.query(`DROP INDEX counter_delta_scope_chain`)
    await db.query(`DROP INDEX contract_metadata_symbol_trgm`)
    await db.query(`DROP INDEX contract_metadata_name_trgm`)
    await db.query(`DROP INDEX token_metadata_name_trgm`)
    await db.query(`DROP EXTENSION IF EXISTS pg_trgm`)
  }
}
