import type { MetadataError } from '../core/errors'
import { clean } from './metadataWriter'
import { SqlExecutor } from './sql'

export interface RefreshSettlement {
  tokenRef: string
  /** The job version the finished attempt covered. */
  claimedVersion: number
  error?: MetadataError
}

/** A refresh that a settle completed (its last pending item settled). */
export interface CompletedRefresh {
  id: string
  chain: string
  contractId: string
  tokenCount: number
  failed: number
}

/**
 * Settles pending refresh items that the finished attempts covered (items requested before the
 * claim: job_version <= claimed_version), then completes refreshes with nothing left pending.
 * Returns the refreshes completed now.
 */
export async function settleRefreshItems(db: SqlExecutor, items: RefreshSettlement[], now: Date): Promise<CompletedRefresh[]> {
  if (items.length === 0) return []
  const touched: { refresh_id: string }[] = await db.query(
    `WITH s AS (
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::text[], $6::text[])
         AS s(token_ref, claimed_version, error_code, error_http_status, error_body, error_url)),
     u AS (
       UPDATE refresh_item i SET status = CASE WHEN s.error_code IS NULL THEN 'SUCCEEDED' ELSE 'FAILED' END,
              error_code = s.error_code, error_http_status = s.error_http_status, error_body = s.error_body,
              error_url = s.error_url, finished_at = $7
         FROM s WHERE i.token_ref = s.token_ref AND i.status = 'PENDING' AND i.job_version <= s.claimed_version
       RETURNING i.refresh_id)
     SELECT DISTINCT refresh_id FROM u`,
    [
      items.map((i) => i.tokenRef),
      items.map((i) => i.claimedVersion),
      items.map((i) => i.error?.code ?? null),
      items.map((i) => i.error?.status ?? null),
      items.map((i) => clean(i.error?.body ?? null)),
      items.map((i) => clean(i.error?.url ?? null)),
      now,
    ],
  )
  if (touched.length === 0) return []
  // Two settles finishing a refresh's last items at once would each see the other's items still
  // PENDING (uncommitted) and neither would complete it. Locking the refresh rows (in id order)
  // first serialises them: the later one's check runs after the earlier commit and sees its items.
  await db.query(`SELECT id FROM refresh WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [touched.map((t) => t.refresh_id)])
  const completed: { id: string; chain: string; contract_id: string; token_count: number; failed: number }[] = await db.query(
    `WITH done AS (
       UPDATE refresh r SET status = 'COMPLETED', completed_at = $2, started_at = coalesce(r.started_at, $2)
        WHERE r.id = ANY($1::text[]) AND r.status <> 'COMPLETED'
          AND NOT EXISTS (SELECT 1 FROM refresh_item i WHERE i.refresh_id = r.id AND i.status = 'PENDING')
       RETURNING r.id, r.chain, r.contract_id, r.token_count)
     SELECT d.*, (SELECT count(*)::int FROM refresh_item i WHERE i.refresh_id = d.id AND i.status = 'FAILED') AS failed FROM done d`,
    [touched.map((t) => t.refresh_id), now],
  )
  return completed.map((r) => ({ id: r.id, chain: r.chain, contractId: r.contract_id, tokenCount: r.token_count, failed: r.failed }))
}

/** Marks refreshes IN_PROGRESS when one of their tokens' jobs is claimed; locks them in id order, as settles do. */
export async function startRefreshes(db: SqlExecutor, tokenRefs: string[], now: Date): Promise<void> {
  if (tokenRefs.length === 0) return
  await db.query(
    `UPDATE refresh r SET status = 'IN_PROGRESS', started_at = $2
      WHERE r.id IN (SELECT id FROM refresh WHERE status = 'QUEUED'
                       AND id IN (SELECT refresh_id FROM refresh_item WHERE token_ref = ANY($1::text[]) AND status = 'PENDING')
                     ORDER BY id FOR UPDATE)`,
    [tokenRefs, now],
  )
}
