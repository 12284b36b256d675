// Hand-written: tms_wake_delivery decides after it holds the delivery job's row.
//
// The first definition (1797000000400) read "is the webhook paused?" when it was called, before
// it waited for the job row, and queued a DONE job even for a paused webhook:
// - a resume committed while the wake waited was not seen, and the resume, which had not seen
//   the waking transaction's new delivery either, did not wake that chain: its job stayed DONE
//   or FAILED with deliveries pending (a lost wake-up);
// - a paused webhook's job that ran (it sends nothing) settled DONE, found its deliveries still
//   pending and woke itself again: a busy loop at delivery priority until the resume.
//
// Now the job row is locked first (inserted QUEUED when there is none), then the pause is read,
// so a resume or settle that committed meanwhile is seen. A paused webhook's job keeps its state
// (only its request version moves, so a running attempt goes round once more); resume wakes it.
// Resume takes its jobs' rows before it clears the pause (src/store/webhooks.ts): every writer
// takes delivery job rows before the webhook_subscription row, and whichever of a wake and a
// resume comes second sees what the first committed.

const { WAKE_DELIVERY } = require('./1797000000400-Notifications.js')

module.exports = class DeliveryWakeAfterLock1797000000600 {
  name = 'DeliveryWakeAfterLock1797000000600'

  async up(db) {
    // Priority 110 is PRIORITY.DELIVERY (src/core/jobs.ts).
    await db.query(`CREATE OR REPLACE FUNCTION tms_wake_delivery(p_subscription text, p_chain text) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        job_id text := 'webhook:' || p_subscription || ':' || p_chain;
        held boolean;
      BEGIN
        PERFORM 1 FROM metadata_job WHERE id = job_id FOR UPDATE;
        IF NOT FOUND THEN
          INSERT INTO metadata_job (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts,
                                    request_version, queued_at, created_at, updated_at)
          VALUES (job_id, 'DELIVERY', p_chain, p_subscription, NULL, 'QUEUED', 110, now(), 0, 1, now(), now(), now())
          ON CONFLICT (id) DO NOTHING;
          IF FOUND THEN RETURN; END IF;
          -- inserted by another transaction meanwhile (committed: ON CONFLICT waited for it)
          PERFORM 1 FROM metadata_job WHERE id = job_id FOR UPDATE;
        END IF;
        held := EXISTS (SELECT 1 FROM webhook_subscription s WHERE s.id = p_subscription AND s.paused_at IS NOT NULL);
        UPDATE metadata_job j SET
          status = CASE WHEN j.status = 'RUNNING' OR held THEN j.status ELSE 'QUEUED' END,
          attempts = CASE WHEN j.status IN ('QUEUED', 'RUNNING') OR held THEN j.attempts ELSE 0 END,
          run_at = CASE WHEN j.status = 'QUEUED' OR held THEN j.run_at ELSE now() END,
          queued_at = CASE WHEN j.status IN ('QUEUED', 'RUNNING') OR held THEN j.queued_at ELSE now() END,
          request_version = j.request_version + 1,
          updated_at = now()
         WHERE j.id = job_id;
      END $$`)
  }

  async down(db) {
    await db.query(WAKE_DELIVERY)
  }
}
