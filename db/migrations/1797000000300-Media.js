// Hand-written: the media cache (issue 16). Statements on these tables live in src/store/media.ts.
//
// - media_source: one row per distinct media URL (sha256 of the resolved URL as id); its job is
//   metadata_job 'media:<id>' (kind MEDIA, chain 'media'), so the job counters of the
//   Infrastructure migration count media jobs by status under chain 'media' at no extra cost.
// - media_file: one row per distinct content (sha256 of the bytes): the stored original, its
//   thumbnails and placeholder. Sources whose bytes hash the same share it.
// - media_use: which token or contract field names which source (id '<subject>|<field>'), with a
//   numeric asset_id for Sequence's Asset.id. Deleted with its token or contract.
// - media_collection: a numeric id per contract for Sequence's Asset.collectionId.
// - The claim index is split by lane (src/queue/claim.ts JobLane): a backlog of media jobs never
//   lies in the path of a metadata claim, nor the other way round.

module.exports = class Media1797000000300 {
  name = 'Media1797000000300'

  async up(db) {
    await db.query(`CREATE TABLE media_source (
      id text PRIMARY KEY, url text NOT NULL, content_hash text,
      created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`)
    await db.query(`CREATE TABLE media_file (
      content_hash text PRIMARY KEY, kind text NOT NULL, mime_type text NOT NULL, ext text NOT NULL, size bigint NOT NULL,
      width integer, height integer, frames integer, original_key text NOT NULL, thumbnails jsonb NOT NULL,
      placeholder text, created_at timestamptz NOT NULL)`)
    await db.query(`CREATE TABLE media_use (
      id text PRIMARY KEY, asset_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      subject_id text NOT NULL, contract_id text NOT NULL REFERENCES contract(id) ON DELETE CASCADE,
      token_id text REFERENCES token(id) ON DELETE CASCADE, field text NOT NULL, value text NOT NULL,
      source_id text, error_code text, error_message text, updated_at timestamptz NOT NULL)`)
    await db.query(`CREATE INDEX media_use_subject ON media_use (subject_id)`)
    await db.query(`CREATE INDEX media_use_source ON media_use (source_id)`)
    await db.query(`CREATE INDEX media_use_token ON media_use (token_id)`)
    await db.query(`CREATE TABLE media_collection (
      contract_id text PRIMARY KEY REFERENCES contract(id) ON DELETE CASCADE, id bigint GENERATED ALWAYS AS IDENTITY UNIQUE)`)
    await db.query(`CREATE INDEX metadata_job_claimable_documents ON metadata_job (priority DESC, run_at) WHERE status = 'QUEUED' AND kind <> 'MEDIA'`)
    await db.query(`CREATE INDEX metadata_job_claimable_media ON metadata_job (priority DESC, run_at) WHERE status = 'QUEUED' AND kind = 'MEDIA'`)
    await db.query(`DROP INDEX metadata_job_claimable`)
  }

  async down(db) {
    await db.query(`DELETE FROM metadata_job WHERE kind = 'MEDIA'`)
    await db.query(`CREATE INDEX metadata_job_claimable ON metadata_job (priority DESC, run_at) WHERE status = 'QUEUED'`)
    await db.query(`DROP INDEX metadata_job_claimable_media`)
    await db.query(`DROP INDEX metadata_job_claimable_documents`)
    await db.query(`DROP TABLE media_collection`)
    await db.query(`DROP TABLE media_use`)
    await db.query(`DROP TABLE media_file`)
    await db.query(`DROP TABLE media_source`)
  }
}
