// Hand-written: per-(contract, trait type, value) token sets, so facet counts under filters are
// bitmap intersections instead of scans of every matching token's attribute rows.
//
//   trait_token_set     one row per trait value of a collection: `tokens` is a bit string with
//                       one bit per token of the collection that has attribute rows (bit i = the
//                       i-th such token by id); every row of a collection has the same length.
//   trait_set_contract  per collection: how many tokens and values the sets cover, and whether
//                       they answer exactly (`exact`): false when a token has the same trait value
//                       twice (the facet counts count attribute rows, a bit counts a token once)
//                       or when tokens x values exceeds MAX_BITS (high-cardinality traits: the
//                       sets would cost more to read than the scan they replace).
//   trait_set_dirty     append-only marks written by statement triggers on token_attribute (so
//                       concurrent writers never wait on a shared row, like counter_delta).
//
// rebuild_trait_sets() (called by the workers' maintenance after compact_counters()) takes the
// marked collections, at most 50 per call, deletes their marks and rebuilds each collection's
// sets in one pass over its attribute rows. Readers use the sets only when the collection has a
// state row with `exact` and no mark is visible: a mark is deleted in the transaction of the
// rebuild that saw its change, so sets with no mark left reflect every committed change, and
// readers fall back to the exact scan otherwise (never a stale count).

const MAX_BITS = 16_777_216

const REBUILD_ONE = `CREATE FUNCTION tms_rebuild_trait_sets(p_contract text) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE n bigint; rows_n bigint; distinct_n bigint; values_n bigint;
      BEGIN
        DELETE FROM trait_token_set WHERE contract_id = p_contract;
        DELETE FROM trait_set_contract WHERE contract_id = p_contract;
        SELECT count(DISTINCT token_id), count(*), count(DISTINCT (token_id, trait_type, value)), count(DISTINCT (trait_type, value))
          INTO n, rows_n, distinct_n, values_n
          FROM token_attribute WHERE contract_id = p_contract;
        IF n = 0 THEN RETURN; END IF;
        INSERT INTO trait_set_contract (contract_id, tokens, trait_values, exact)
        VALUES (p_contract, n, values_n, rows_n = distinct_n AND n * values_n <= ${MAX_BITS});
        IF NOT (rows_n = distinct_n AND n * values_n <= ${MAX_BITS}) THEN RETURN; END IF;
        -- bit i of a set is the i-th token (0-based, by id); each set is written as a text of
        -- '0' and '1' (the gap of zeros before each member, then zeros up to n) cast to varbit
        INSERT INTO trait_token_set (contract_id, trait_type, value, tokens)
        SELECT p_contract, trait_type, value, rpad(string_agg(repeat('0', (ord - prev - 1)::int) || '1', '' ORDER BY ord), n::int, '0')::varbit
          FROM (SELECT a.trait_type, a.value, o.ord, lag(o.ord, 1, -1::bigint) OVER (PARTITION BY a.trait_type, a.value ORDER BY o.ord) AS prev
                  FROM token_attribute a
                  JOIN (SELECT token_id, row_number() OVER (ORDER BY token_id) - 1 AS ord
                          FROM (SELECT DISTINCT token_id FROM token_attribute WHERE contract_id = p_contract) d) o USING (token_id)
                 WHERE a.contract_id = p_contract) x
         GROUP BY trait_type, value;
      END $$`

const REBUILD_MARKED = `CREATE FUNCTION rebuild_trait_sets() RETURNS int LANGUAGE plpgsql AS $$
      DECLARE c text; k int := 0;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(7305002) THEN RETURN 0; END IF;
        FOR c IN SELECT DISTINCT contract_id FROM trait_set_dirty ORDER BY 1 LIMIT 50 LOOP
          DELETE FROM trait_set_dirty WHERE contract_id = c;
          PERFORM tms_rebuild_trait_sets(c);
          k := k + 1;
        END LOOP;
        RETURN k;
      END $$`

const EVENTS = [
  ['insert', 'NEW TABLE AS new_rows', 'SELECT contract_id FROM new_rows'],
  ['delete', 'OLD TABLE AS old_rows', 'SELECT contract_id FROM old_rows'],
  ['update', 'OLD TABLE AS old_rows NEW TABLE AS new_rows', 'SELECT contract_id FROM new_rows UNION SELECT contract_id FROM old_rows'],
]

module.exports = class TraitTokenSets1797000000700 {
  name = 'TraitTokenSets1797000000700'

  async up(db) {
    await db.query(`CREATE TABLE trait_token_set (contract_id text NOT NULL, trait_type text, value text, tokens varbit NOT NULL)`)
    await db.query(`CREATE INDEX trait_token_set_contract ON trait_token_set (contract_id, trait_type, value)`)
    await db.query(`CREATE TABLE trait_set_contract (contract_id text PRIMARY KEY, tokens bigint NOT NULL, trait_values bigint NOT NULL, exact boolean NOT NULL)`)
    await db.query(`CREATE TABLE trait_set_dirty (contract_id text NOT NULL)`)
    await db.query(`CREATE INDEX trait_set_dirty_contract ON trait_set_dirty (contract_id)`)
    for (const [ev, ref, source] of EVENTS) {
      const fn = `token_attribute_trait_sets_${ev}`
      await db.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO trait_set_dirty (contract_id) SELECT DISTINCT contract_id FROM (${source}) x WHERE contract_id IS NOT NULL;
          RETURN NULL;
        END $$`)
      await db.query(`CREATE TRIGGER ${fn} AFTER ${ev.toUpperCase()} ON token_attribute REFERENCING ${ref} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`)
    }
    await db.query(REBUILD_ONE)
    await db.query(REBUILD_MARKED)
    // what already exists is built by the next maintenance runs
    await db.query(`INSERT INTO trait_set_dirty (contract_id) SELECT DISTINCT contract_id FROM token_attribute WHERE contract_id IS NOT NULL`)
  }

  async down(db) {
    for (const [ev] of EVENTS) {
      await db.query(`DROP TRIGGER token_attribute_trait_sets_${ev} ON token_attribute`)
      await db.query(`DROP FUNCTION token_attribute_trait_sets_${ev}()`)
    }
    await db.query(`DROP FUNCTION rebuild_trait_sets()`)
    await db.query(`DROP FUNCTION tms_rebuild_trait_sets(text)`)
    await db.query(`DROP TABLE trait_set_dirty`)
    await db.query(`DROP TABLE trait_set_contract`)
    await db.query(`DROP TABLE trait_token_set`)
  }
}
