// Hand-written: token_metadata indexes that no query reads. Every worker settle inserts a
// token_metadata row per token fetched the first time, an entry in each index; a refetch that
// changes the status cannot be a HOT update while (status, contract_id) is indexed. Reads go by
// id (the primary key), search by lower(name) (token_metadata_name_prefix, token_metadata_name_trgm),
// counts by the counters; nothing reads name as such or (status, contract_id). token_id (unique)
// and contract_id stay: the foreign keys' checks when a token or contract is deleted use them.

module.exports = class PipelineMetadataIndexes1797000000851 {
  name = 'PipelineMetadataIndexes1797000000851'

  async up(db) {
    await db.query(`DROP INDEX "IDX_bb302aa4e6386c754e2704181c"`)
    await db.query(`DROP INDEX "IDX_6d37e32080a9652abe3c6c9127"`)
  }

  async down(db) {
    await db.query(`CREATE INDEX "IDX_6d37e32080a9652abe3c6c9127" ON "token_metadata" ("status", "contract_id") `)
    await db.query(`CREATE INDEX "IDX_bb302aa4e6386c754e2704181c" ON "token_metadata" ("name") `)
  }
}
