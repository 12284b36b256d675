import { parseContractId } from '../../core/ids'
import { tokenJobId } from '../../core/jobs'
import type { TokenFetchResult } from '../../core/jobOutcome'
import { writeTokenResults, type TokenResultRow } from '../metadataWriter'
import type { MediaQueueSettings } from '../../media/mediaSource'
import { publishMetadataChanges, readPriorDocuments } from '../metadataChanges'
import { settleRefreshItems } from '../refreshItems'
import { queueDocumentMedia, tokenDocumentMedia } from './mediaJobs'
import { rows, type SqlExecutor } from '../sql'

/**
 * Pushed completion: metadata a collection owner pushed (Immutable zkEVM) is stored through the
 * same writer as a worker's result, and the tokens' jobs become DONE; webhooks and subscriptions
 * are told (metadata.updated, refresh.completed), as after a fetch. A RUNNING job is taken back
 * from its worker, whose result settleJobs then drops (the job is no longer locked by it).
 *
 * Lock order as in the workers' settle (settleWrites.ts: metadata_job rows in id order, then
 * token_metadata, then refresh items), so a push and a worker finishing the same tokens cannot
 * deadlock.
 */
export interface PushedToken {
  tokenRef: string
  tokenId: bigint
  result: TokenFetchResult
}

/** Stores the pushed metadata of known tokens, in the caller's transaction; returns the unknown token ids. */
export async function storePushedMetadata(
  db: SqlExecutor,
  contractId: string,
  pushed: readonly PushedToken[],
  now: Date,
  media?: MediaQueueSettings,
): Promise<{ stored: string[]; unknown: string[] }> {
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
  const prior = await readPriorDocuments(
    db,
    results.map((r) => r.tokenRef),
  )
  await writeTokenResults(db, results, now, { stored: prior })
  // pushed images are cached like fetched ones (after token_metadata, as in the workers' settle)
  if (media)
    await queueDocumentMedia(
      db,
      media,
      results.map((r) => tokenDocumentMedia(r.tokenRef, contractId, r.result.metadata)),
      now,
    )
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
  const completed = await settleRefreshItems(
    db,
    jobs.map((j) => ({ tokenRef: j.token_ref, claimedVersion: j.request_version })),
    now,
  )
  const chain = parseContractId(contractId).chain
  await publishMetadataChanges(db, { prior, stored: results.map((r) => ({ ...r, chain })), failed: [], completed }, now)
  return { stored: stored.map((p) => p.tokenId.toString()), unknown }
}
