import type { MetadataError } from '../core/errors'
import { parseContractId } from '../core/ids'
import { tokenIdOf, type ChangeEvent } from '../core/notifications'
import { recordChanges } from './notificationEvents'
import type { CompletedRefresh } from './refreshItems'
import { SqlExecutor, rows } from './sql'
import type { TokenFetchResult } from '../core/jobOutcome'

/**
 * The events a settled batch of metadata jobs causes (metadata.updated with the fields that
 * changed, metadata.failed, refresh.completed), written in the settle transaction.
 */

export interface PriorDocument {
  status: string
  contentHash: string | null
  normalized: Record<string, unknown> | null
}

/** The stored documents of tokens about to be written, read before the write to tell what changed. */
export async function readPriorDocuments(db: SqlExecutor, tokenRefs: string[]): Promise<Map<string, PriorDocument>> {
  if (tokenRefs.length === 0) return new Map()
  const found = await rows<{ id: string; status: string; content_hash: string | null; normalized: Record<string, unknown> | null }>(
    db,
    `SELECT id, status, content_hash, normalized FROM token_metadata WHERE id = ANY($1::text[])`,
    [tokenRefs],
  )
  return new Map(found.map((r) => [r.id, { status: r.status, contentHash: r.content_hash, normalized: r.normalized }]))
}

export interface MetadataChanges {
  prior: Map<string, PriorDocument>
  stored: { tokenRef: string; chain: string; contractId: string; result: TokenFetchResult }[]
  failed: { tokenRef: string; chain: string; contractId: string; status: 'INVALID' | 'FAILED'; error: MetadataError }[]
  completed: CompletedRefresh[]
}

export async function publishMetadataChanges(db: SqlExecutor, c: MetadataChanges, now: Date): Promise<void> {
  const events: ChangeEvent[] = []
  for (const s of c.stored) {
    const before = c.prior.get(s.tokenRef)
    // the same document fetched again changes nothing: no event
    if (before?.normalized && before.contentHash === s.result.contentHash) continue
    const after = (s.result.normalized ?? {}) as Record<string, unknown>
    events.push(
      tokenEvent('metadata.updated', s, {
        changedFields: changedFields(before?.normalized ?? null, after),
        uri: s.result.uri,
        name: s.result.metadata.name ?? null,
        image: s.result.metadata.image ?? null,
      }),
    )
  }
  for (const f of c.failed) {
    events.push(
      tokenEvent('metadata.failed', f, {
        status: f.status,
        error: { code: f.error.code, message: f.error.message.slice(0, 500), httpStatus: f.error.status ?? null, url: f.error.url ?? null },
      }),
    )
  }
  for (const r of c.completed) {
    events.push({
      type: 'refresh.completed',
      chain: r.chain,
      contractId: r.contractId,
      tokenRef: null,
      blockNumber: null,
      payload: () => ({
        chain: r.chain,
        contract: parseContractId(r.contractId).address,
        refreshId: r.id,
        tokenCount: r.tokenCount,
        succeeded: r.tokenCount - r.failed,
        failed: r.failed,
      }),
    })
  }
  await recordChanges(db, events, now)
}

function tokenEvent(type: ChangeEvent['type'], t: { tokenRef: string; chain: string; contractId: string }, extra: Record<string, unknown>): ChangeEvent {
  return {
    type,
    chain: t.chain,
    contractId: t.contractId,
    tokenRef: t.tokenRef,
    blockNumber: null,
    payload: () => ({ chain: t.chain, contract: parseContractId(t.contractId).address, tokenId: tokenIdOf(t.tokenRef), ...extra }),
  }
}

/** Top-level fields of the normalised document whose value differs (added and removed ones too), sorted. */
export function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)])
  return [...keys].filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after[k])).sort()
}
