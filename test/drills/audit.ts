/**
 * Proof from inside the database that no job ran twice to completion: a trigger the drill
 * installs in its own database records every transition of a metadata_job row into DONE with
 * the request version the attempt had claimed and the worker that held it. One request version
 * completed twice shows up as two rows with the same (job, claimed version).
 */
import { jobCounts } from './context'
import type { DrillDb } from './postgres'
import { check, type Check } from './report'
import { fmt } from './runtime'

export async function installDoneAudit(db: DrillDb): Promise<void> {
  await db.q(`CREATE TABLE drill_done_audit (
    job_id text NOT NULL, claimed_version int, request_version int NOT NULL, worker text,
    at timestamptz NOT NULL DEFAULT clock_timestamp())`)
  await db.q(`CREATE FUNCTION drill_audit_done() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO drill_done_audit (job_id, claimed_version, request_version, worker)
      VALUES (NEW.id, NEW.claimed_version, NEW.request_version, OLD.locked_by);
      RETURN NULL;
    END $$`)
  await db.q(`CREATE TRIGGER drill_audit_done AFTER UPDATE ON metadata_job FOR EACH ROW
    WHEN (NEW.status = 'DONE' AND OLD.status IS DISTINCT FROM 'DONE') EXECUTE FUNCTION drill_audit_done()`)
}

export interface AuditResult {
  /** transitions to DONE recorded */
  completions: number
  /** (job, claimed version) pairs completed more than once */
  duplicates: { job_id: string; claimed_version: number | null; n: number; workers: string }[]
  /**
   * Jobs completed more often than anything asked for them: once for the token's appearance plus
   * once per update notice naming it (or its whole collection). A block applied twice (rolled back
   * and re-applied unchanged) shows up here even when the second application bumped the version.
   */
  overRun: { job_id: string; completions: number; requests: number }[]
}

export async function readDoneAudit(db: DrillDb): Promise<AuditResult> {
  const [{ n }] = await db.q<{ n: number }>(`SELECT count(*)::int AS n FROM drill_done_audit`)
  const duplicates = await db.q<AuditResult['duplicates'][number]>(
    `SELECT job_id, claimed_version, count(*)::int AS n, string_agg(coalesce(worker, '?'), ', ') AS workers
       FROM drill_done_audit GROUP BY job_id, claimed_version HAVING count(*) > 1 ORDER BY job_id LIMIT 20`,
  )
  const overRun = await db.q<AuditResult['overRun'][number]>(
    `WITH d AS (SELECT job_id, count(*)::int AS completions FROM drill_done_audit GROUP BY job_id),
     r AS (SELECT d.job_id, d.completions, 1 + (SELECT count(*)::int FROM update_notice n
                 WHERE n.token_id = j.token_ref OR (n.token_id IS NULL AND n.contract_id = j.contract_id AND j.kind = 'TOKEN')
                    OR (j.kind = 'CONTRACT' AND n.contract_id = j.contract_id AND n.kind = 'CONTRACT_URI_UPDATED')) AS requests
             FROM d JOIN metadata_job j ON j.id = d.job_id)
     SELECT job_id, completions, requests FROM r WHERE completions > requests ORDER BY job_id LIMIT 20`,
  )
  return { completions: n, duplicates, overRun }
}

/**
 * The end-of-drill checks of the queue shared by the crash and database-restart drills: no job
 * completed more often than requested, every job DONE, every token of the collection AVAILABLE.
 * Returns how many of the collection's tokens are AVAILABLE.
 */
export async function checkEveryJobDoneOnce(
  checks: Check[],
  db: DrillDb,
  audit: AuditResult,
  want: { chain: string; jobs: number; contractId: string; tokens: number },
): Promise<number> {
  check(
    checks,
    'no job completed more often than requested (token appeared once + its update notices)',
    audit.overRun.length === 0,
    audit.overRun.length === 0
      ? 'none'
      : `${audit.overRun.length}${audit.overRun.length === 20 ? '+' : ''} jobs, e.g. ${audit.overRun
          .slice(0, 4)
          .map((o) => `${o.job_id.split(':').pop()}: ${o.completions} completions for ${o.requests} request(s)`)
          .join(', ')}`,
  )
  const c = await jobCounts(db, want.chain)
  check(checks, 'every job DONE', (c.DONE ?? 0) === want.jobs && Object.keys(c).length === 1, JSON.stringify(c))
  const [{ available }] = await db.q<{ available: number }>(`SELECT count(*)::int AS available FROM token_metadata WHERE contract_id = $1 AND status = 'AVAILABLE'`, [
    want.contractId,
  ])
  check(checks, 'every token has its metadata', available === want.tokens, `${fmt(available)}/${fmt(want.tokens)} AVAILABLE`)
  return available
}
