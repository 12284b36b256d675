// Hand-written: btree indexes for the exact and prefix tiers of search (src/store/read/search.ts).
// text_pattern_ops compares bytes, so `lower(name) ~>=~ q AND lower(name) ~<~ successor(q)` is an
// index range of exactly the names starting with q, whatever the database collation; the trigram
// indexes (ExplorerQueries migration) stay for the substring tier.

const INDEXES = [
  ['token_metadata_name_prefix', 'token_metadata', 'name'],
  ['contract_metadata_name_prefix', 'contract_metadata', 'name'],
  ['contract_metadata_symbol_prefix', 'contract_metadata', 'symbol'],
]

module.exports = class SearchPrefixIndexes1797000000701 {
  name = 'SearchPrefixIndexes1797000000701'

  async up(db) {
    for (const [index, table, column] of INDEXES) await db.query(`CREATE INDEX ${index} ON ${table} (lower(${column}) text_pattern_ops)`)
  }

  async down(db) {
    for (const [index] of INDEXES) await db.query(`DROP INDEX ${index}`)
  }
}
