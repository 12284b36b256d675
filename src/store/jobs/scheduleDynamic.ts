import { PRIORITY } from '../../core/jobs'
import { SqlExecutor } from '../sql'

/**
 * SIP-019 dynamic tokens are refetched when their ttl (token's, else the collection's, else the
 * configured default) has passed since the last fetch. Any worker may run this; the advisory
 * lock makes the others skip, and a token with a live job is never enqueued twice (the merge
 * would absorb it anyway). Bounded per call so a huge dynamic collection is spread over calls.
 */
export async function scheduleDynamicTokens(db: SqlExecutor, defaultTtlSeconds: number, limit = 1000): Promise<number> {
  const rows: { n: number }[] = await db.query(
    `WITH lock AS (SELECT pg_try_advisory_xact_lock(7305002) AS ok),
     due AS (
       SELECT t.id, t.chain, t.contract_id
         FROM token t
         JOIN contract c ON c.id = t.contract_id
         JOIN token_metadata m ON m.id = t.id
        WHERE (SELECT ok FROM lock)
          AND (t.update_mode = 'DYNAMIC' OR (c.update_mode = 'DYNAMIC' AND t.update_mode <> 'FROZEN'))
          AND m.last_fetched_at < now() - make_interval(secs => coalesce(t.update_ttl, c.update_ttl, $1))
          AND NOT EXISTS (SELECT 1 FROM metadata_job j WHERE j.id = 'token:' || t.id AND j.status IN ('QUEUED', 'RUNNING'))
        ORDER BY m.last_fetched_at
        LIMIT $2),
     ins AS (
       INSERT INTO metadata_job AS j (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts,
                                      request_version, queued_at, created_at, updated_at)
       SELECT 'token:' || id, 'TOKEN', chain, contract_id, id, 'QUEUED', $3, now(), 0, 1, now(), now(), now() FROM due
        ORDER BY 1
       ON CONFLICT (id) DO UPDATE SET status = 'QUEUED', priority = greatest(excluded.priority, j.priority), run_at = now(),
          attempts = 0, request_version = j.request_version + 1, queued_at = now(), updated_at = now()
        WHERE j.status NOT IN ('QUEUED', 'RUNNING')
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [defaultTtlSeconds, limit, PRIORITY.SCHEDULED],
  )
  return rows[0].n
}
