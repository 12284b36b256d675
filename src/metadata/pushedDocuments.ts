import { createHash } from 'node:crypto'
import type { TokenStandardName } from '../core/standards'
import { tokenKey } from '../core/ids'
import { normalizeMetadata } from './normalize'
import { toResult } from './storedResult'

/**
 * Pushed metadata (Immutable zkEVM's push model): documents the collection owner sends instead
 * of a URI to fetch. They are normalised here exactly like fetched documents
 * (normalizeMetadata -> toResult), and store/jobs/pushedMetadata.ts stores them and settles
 * whatever the queue was about to do for those tokens:
 *
 * - the token's job becomes DONE (a queued fetch would overwrite the pushed document with the
 *   host's, and a FAILED / INVALID job would hide it: readers derive the status from the job);
 *   a RUNNING job is taken back from its worker, whose result is then dropped by settleJobs
 *   because the job is no longer locked by it;
 * - refresh items still pending for those tokens are settled as succeeded.
 *
 * Only tokens the indexer knows are stored; the others are returned as unknown.
 *
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
