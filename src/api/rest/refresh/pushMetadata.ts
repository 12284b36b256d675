import { createHash } from 'node:crypto'
import type { TokenStandardName } from '../../../core/standards'
import { tokenJobId } from '../../../core/jobs'
import { parseContractId, tokenKey } from '../../../core/ids'
import { normalizeMetadata } from '../../../metadata/normalize'
import { toResult } from '../../../queue/jobs/tokenJob'
import { publishMetadataChanges, readPriorDocuments } from '../../../queue/publishChanges'
import { writeTokenResults, type TokenResultRow } from '../../../store/metadataWriter'
import { settleRefreshItems } from '../../../store/refreshItems'
import { rows, type SqlExecutor } from '../../../store/sql'

/**
 * Pushed metadata (Immutable zkEVM's push model): documents the collection owner sends instead
 * of a URI to fetch. They are normalised and stored exactly like fetched documents
 * (normalizeMetadata -> toResult -> writeTokenResults), and they settle whatever the queue was
 * about to do for those tokens:
 *
 * - the token's job becomes DONE (a queued fetch would overwrite the pushed document with the
 *   host's, and a FAILED / INVALID job would hide it: readers derive the status from the job);
 *   a RUNNING job is taken back from its worker, whose result is then dropped by settleJobs
 *   because the job is no longer locked by it;
 * - refresh items still pending for those tokens are settled as succeeded;
 * - webhooks and subscriptions are told (metadata.updated, refresh.completed), as after a fetch.
 *
 * Only tokens the indexer knows are stored; the others are returned as unknown.
 *
 * Lock order as in the workers' settle (metadata_job rows in id order, then token_metadata, then
 * refresh items), so a push and a worker finishing the same tokens cannot deadlock.
 */

/** The stored form of a pushed document's origin (token_metadata.resolved_url). */
export const PUSHED_RESOLVED_URL = 'push'

export interface PushedItem {
  tokenId: bigint
  /** The document as pushed (documented fields only, nulls left out). */
  doc: Record<string, unknown>
}

export interface PreparedPush {
  tokenRef: string
  tokenId: bigint
  result: ReturnType<typeof toResult>
}

/** Normalises pushed documents; throws the normaliser's PermanentError for a document it refuses. */
export function preparePush(contractId: string, standard: TokenStandardName | null, items: readonly PushedItem[]): PreparedPush[] {
  return items.map((item) => {
    const normalized = normalizeMetadata(item.doc, { tokenId: item.tokenId, standard: standard ?? undefined })
    const contentHash = createHash('sha256').update(JSON.stringify(item.doc)).digest('hex')
    const result = toResult(null, { resolvedUrl: PUSHED_RESOLVED_URL, host: null, contentHash, normalized, raw: item.doc, locales: [], failedLocales: [], warnings: [] })
    return { tokenRef: tokenKey(contractId, item.tokenId), tokenId: item.tokenId, result }
  })
}

/** Stores the pushed metadata of known tokens, in the caller's transaction; returns the unknown token ids. */
export async function storePushedMetadata(db: SqlExecutor, contractId: string, pushed: readonly PreparedPush[], now: Date): Promise<{ stored: string[]; unknown: string[] }> {
  const refs = pushed.map((p) => p.tokenRef)
  const known = await rows<{ id: string; uri: string | null }>(
    db,
    `SELECT t.id, coalesce(m.uri, t.chain_uri) AS uri FROM token t LEFT JOIN token_metadata m ON m.id = t.id WHERE t.id = ANY($1::text[])`,
    [refs],
  )
  const uriOf = new Map(known.map((k) => [k.id, k.uri]))
  const stored = pushed.filter((p) => uriOf.has(p.tokenRef))
  const unknown = pushed.filter((p) => !uriOf.has(p.tokenRef)).map((p) => p.tokenId.toString())
  if (stored.length === 0) return { stored: [], unknown }

  const jobIds = stored.map((p) => tokenJobId(p.tokenRef)).sort()
  await db.query(`SELECT id FROM metadata_job WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [jobIds])
  // The token URI stays what the chain says; only the document comes from the push.
  const results: TokenResultRow[] = stored.map((p) => ({ tokenRef: p.tokenRef, contractId, result: { ...p.result, uri: uriOf.get(p.tokenRef) ?? null } }))
  const prior = await readPriorDocuments(db, results.map((r) => r.tokenRef))
  await writeTokenResults(db, results, now)
  const jobs = await rows<{ token_ref: string; request_version: number }>(
    db,
    `WITH u AS (
       UPDATE metadata_job SET status = 'DONE', has_document = true, locked_by = NULL, locked_until = NULL, attempts = 0, run_at = $2,
              error_code = NULL, error_message = NULL, error_http_status = NULL, error_body = NULL, error_url = NULL,
              finished_at = $2, updated_at = $2
        WHERE id = ANY($1::text[])
       RETURNING token_ref, request_version)
     SELECT token_ref, request_version FROM u ORDER BY token_ref`,
    [jobIds, now],
  )
  const completed = await settleRefreshItems(db, jobs.map((j) => ({ tokenRef: j.token_ref, claimedVersion: j.request_version })), now)
  const chain = parseContractId(contractId).chain
  await publishMetadataChanges(db, { prior, stored: results.map((r) => ({ ...r, chain })), failed: [], completed }, now)
  return { stored: stored.map((p) => p.tokenId.toString()), unknown }
}
