/**
 * Proof from inside the database that no job ran twice to completion: a trigger the drill
 * installs in its own database records every transition of a metadata_job row into DONE with
 * the request version the attempt had claimed and the worker that held it. One request version
 * completed twice shows up as two rows with the same (job, claimed version).
 */
import type { DrillDb } from './postgres'

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
}

export async function readDoneAudit(db: DrillDb): Promise<AuditResult> {
  const [{ n }] = await db.q<{ n: number }>(`SELECT count(*)::int AS n FROM drill_done_audit`)
  const duplicates = await db.q<AuditResult['duplicates'][number]>(
    `SELECT job_id, claimed_version, count(*)::int AS n, string_agg(coalesce(worker, '?'), ', ') AS workers
       FROM drill_done_audit GROUP BY job_id, claimed_version HAVING count(*) > 1 ORDER BY job_id LIMIT 20`,
  )
  return { completions: n, duplicates }
}
