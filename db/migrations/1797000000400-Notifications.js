// Hand-written: change notifications (webhooks and the GraphQL subscriptions' NOTIFY feed).
//
// - webhook_subscription: a target URL, filters and the signing secret, owned by an API key
//   (deleted with it).
// - notification_event: the outbox. One row per change that at least one subscription matched,
//   written in the transaction of the change. Chain events (token.minted / transferred / burned)
//   carry their block; inside a hot block their insert is recorded in Subsquid's change log, so a
//   reorg rollback deletes them with the block.
// - webhook_delivery: one row per (subscription, event), the delivery log (status, attempts,
//   last error). Deleted with its event or its subscription.
// - A rollback that deletes a chain event some subscription already received writes a
//   compensating event for those subscriptions (notification_event_compensate below) and wakes
//   their delivery jobs; subscriptions that had not received it simply lose the pending row.
// - Delivery jobs are metadata_job rows of kind DELIVERY, id `webhook:<subscription>:<chain>`
//   (after every 'contract:' and 'token:' id, so writers that lock job rows in id order never
//   meet them out of order).

// The first definition of tms_wake_delivery (1797000000600-DeliveryWakeAfterLock replaces it and
// restores this one on down()).
const WAKE_DELIVERY = `CREATE OR REPLACE FUNCTION tms_wake_delivery(p_subscription text, p_chain text) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        held boolean := EXISTS (SELECT 1 FROM webhook_subscription s WHERE s.id = p_subscription AND s.paused_at IS NOT NULL);
      BEGIN
        INSERT INTO metadata_job AS j (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts,
                                       request_version, queued_at, created_at, updated_at)
        VALUES ('webhook:' || p_subscription || ':' || p_chain, 'DELIVERY', p_chain, p_subscription, NULL, 'QUEUED', 110,
                now(), 0, 1, now(), now(), now())
        ON CONFLICT (id) DO UPDATE SET
          status = CASE WHEN j.status = 'RUNNING' OR (j.status = 'FAILED' AND held) THEN j.status ELSE 'QUEUED' END,
          attempts = CASE WHEN j.status IN ('QUEUED', 'RUNNING') OR (j.status = 'FAILED' AND held) THEN j.attempts ELSE 0 END,
          run_at = CASE WHEN j.status = 'QUEUED' OR (j.status = 'FAILED' AND held) THEN j.run_at ELSE now() END,
          queued_at = CASE WHEN j.status IN ('QUEUED', 'RUNNING') THEN j.queued_at ELSE now() END,
          request_version = j.request_version + 1,
          updated_at = now();
      END $$`

module.exports = class Notifications1797000000400 {
  static WAKE_DELIVERY = WAKE_DELIVERY

  name = 'Notifications1797000000400'

  async up(db) {
    await db.query(`CREATE TABLE webhook_subscription (
      id text PRIMARY KEY,
      api_key_id character varying NOT NULL REFERENCES api_key(id) ON DELETE CASCADE,
      url text NOT NULL,
      secret text NOT NULL,
      description text,
      chains text[] NOT NULL,
      contracts text[] NOT NULL,
      event_types text[] NOT NULL,
      created_at timestamptz NOT NULL,
      paused_at timestamptz,
      consecutive_failures int NOT NULL DEFAULT 0,
      last_attempt_at timestamptz,
      last_success_at timestamptz,
      last_error text)`)
    await db.query(`CREATE INDEX webhook_subscription_key ON webhook_subscription (api_key_id)`)

    await db.query(`CREATE TABLE notification_event (
      id bigserial PRIMARY KEY,
      type text NOT NULL,
      chain text NOT NULL,
      contract_id text NOT NULL,
      token_ref text,
      block_number int,
      compensates bigint,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL)`)

    await db.query(`CREATE TABLE webhook_delivery (
      id bigserial PRIMARY KEY,
      subscription_id text NOT NULL REFERENCES webhook_subscription(id) ON DELETE CASCADE,
      event_id bigint NOT NULL REFERENCES notification_event(id) ON DELETE CASCADE,
      chain text NOT NULL,
      subject text NOT NULL,
      status text NOT NULL,
      attempts int NOT NULL DEFAULT 0,
      last_status int,
      last_error text,
      last_attempt_at timestamptz,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL,
      UNIQUE (subscription_id, event_id))`)
    // what a delivery job reads: its subscription's pending rows on its chain, oldest event first
    await db.query(`CREATE INDEX webhook_delivery_pending ON webhook_delivery (subscription_id, chain, event_id) WHERE status = 'PENDING'`)
    await db.query(`CREATE INDEX webhook_delivery_event ON webhook_delivery (event_id)`)
    await db.query(`CREATE INDEX webhook_delivery_log ON webhook_delivery (subscription_id, id DESC)`)

    // Wakes a delivery job: the one definition used by the outbox writer (src/store/
    // notificationEvents.ts), the compensation below and resume. Inserted QUEUED; a RUNNING job
    // gets a newer version (its settle queues it again); a finished one is queued with fresh
    // attempts, a FAILED one too unless its webhook is paused (attempts ran out: resume clears
    // paused_at first). Priority 110 is PRIORITY.DELIVERY (src/core/jobs.ts).
    await db.query(WAKE_DELIVERY)

    // The opposite of an orphaned chain event (a transfer back, a burn for a mint, a mint for a
    // burn), as a new event for the given webhooks (those still existing), whose jobs are woken.
    // Used by the trigger below, and by a settle that finds the event of a delivery it just made
    // gone (rolled back while the request was in flight: src/store/webhookDeliveries.ts).
    await db.query(`CREATE FUNCTION tms_compensate(p_id bigint, p_type text, p_chain text, p_contract text, p_token text,
                                                   p_payload jsonb, p_subscriptions text[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        comp_id bigint;
        w record;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM webhook_subscription s WHERE s.id = ANY(p_subscriptions)) THEN RETURN; END IF;
        INSERT INTO notification_event (type, chain, contract_id, token_ref, block_number, compensates, payload, created_at)
        VALUES (CASE p_type WHEN 'token.minted' THEN 'token.burned' WHEN 'token.burned' THEN 'token.minted' ELSE 'token.transferred' END,
                p_chain, p_contract, p_token, NULL, p_id,
                p_payload || jsonb_build_object('from', p_payload->'to', 'to', p_payload->'from',
                                                'reorg', jsonb_build_object('compensates', p_id::text, 'orphanedBlock', p_payload->'block')),
                now())
        RETURNING id INTO comp_id;
        INSERT INTO webhook_delivery (subscription_id, event_id, chain, subject, status, created_at)
        SELECT s.id, comp_id, p_chain, coalesce(p_token, p_contract), 'PENDING', now()
          FROM webhook_subscription s WHERE s.id = ANY(p_subscriptions) ORDER BY s.id;
        FOR w IN SELECT s.id FROM webhook_subscription s WHERE s.id = ANY(p_subscriptions) ORDER BY s.id LOOP
          PERFORM tms_wake_delivery(w.id, p_chain);
        END LOOP;
      END $$`)

    // A chain event leaving with its orphaned block: the webhooks that already received it get
    // its opposite; the others simply lose their pending delivery (deleted with the event).
    await db.query(`CREATE FUNCTION notification_event_compensate() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        received text[];
      BEGIN
        IF OLD.block_number IS NULL THEN RETURN OLD; END IF;
        -- The delivery jobs' rows first, as their settle locks them: a delivery in flight is
        -- settled (and then counts as received) before this event is judged.
        PERFORM 1 FROM metadata_job j
          WHERE j.id IN (SELECT 'webhook:' || d.subscription_id || ':' || d.chain FROM webhook_delivery d WHERE d.event_id = OLD.id)
          ORDER BY j.id FOR UPDATE;
        SELECT array_agg(d.subscription_id ORDER BY d.subscription_id) INTO received
          FROM webhook_delivery d WHERE d.event_id = OLD.id AND d.status = 'DELIVERED';
        IF received IS NOT NULL THEN
          PERFORM tms_compensate(OLD.id, OLD.type, OLD.chain, OLD.contract_id, OLD.token_ref, OLD.payload, received);
        END IF;
        RETURN OLD;
      END $$`)
    await db.query(`CREATE TRIGGER notification_event_compensate BEFORE DELETE ON notification_event
      FOR EACH ROW EXECUTE FUNCTION notification_event_compensate()`)
  }

  async down(db) {
    await db.query(`DELETE FROM metadata_job WHERE kind = 'DELIVERY'`)
    await db.query(`DROP TRIGGER notification_event_compensate ON notification_event`)
    await db.query(`DROP FUNCTION notification_event_compensate()`)
    await db.query(`DROP FUNCTION tms_compensate(bigint, text, text, text, text, jsonb, text[])`)
    await db.query(`DROP FUNCTION tms_wake_delivery(text, text)`)
    await db.query(`DROP TABLE webhook_delivery`)
    await db.query(`DROP TABLE notification_event`)
    await db.query(`DROP TABLE webhook_subscription`)
  }
}
