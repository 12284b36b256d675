// Hand-written: metadata_job indexes that no query reads. Every claim and every settle changes a
// job's status, so neither update is HOT and each writes an entry into every index whose predicate
// the new row matches: (status, priority, run_at), (contract_id), (token_ref) and the RUNNING rows'
// (host) were 7 of the 10 entries an attempt (claim + settle) wrote, and 3 of an enqueue's 6, for
// no reader.
// Claims read metadata_job_claimable_documents / _media, lease sweeps metadata_job_leased, the
// queue age metadata_job_queued_at; the only read by contract_id is a webhook's delivery jobs
// (webhooks.ts), kept as a partial index of those rows.

module.exports = class PipelineJobIndexes1797000000850 {
  name = 'PipelineJobIndexes1797000000850'

  async up(db) {
    await db.query(`DROP INDEX "IDX_212901d8990bdce2bba7bd547f"`)
    await db.query(`DROP INDEX "IDX_affffc2fa685c24bc2bf78b7af"`)
    await db.query(`DROP INDEX metadata_job_token_ref`)
    await db.query(`DROP INDEX metadata_job_running_host`)
    await db.query(`CREATE INDEX metadata_job_delivery_contract ON metadata_job (contract_id) WHERE kind = 'DELIVERY'`)
  }

  async down(db) {
    await db.query(`DROP INDEX metadata_job_delivery_contract`)
    await db.query(`CREATE INDEX metadata_job_running_host ON metadata_job (host) WHERE status = 'RUNNING'`)
    await db.query(`CREATE INDEX metadata_job_token_ref ON metadata_job (token_ref)`)
    await db.query(`CREATE INDEX "IDX_affffc2fa685c24bc2bf78b7af" ON "metadata_job" ("contract_id") `)
    await db.query(`CREATE INDEX "IDX_212901d8990bdce2bba7bd547f" ON "metadata_job" ("status", "priority", "run_at") `)
  }
}
