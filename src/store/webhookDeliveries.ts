import type { DeliveryAttempt, PendingDelivery } from '../core/notifications'
import { SqlExecutor, rows } from './sql'

export type { DeliveryAttempt, PendingDelivery }

/**
 * What delivery jobs read and write: a subscription's pending deliveries on one chain, the
 * outcome of each attempt, the subscription's failure streak and pause, and the delivery log.
 *
 * Invariants:
 * - Pending deliveries are handed out oldest event first, so the events of one token (one
 *   subject) go out in the order they were stored.
 * - Settling never waits for a delivery row someone else holds (SKIP LOCKED): the only other
 *   writer is a reorg rollback deleting the event, and a row it deletes has nothing to record.
 */

export interface DeliveryTarget {
  id: string
  url: string
  secret: string
  paused: boolean
}

/** The subscription a delivery job sends for; undefined when it was deleted or its key revoked. */
export async function deliveryTarget(db: SqlExecutor, subscriptionId: string): Promise<DeliveryTarget | undefined> {
  const [row] = await rows<{ id: string; url: string; secret: string; paused: boolean }>(
    db,
    `SELECT s.id, s.url, s.secret, s.paused_at IS NOT NULL AS paused
       FROM webhook_subscription s JOIN api_key k ON k.id = s.api_key_id AND k.revoked_at IS NULL
      WHERE s.id = $1`,
    [subscriptionId],
  )
  return row
}

export async function pendingDeliveries(db: SqlExecutor, subscriptionId: string, chain: string, limit: number): Promise<PendingDelivery[]> {
  const found = await rows<{
    id: string
    event_id: string
    type: string
    subject: string
    attempts: number
    payload: Record<string, unknown>
    created_at: Date
    chain: string
    contract_id: string
    token_ref: string | null
    chain_event: boolean
  }>(
    db,
    `SELECT d.id::text, d.event_id::text, e.type, d.subject, d.attempts, e.payload, e.created_at, e.chain, e.contract_id, e.token_ref,
            e.block_number IS NOT NULL AS chain_event
       FROM webhook_delivery d JOIN notification_event e ON e.id = d.event_id
      WHERE d.subscription_id = $1 AND d.chain = $2 AND d.status = 'PENDING'
      ORDER BY d.event_id LIMIT $3`,
    [subscriptionId, chain, limit],
  )
  return found.map((r) => ({
    deliveryId: r.id,
    eventId: r.event_id,
    type: r.type,
    subject: r.subject,
    attempts: r.attempts,
    payload: r.payload,
    createdAt: r.created_at,
    chainEvent: r.chain_event ? { chain: r.chain, contractId: r.contract_id, tokenRef: r.token_ref } : null,
  }))
}

export interface AttemptSummary {
  subscriptionId: string
  chain: string
  attempts: DeliveryAttempt[]
  /** The job ran out of attempts: the subscription is paused until resumed. */
  pause: boolean
}

/** Records attempts and the subscription's streak; returns whether pending deliveries remain. */
export async function settleDeliveryAttempts(db: SqlExecutor, s: AttemptSummary, now: Date): Promise<boolean> {
  const a = s.attempts
  if (a.length > 0) {
    const updated = await rows<{ id: string }>(
      db,
      `WITH l AS (SELECT id FROM webhook_delivery WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE SKIP LOCKED),
            u AS (UPDATE webhook_delivery d SET status = CASE WHEN u.ok THEN 'DELIVERED' ELSE 'PENDING' END, attempts = d.attempts + 1,
                         last_status = u.status, last_error = u.error, last_attempt_at = $5::timestamptz,
                         delivered_at = CASE WHEN u.ok THEN $5::timestamptz END
                    FROM unnest($1::bigint[], $2::bool[], $3::int[], $4::text[]) AS u(id, ok, status, error)
                   WHERE d.id = u.id AND d.id IN (SELECT id FROM l)
               RETURNING d.id::text)
       SELECT id FROM u`,
      [a.map((x) => x.deliveryId), a.map((x) => x.ok), a.map((x) => x.status), a.map((x) => x.error?.slice(0, 1000) ?? null), now],
    )
    await compensateVanished(db, s.subscriptionId, a, new Set(updated.map((r) => r.id)))
  }
  const failed = a.find((x) => !x.ok)
  await db.query(
    `UPDATE webhook_subscription SET
        consecutive_failures = CASE WHEN $2::bool THEN consecutive_failures + 1 ELSE 0 END,
        last_attempt_at = CASE WHEN $5::bool THEN $3::timestamptz ELSE last_attempt_at END,
        last_success_at = CASE WHEN $6::bool THEN $3::timestamptz ELSE last_success_at END,
        last_error = CASE WHEN $2::bool THEN $4::text ELSE last_error END,
        paused_at = CASE WHEN $7::bool THEN coalesce(paused_at, $3::timestamptz) ELSE paused_at END
      WHERE id = $1`,
    [s.subscriptionId, failed !== undefined, now, failed?.error?.slice(0, 1000) ?? null, a.length > 0, a.some((x) => x.ok), s.pause],
  )
  const [left] = await rows<{ more: boolean }>(db, `SELECT EXISTS (SELECT 1 FROM webhook_delivery WHERE subscription_id = $1 AND chain = $2 AND status = 'PENDING') AS more`, [
    s.subscriptionId,
    s.chain,
  ])
  return left!.more
}

/**
 * A chain event received by the webhook whose row is gone by the time its attempt settles: a
 * rollback deleted the event while the request was in flight (it saw the delivery PENDING and
 * wrote no compensation). The webhook gets the compensating event now.
 */
async function compensateVanished(db: SqlExecutor, subscriptionId: string, attempts: DeliveryAttempt[], settled: Set<string>): Promise<void> {
  const candidates = attempts.filter((x) => x.ok && x.received && !settled.has(x.deliveryId))
  if (candidates.length === 0) return
  // a row skipped because someone holds it is not gone
  const present = await rows<{ id: string }>(db, `SELECT id::text FROM webhook_delivery WHERE id = ANY($1::bigint[])`, [candidates.map((x) => x.deliveryId)])
  const kept = new Set(present.map((r) => r.id))
  for (const x of candidates) {
    if (kept.has(x.deliveryId)) continue
    const e = x.received!
    await db.query(`SELECT tms_compensate($1::bigint, $2, $3, $4, $5, $6::jsonb, $7::text[])`, [
      e.eventId,
      e.type,
      e.chain,
      e.contractId,
      e.tokenRef,
      JSON.stringify(e.payload),
      [subscriptionId],
    ])
  }
}

export interface DeliveryLogEntry {
  id: string
  eventId: string
  type: string
  chain: string
  subject: string
  status: 'PENDING' | 'DELIVERED'
  attempts: number
  lastStatus: number | null
  lastError: string | null
  lastAttemptAt: Date | null
  deliveredAt: Date | null
  createdAt: Date
}

/** A subscription's deliveries, newest first, `before` a delivery id (a page cursor). */
export async function deliveryLog(db: SqlExecutor, subscriptionId: string, limit: number, before?: string, status?: 'PENDING' | 'DELIVERED'): Promise<DeliveryLogEntry[]> {
  const found = await rows<{
    id: string
    event_id: string
    type: string
    chain: string
    subject: string
    status: 'PENDING' | 'DELIVERED'
    attempts: number
    last_status: number | null
    last_error: string | null
    last_attempt_at: Date | null
    delivered_at: Date | null
    created_at: Date
  }>(
    db,
    `SELECT d.id::text, d.event_id::text, e.type, d.chain, d.subject, d.status, d.attempts, d.last_status, d.last_error,
            d.last_attempt_at, d.delivered_at, d.created_at
       FROM webhook_delivery d JOIN notification_event e ON e.id = d.event_id
      WHERE d.subscription_id = $1 AND ($2::bigint IS NULL OR d.id < $2::bigint) AND ($4::text IS NULL OR d.status = $4)
      ORDER BY d.id DESC LIMIT $3`,
    [subscriptionId, before ?? null, limit, status ?? null],
  )
  return found.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    type: r.type,
    chain: r.chain,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastError: r.last_error,
    lastAttemptAt: r.last_attempt_at,
    deliveredAt: r.delivered_at,
    createdAt: r.created_at,
  }))
}

/** Deletes deliveries made before `cutoff` (the delivery log's retention); pending ones stay. */
export async function pruneDeliveryLog(db: SqlExecutor, cutoff: Date): Promise<number> {
  const [r] = await rows<{ n: number }>(
    db,
    `WITH d AS (DELETE FROM webhook_delivery WHERE status = 'DELIVERED' AND delivered_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
    [cutoff],
  )
  return r!.n
}

/**
 * Deletes events stored before `cutoff` that no delivery refers to any more. Such an event has
 * no delivered row left, so the rollback compensation trigger writes nothing for it.
 */
export async function pruneDeliveredEvents(db: SqlExecutor, cutoff: Date): Promise<number> {
  const [r] = await rows<{ n: number }>(
    db,
    `WITH d AS (DELETE FROM notification_event e WHERE e.created_at < $1 AND NOT EXISTS (SELECT 1 FROM webhook_delivery w WHERE w.event_id = e.id) RETURNING 1)
     SELECT count(*)::int AS n FROM d`,
    [cutoff],
  )
  return r!.n
}
