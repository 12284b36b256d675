// Hand-written: what the model generator cannot express.
//
// 1. Rows owned by workers (metadata, attributes, locales) and by the API (refresh items,
//    rate-limit windows) are deleted with the row they hang on. A reorg rollback deletes an
//    orphaned token; its metadata must go with it rather than block the delete.
// 2. Counters kept cheap at millions of rows: triggers append per-statement deltas to
//    counter_delta (append-only, so concurrent writers never wait on a shared counter row);
//    compact_counters() folds them into counter; readers sum both.
// 3. Queue indexes (partial, so claims and lease sweeps touch only live jobs) and a NOTIFY on
//    every statement that makes a job claimable, so idle workers wake within milliseconds.

const CASCADES = [
  ['token_metadata', 'token_id', 'token'],
  ['token_metadata', 'contract_id', 'contract'],
  ['token_attribute', 'token_id', 'token'],
  ['token_attribute', 'contract_id', 'contract'],
  ['token_locale', 'token_id', 'token'],
  ['contract_metadata', 'contract_id', 'contract'],
  ['refresh_item', 'refresh_id', 'refresh'],
  ['rate_limit_window', 'api_key_id', 'api_key'],
]

async function setOnDelete(db, table, column, target, action) {
  const rows = await db.query(
    `SELECT c.conname FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (c.conkey)
      WHERE c.contype = 'f' AND t.relname = $1 AND a.attname = $2`,
    [table, column],
  )
  for (const { conname } of rows) {
    await db.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${conname}"`)
    await db.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${conname}" FOREIGN KEY ("${column}") REFERENCES "${target}"("id") ON DELETE ${action}`)
  }
}

const COUNTED = [
  // [table, scope, expression for the counted name]
  ['metadata_job', 'job', 'status'],
  ['token', 'token', 'standard'],
  ['contract', 'contract', 'standard'],
]

module.exports = class Infrastructure1795222460582 {
  name = 'Infrastructure1795222460582'

  async up(db) {
    for (const [table, column, target] of CASCADES) await setOnDelete(db, table, column, target, 'CASCADE')

    await db.query(`CREATE TABLE counter (
      scope text NOT NULL, chain text NOT NULL, name text NOT NULL, total bigint NOT NULL,
      PRIMARY KEY (scope, chain, name))`)
    await db.query(`CREATE TABLE counter_delta (
      id bigserial PRIMARY KEY, scope text NOT NULL, chain text NOT NULL, name text NOT NULL, delta bigint NOT NULL)`)

    for (const [table, scope, expr] of COUNTED) {
      await db.query(`CREATE FUNCTION ${table}_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO counter_delta (scope, chain, name, delta)
          SELECT '${scope}', chain, ${expr}, count(*) FROM new_rows GROUP BY chain, ${expr};
          RETURN NULL;
        END $$`)
      await db.query(`CREATE FUNCTION ${table}_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO counter_delta (scope, chain, name, delta)
          SELECT '${scope}', chain, ${expr}, -count(*) FROM old_rows GROUP BY chain, ${expr};
          RETURN NULL;
        END $$`)
      await db.query(`CREATE FUNCTION ${table}_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO counter_delta (scope, chain, name, delta)
          SELECT '${scope}', chain, name, sum(d) FROM (
            SELECT chain, ${expr} AS name, 1 AS d FROM new_rows
            UNION ALL SELECT chain, ${expr}, -1 FROM old_rows) x
          GROUP BY chain, name HAVING sum(d) <> 0;
          RETURN NULL;
        END $$`)
      await db.query(`CREATE TRIGGER ${table}_count_insert AFTER INSERT ON "${table}"
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${table}_count_insert()`)
      await db.query(`CREATE TRIGGER ${table}_count_delete AFTER DELETE ON "${table}"
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${table}_count_delete()`)
      await db.query(`CREATE TRIGGER ${table}_count_update AFTER UPDATE ON "${table}"
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${table}_count_update()`)
    }

    // Folds deltas into totals. Serialised by an advisory lock so two compactors never
    // double-count; a caller that does not get the lock simply skips (someone else is on it).
    await db.query(`CREATE FUNCTION compact_counters() RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE moved bigint;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(7305001) THEN RETURN 0; END IF;
        WITH d AS (DELETE FROM counter_delta RETURNING scope, chain, name, delta),
             agg AS (SELECT scope, chain, name, sum(delta) AS delta, count(*) AS n FROM d GROUP BY 1, 2, 3),
             ins AS (INSERT INTO counter (scope, chain, name, total)
                     SELECT scope, chain, name, delta FROM agg
                     ON CONFLICT (scope, chain, name) DO UPDATE SET total = counter.total + excluded.total)
        SELECT coalesce(sum(n), 0) INTO moved FROM agg;
        RETURN moved;
      END $$`)

    await db.query(`CREATE INDEX metadata_job_claimable ON metadata_job (priority DESC, run_at) WHERE status = 'QUEUED'`)
    await db.query(`CREATE INDEX metadata_job_leased ON metadata_job (locked_until) WHERE status = 'RUNNING'`)
    await db.query(`CREATE INDEX metadata_job_token_ref ON metadata_job (token_ref)`)
    await db.query(`CREATE INDEX metadata_job_queued_at ON metadata_job (queued_at) WHERE status = 'QUEUED'`)
    await db.query(`CREATE INDEX metadata_job_running_host ON metadata_job (host) WHERE status = 'RUNNING'`)
    await db.query(`CREATE INDEX token_dynamic ON token (contract_id) WHERE update_mode = 'DYNAMIC'`)

    // Grants fetch slots for a host to a worker without letting the sum of live leases pass the
    // cap; serialised per host by an advisory lock held for this statement only.
    await db.query(`CREATE FUNCTION tms_grant_host_slots(p_host text, p_worker text, p_want int, p_cap int, p_lease_ms int)
      RETURNS TABLE (granted_slots int, cooldown_until_at timestamptz) LANGUAGE plpgsql AS $$
      DECLARE others int; g int; cd timestamptz;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('tms_host:' || p_host));
        SELECT h.cooldown_until INTO cd FROM host_state h WHERE h.id = p_host;
        SELECT coalesce(sum(l.slots), 0) INTO others FROM host_lease l
         WHERE l.host = p_host AND l.worker_id <> p_worker AND l.expires_at > now();
        g := greatest(0, least(p_want, p_cap - others));
        INSERT INTO host_lease (id, host, worker_id, slots, expires_at)
        VALUES (p_host || '|' || p_worker, p_host, p_worker, g, now() + make_interval(secs => p_lease_ms / 1000.0))
        ON CONFLICT (id) DO UPDATE SET slots = excluded.slots, expires_at = excluded.expires_at;
        RETURN QUERY SELECT g, cd;
      END $$`)

    // A token or contract deleted by a reorg rollback takes its metadata job with it (job rows
    // are not restored from the hot-block change log: others write them after the block). A job
    // a user refresh is waiting for stays: if the block is re-applied the token comes back and
    // the job keeps its version and priority; if it is truly orphaned the job settles the
    // refresh with token_not_found.
    for (const [table, prefix] of [
      ['token', 'token:'],
      ['contract', 'contract:'],
    ]) {
      await db.query(`CREATE FUNCTION ${table}_delete_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM metadata_job j WHERE j.id IN (SELECT '${prefix}' || id FROM old_rows)
             AND NOT EXISTS (SELECT 1 FROM refresh_item i WHERE i.token_ref = j.token_ref AND i.status = 'PENDING');
          RETURN NULL;
        END $$`)
      await db.query(`CREATE TRIGGER ${table}_delete_jobs AFTER DELETE ON "${table}"
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${table}_delete_jobs()`)
    }

    for (const event of ['INSERT', 'UPDATE']) {
      const fn = `metadata_job_notify_${event.toLowerCase()}`
      await db.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM new_rows WHERE status = 'QUEUED') THEN
            PERFORM pg_notify('metadata_job', '');
          END IF;
          RETURN NULL;
        END $$`)
      await db.query(`CREATE TRIGGER ${fn} AFTER ${event} ON metadata_job
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`)
    }
  }

  async down(db) {
    for (const table of ['contract', 'token']) {
      await db.query(`DROP TRIGGER ${table}_delete_jobs ON "${table}"`)
      await db.query(`DROP FUNCTION ${table}_delete_jobs()`)
    }
    for (const event of ['INSERT', 'UPDATE']) {
      const fn = `metadata_job_notify_${event.toLowerCase()}`
      await db.query(`DROP TRIGGER ${fn} ON metadata_job`)
      await db.query(`DROP FUNCTION ${fn}()`)
    }
    await db.query(`DROP FUNCTION tms_grant_host_slots(text, text, int, int, int)`)
    await db.query(`DROP INDEX token_dynamic`)
    await db.query(`DROP INDEX metadata_job_running_host`)
    await db.query(`DROP INDEX metadata_job_queued_at`)
    await db.query(`DROP INDEX metadata_job_token_ref`)
    await db.query(`DROP INDEX metadata_job_leased`)
    await db.query(`DROP INDEX metadata_job_claimable`)
    await db.query(`DROP FUNCTION compact_counters()`)
    for (const [table] of [...COUNTED].reverse()) {
      for (const op of ['update', 'delete', 'insert']) {
        await db.query(`DROP TRIGGER ${table}_count_${op} ON "${table}"`)
        await db.query(`DROP FUNCTION ${table}_count_${op}()`)
      }
    }
    await db.query(`DROP TABLE counter_delta`)
    await db.query(`DROP TABLE counter`)
    for (const [table, column, target] of [...CASCADES].reverse()) await setOnDelete(db, table, column, target, 'NO ACTION')
  }
}
