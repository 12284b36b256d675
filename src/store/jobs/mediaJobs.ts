/**
 * Media jobs (metadata_job rows of kind MEDIA) and the hook from stored metadata to them: when a settle stores token or contract documents,
 * their media fields (image, image_data, and animation_url when it names an image) are recorded (src/store/media.ts) and every distinct source gets one media
 * job, in the same transaction. A metadata job never waits for media: the job is only queued.
 */
import { PRIORITY } from '../../core/jobs'
import { isMetadataError } from '../../core/errors'
import { MEDIA_FIELDS, mediaSourceOf, namesAnImage, type MediaField, type MediaQueueSettings } from '../../media/mediaSource'
import type { GatewayConfig } from '../../metadata/types'
import { MEDIA_CHAIN, recordMediaUses, type MediaUse } from '../media'
import type { SqlExecutor } from '../sql'
import type { JobOutcome, StoredMetadata } from '../../core/jobOutcome'

/** A stored document's media fields (normalised names: image, image_data, animation_url). */
export interface DocumentMedia {
  subjectId: string
  contractId: string
  tokenId: string | null
  fields: Partial<Record<MediaField, string | null | undefined>>
}

export async function queueDocumentMedia(db: SqlExecutor, settings: MediaQueueSettings, docs: readonly DocumentMedia[], now: Date): Promise<number> {
  if (docs.length === 0) return 0
  const uses: MediaUse[] = []
  for (const d of docs) {
    for (const field of MEDIA_FIELDS) {
      const value = d.fields[field]
      if (typeof value !== 'string' || value.trim() === '') continue
      if (field === 'animation_url' && !namesAnImage(value)) continue
      uses.push(useOf(d, field, value, settings.gateways))
    }
  }
  const keys = await recordMediaUses(
    db,
    docs.map((d) => d.subjectId),
    uses,
    now,
  )
  return enqueueMediaJobs(db, keys, now)
}

function useOf(d: DocumentMedia, field: MediaField, value: string, gateways: GatewayConfig): MediaUse {
  const base = { subjectId: d.subjectId, contractId: d.contractId, tokenId: d.tokenId, field, value }
  try {
    return { ...base, source: mediaSourceOf(field, value, gateways), error: null }
  } catch (e) {
    if (!isMetadataError(e)) throw e
    return { ...base, source: null, error: { code: e.code, message: e.message } }
  }
}

/**
 * One job per source: inserted when absent; a FAILED one (its host was down for all attempts)
 * is queued again when a document naming it is stored again. DONE and INVALID ones stay: the
 * same URL is not fetched twice. Those are filtered out by a plain read first, so the settles of
 * 10,000 tokens sharing one image do not queue up on that job's row lock. Rows in id order, as
 * every writer of metadata_job locks them.
 */
export async function enqueueMediaJobs(db: SqlExecutor, keys: readonly string[], now: Date): Promise<number> {
  if (keys.length === 0) return 0
  const sorted = [...new Set(keys)].sort()
  await db.query(
    `INSERT INTO metadata_job AS j (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version, queued_at, created_at, updated_at)
     SELECT 'media:' || k, 'MEDIA', $2, '', k, 'QUEUED', $3, $4, 0, 1, $4, $4, $4 FROM unnest($1::text[]) AS k
      WHERE NOT EXISTS (SELECT 1 FROM metadata_job x WHERE x.id = 'media:' || k AND x.status <> 'FAILED')
      ORDER BY 1
     ON CONFLICT (id) DO UPDATE SET status = 'QUEUED', attempts = 0, run_at = excluded.run_at, queued_at = excluded.queued_at,
       request_version = j.request_version + 1, error_code = NULL, error_message = NULL, updated_at = excluded.updated_at
       WHERE j.status = 'FAILED'`,
    [sorted, MEDIA_CHAIN, PRIORITY.MEDIA, now],
  )
  return sorted.length
}

/**
 * The documents a batch of outcomes stores: token documents, and contract documents that were
 * fetched (a contract whose document failed keeps its previous one, and its media with it).
 */
export function documentMediaOf(outcomes: readonly JobOutcome[]): DocumentMedia[] {
  const out: DocumentMedia[] = []
  for (const o of outcomes) {
    if (!o.ok) continue
    if (o.kind === 'TOKEN' && o.job.tokenRef) {
      out.push(tokenDocumentMedia(o.job.tokenRef, o.job.contractId, o.token.metadata))
    } else if (o.kind === 'CONTRACT' && o.contract.normalized && typeof o.contract.normalized === 'object') {
      const n = o.contract.normalized as Record<string, unknown>
      const text = (k: string) => (typeof n[k] === 'string' ? (n[k] as string) : undefined)
      out.push({
        subjectId: o.job.contractId,
        contractId: o.job.contractId,
        tokenId: null,
        fields: { image: text('image'), image_data: text('image_data'), animation_url: text('animation_url') },
      })
    }
  }
  return out
}

/** A stored token document's media fields. */
export function tokenDocumentMedia(tokenRef: string, contractId: string, m: StoredMetadata): DocumentMedia {
  return { subjectId: tokenRef, contractId, tokenId: tokenRef, fields: { image: m.image, image_data: m.imageData, animation_url: m.animationUrl } }
}
