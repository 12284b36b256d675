// Hand-written: placeholder token rows (written by a worker for a token only a read asked for)
// carry seen_on_chain = false until the processor writes the token. They stay out of the token
// counters: the counter triggers of the Infrastructure migration are replaced by ones that count
// only rows seen on chain (a placeholder the processor then sees is counted by that update).
// Rows present before this migration are taken as seen (placeholders were not told apart then).
// The column keeps DEFAULT true (the model cannot say so; a generated migration may propose to
// drop it: keep it): every writer but the worker's placeholder insert writes tokens seen on chain.

const COUNT_SEEN = {
  insert: `INSERT INTO counter_delta (scope, chain, name, delta)
          SELECT 'token', chain, standard, count(*) FROM new_rows WHERE seen_on_chain GROUP BY chain, standard;`,
  delete: `INSERT INTO counter_delta (scope, chain, name, delta)
          SELECT 'token', chain, standard, -count(*) FROM old_rows WHERE seen_on_chain GROUP BY chain, standard;`,
  update: `INSERT INTO counter_delta (scope, chain, name, delta)
          SELECT 'token', chain, name, sum(d) FROM (
            SELECT chain, standard AS name, 1 AS d FROM new_rows WHERE seen_on_chain
            UNION ALL SELECT chain, standard, -1 FROM old_rows WHERE seen_on_chain) x
          GROUP BY chain, name HAVING sum(d) <> 0;`,
}

const COUNT_ALL = {
  insert: `INSERT INTO counter_delta (scope, chain, name, delta)
          SELECT 'token', chain, standard, count(*) FROM new_rows GROUP BY chain, standard;`,
  delete: `INSERT INTO counter_delta (scope, chain, name, delta)
          SELECT 'token', chain, standard, -count(*) FROM old_rows GROUP BY chain, standard;`,
  update: `INSERT INTO counter_delta (scope, chain, name, delta)
          SELECT 'token', chain, name, sum(d) FROM (
            SELECT chain, standard AS name, 1 AS d FROM new_rows
            UNION ALL SELECT chain, standard, -1 FROM old_rows) x
          GROUP BY chain, name HAVING sum(d) <> 0;`,
}

async function replaceCounters(db, bodies) {
  for (const [op, body] of Object.entries(bodies)) {
    await db.query(`CREATE OR REPLACE FUNCTION token_count_${op}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          ${body}
          RETURN NULL;
        END $$`)
  }
}

module.exports = class PlaceholderTokens1796400000000 {
  name = 'PlaceholderTokens1796400000000'

  async up(db) {
    await db.query(`ALTER TABLE "token" ADD "seen_on_chain" boolean NOT NULL DEFAULT true`)
    await replaceCounters(db, COUNT_SEEN)
  }

  async down(db) {
    await replaceCounters(db, COUNT_ALL)
    // the placeholders become counted tokens again
    await db.query(`INSERT INTO counter_delta (scope, chain, name, delta)
      SELECT 'token', chain, standard, count(*) FROM token WHERE NOT seen_on_chain GROUP BY chain, standard`)
    await db.query(`ALTER TABLE "token" DROP COLUMN "seen_on_chain"`)
  }
}
