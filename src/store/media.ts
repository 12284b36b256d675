/**
 * The media cache's tables (db/migrations/*-Media.js): media_source (one row per distinct URL),
 * media_file (one per distinct content), media_use (which token / contract field names which
 * source), media_collection (numeric collection ids for Sequence). Every statement on them is here.
 */
import type { MediaFile, MediaResultRow } from '../core/mediaFile'
import type { MediaField, MediaSource } from '../media/mediaSource'
import type { ReadDb } from './read/readDb'
import { clean } from './metadataWriter'
import { rows, type SqlExecutor } from './sql'

/** The pseudo-chain of media jobs: one image serves tokens of any chain. */
export const MEDIA_CHAIN = 'media'

export function mediaJobId(sourceKey: string): string {
  return `media:${sourceKey}`
}

/** One media field of a stored token or contract document. */
export interface MediaUse {
  /** Token id or contract id. */
  subjectId: string
  contractId: string
  /** null for a contract's own document. */
  tokenId: string | null
  field: MediaField
  /** The document's value, as written. */
  value: string
  /** null when the value names nothing fetchable (then `error` says why). */
  source: MediaSource | null
  error: { code: string; message: string } | null
}

/**
 * Replaces the media uses of the given subjects (their documents were just stored) and records
 * their sources. Subjects whose token or contract row is gone get nothing. Returns the source
 * keys to enqueue. Runs in the settle transaction, which already holds key-share locks on the
 * tokens and contracts (src/queue/settle.ts lockSubjects).
 */
export async function recordMediaUses(db: SqlExecutor, subjects: readonly string[], uses: readonly MediaUse[], now: Date): Promise<string[]> {
  if (subjects.length === 0) return []
  const sorted = [...uses].sort((a, b) => (useId(a) < useId(b) ? -1 : 1))
  await db.query(`DELETE FROM media_use WHERE subject_id = ANY($1::text[]) AND NOT (id = ANY($2::text[]))`, [subjects, sorted.map(useId)])
  if (sorted.length === 0) return []
  const sources = [...new Map(sorted.filter((u) => u.source).map((u) => [u.source!.key, u.source!])).values()].sort((a, b) => (a.key < b.key ? -1 : 1))
  await db.query(
    `INSERT INTO media_source (id, url, created_at, updated_at)
     SELECT id, url, $3, $3 FROM unnest($1::text[], $2::text[]) AS s(id, url) ORDER BY id
     ON CONFLICT (id) DO NOTHING`,
    [sources.map((s) => s.key), sources.map((s) => s.url), now],
  )
  const contracts = [...new Set(sorted.map((u) => u.contractId))].sort()
  await db.query(`INSERT INTO media_collection (contract_id) SELECT c.id FROM contract c WHERE c.id = ANY($1::text[]) ORDER BY c.id ON CONFLICT (contract_id) DO NOTHING`, [
    contracts,
  ])
  const written = await rows<{ source_id: string | null }>(
    db,
    `WITH u AS (
       INSERT INTO media_use AS m (id, subject_id, contract_id, token_id, field, value, source_id, error_code, error_message, updated_at)
       SELECT u.id, u.subject_id, u.contract_id, u.token_id, u.field, u.value, u.source_id, u.error_code, u.error_message, $10
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS u(id, subject_id, contract_id, token_id, field, value, source_id, error_code, error_message)
         JOIN contract c ON c.id = u.contract_id
        WHERE u.token_id IS NULL OR EXISTS (SELECT 1 FROM token t WHERE t.id = u.token_id)
        ORDER BY u.id
       ON CONFLICT (id) DO UPDATE SET value = excluded.value, source_id = excluded.source_id, error_code = excluded.error_code,
         error_message = excluded.error_message, updated_at = excluded.updated_at
       RETURNING m.source_id)
     SELECT DISTINCT source_id FROM u WHERE source_id IS NOT NULL`,
    [
      sorted.map(useId),
      sorted.map((u) => u.subjectId),
      sorted.map((u) => u.contractId),
      sorted.map((u) => u.tokenId),
      sorted.map((u) => u.field),
      sorted.map((u) => clean(u.value) ?? ''),
      sorted.map((u) => u.source?.key ?? null),
      sorted.map((u) => u.error?.code ?? null),
      sorted.map((u) => clean(u.error?.message)?.slice(0, 1000) ?? null),
      now,
    ],
  )
  return written.map((r) => r.source_id!).sort()
}

function useId(u: Pick<MediaUse, 'subjectId' | 'field'>): string {
  return `${u.subjectId}|${u.field}`
}

/** The URL a media job fetches, by its source key (null when the row is gone). */
export async function mediaSourceUrl(db: SqlExecutor, key: string): Promise<string | null> {
  const r = await rows<{ url: string }>(db, `SELECT url FROM media_source WHERE id = $1`, [key])
  return r[0]?.url ?? null
}

/** The stored file for a content hash, if any (deduplication by content). */
export async function storedMediaFile(db: SqlExecutor, contentHash: string): Promise<MediaFile | null> {
  const r = await rows<FileRow>(db, `SELECT ${FILE_COLUMNS} FROM media_file f WHERE f.content_hash = $1`, [contentHash])
  return r[0] ? fileOf(r[0]) : null
}

/** A media job's stored result: the file (written once per content hash) and the source's link to it. */
export type { MediaResultRow }

export async function writeMediaResults(db: SqlExecutor, results: readonly MediaResultRow[], now: Date): Promise<void> {
  if (results.length === 0) return
  const files = [...new Map(results.map((r) => [r.file.contentHash, r.file])).values()].sort((a, b) => (a.contentHash < b.contentHash ? -1 : 1))
  await db.query(
    `INSERT INTO media_file (content_hash, kind, mime_type, ext, size, width, height, frames, original_key, thumbnails, placeholder, created_at)
     SELECT content_hash, kind, mime_type, ext, size, width, height, frames, original_key, thumbnails, placeholder, $11
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::int[], $7::int[], $8::int[], $9::text[], $10::jsonb[], $12::text[])
         AS f(content_hash, kind, mime_type, ext, size, width, height, frames, original_key, thumbnails, placeholder)
      ORDER BY content_hash
     ON CONFLICT (content_hash) DO NOTHING`,
    [
      files.map((f) => f.contentHash),
      files.map((f) => f.kind),
      files.map((f) => f.mimeType),
      files.map((f) => f.ext),
      files.map((f) => f.size),
      files.map((f) => f.width),
      files.map((f) => f.height),
      files.map((f) => f.frames),
      files.map((f) => f.originalKey),
      files.map((f) => JSON.stringify(f.thumbnails)),
      now,
      files.map((f) => f.placeholder),
    ],
  )
  const sorted = [...results].sort((a, b) => (a.sourceKey < b.sourceKey ? -1 : 1))
  await db.query(
    `UPDATE media_source s SET content_hash = u.content_hash, updated_at = $3
       FROM unnest($1::text[], $2::text[]) AS u(id, content_hash) WHERE s.id = u.id`,
    [sorted.map((r) => r.sourceKey), sorted.map((r) => r.file.contentHash), now],
  )
}

// ---------------------------------------------------------------------------------------------
// Reads (API)

export type MediaStatusName = 'PENDING' | 'AVAILABLE' | 'FAILED' | 'INVALID'

export interface MediaView {
  subjectId: string
  field: MediaField
  /** The document's value. */
  value: string
  assetId: string
  collectionId: string | null
  tokenId: string | null
  status: MediaStatusName
  error: { code: string; message: string | null } | null
  file: MediaFile | null
  updatedAt: Date
}

interface FileRow {
  content_hash: string
  kind: MediaFile['kind']
  mime_type: string
  ext: string
  size: string
  width: number | null
  height: number | null
  frames: number | null
  original_key: string
  thumbnails: MediaFile['thumbnails']
  placeholder: string | null
}

const FILE_COLUMNS = `f.content_hash, f.kind, f.mime_type, f.ext, f.size::text AS size, f.width, f.height, f.frames, f.original_key, f.thumbnails, f.placeholder`

function fileOf(r: FileRow): MediaFile {
  return {
    contentHash: r.content_hash,
    kind: r.kind,
    mimeType: r.mime_type,
    ext: r.ext,
    size: Number(r.size),
    width: r.width,
    height: r.height,
    frames: r.frames,
    originalKey: r.original_key,
    thumbnails: r.thumbnails,
    placeholder: r.placeholder,
  }
}

interface UseRow extends Partial<FileRow> {
  subject_id: string
  field: MediaField
  value: string
  asset_id: string
  collection_id: string | null
  token_id: string | null
  use_error_code: string | null
  use_error_message: string | null
  job_status: string | null
  job_error_code: string | null
  job_error_message: string | null
  updated_at: Date
}

const USES_SQL = `
SELECT u.subject_id, u.field, u.value, u.asset_id::text AS asset_id, mc.id::text AS collection_id, u.token_id,
       u.error_code AS use_error_code, u.error_message AS use_error_message,
       j.status AS job_status, j.error_code AS job_error_code, j.error_message AS job_error_message,
       greatest(u.updated_at, s.updated_at) AS updated_at, ${FILE_COLUMNS}
  FROM media_use u
  LEFT JOIN media_collection mc ON mc.contract_id = u.contract_id
  LEFT JOIN media_source s ON s.id = u.source_id
  LEFT JOIN metadata_job j ON j.id = 'media:' || u.source_id
  LEFT JOIN media_file f ON f.content_hash = s.content_hash
 WHERE u.subject_id = ANY($1::text[])
 ORDER BY u.subject_id, u.field`

/** The media of tokens / contracts by subject id (one round trip for a page of them). */
export async function mediaOfSubjects(db: ReadDb, subjectIds: readonly string[]): Promise<Map<string, MediaView[]>> {
  const out = new Map<string, MediaView[]>()
  if (subjectIds.length === 0) return out
  const found = await db.query<UseRow & Record<string, unknown>>(USES_SQL, [subjectIds])
  for (const r of found) {
    const list = out.get(r.subject_id) ?? []
    list.push(viewOf(r))
    out.set(r.subject_id, list)
  }
  return out
}

function viewOf(r: UseRow): MediaView {
  const file = r.content_hash ? fileOf(r as FileRow) : null
  const base = { subjectId: r.subject_id, field: r.field, value: r.value, assetId: r.asset_id, collectionId: r.collection_id, tokenId: r.token_id, file, updatedAt: r.updated_at }
  if (r.use_error_code) return { ...base, status: 'INVALID', error: { code: r.use_error_code, message: r.use_error_message } }
  if (file) return { ...base, status: 'AVAILABLE', error: null }
  const error = r.job_error_code ? { code: r.job_error_code, message: r.job_error_message } : null
  if (r.job_status === 'FAILED') return { ...base, status: 'FAILED', error }
  if (r.job_status === 'INVALID') return { ...base, status: 'INVALID', error }
  return { ...base, status: 'PENDING', error: null }
}
