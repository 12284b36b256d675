import type { ChangeEvent } from '../core/notifications'
import { toJsonb } from './metadataWriter'
import { SqlExecutor, rows } from './sql'

/**
 * The change outbox (notification_event, webhook_delivery; migration 1797000000400) and the
 * NOTIFY feed of the GraphQL subscriptions. Owns every statement on those tables.
 *
 * Invariants:
 * - Called in the transaction of the change itself, so an event exists exactly when its change
 *   does; a rolled-back batch leaves no event behind.
 * - An event is stored only when a live subscription (its key not revoked) matches it: with no
 *   webhooks the cost is one indexed read per call. Each matching subscription gets one
 *   PENDING delivery row; paused subscriptions keep collecting them for when they resume.
 * - Delivery jobs are woken by tms_wake_delivery in (subscription, chain) order, after the
 *   caller's metadata jobs (`webhook:` ids sort after `contract:` and `token:`), and before the
 *   event ids are taken: for one webhook and chain, ids are taken in commit order, so a delivery
 *   job that sends pending rows oldest first never sends an event before an earlier one.
 * - Every change, matched or not, is NOTIFYed on CHANGE_CHANNEL at commit, for the API
 *   processes' GraphQL subscriptions.
 */

export const CHANGE_CHANNEL = 'tms_change'

/** What a NOTIFY carries, in a JSON array of them (short keys: a payload is limited to 8000 bytes). */
export interface ChangeNotice {
  /** event type */
  t: string
  /** chain */
  c: string
  /** contract id */
  k: string
  /** token ref, or null for contract-level events and bulk notices */
  r: string | null
  /** a bulk notice: some tokens of the contract changed (a batch too large to announce token by token) */
  b?: true
}

/** A batch above this many changes is announced per contract instead of per token. */
export const MAX_TOKEN_NOTICES = 1000

/** Bytes of one NOTIFY payload: notices go out as JSON arrays up to this (Postgres allows 8000). */
export const MAX_NOTICE_PAYLOAD = 7900

export interface StoredChanges {
  /** Ids of the stored events, in the order of the changes that were stored. */
  eventIds: string[]
  /** Index into the given changes of each stored event. */
  stored: number[]
}

interface SubscriptionFilter {
  id: string
  chains: string[]
  contracts: string[]
  event_types: string[]
}

/** Stores the changes some subscription wants, fans them out and wakes the delivery jobs; NOTIFYs all of them. */
export async function recordChanges(db: SqlExecutor, changes: readonly ChangeEvent[], now: Date): Promise<StoredChanges> {
  if (changes.length === 0) return { eventIds: [], stored: [] }
  await notifyChanges(db, changes)
  const subs = await matchingSubscriptions(db, changes)
  if (subs.length === 0) return { eventIds: [], stored: [] }
  const fanout = changes.map((e) => subs.filter((s) => matches(s, e)))
  const stored = fanout.flatMap((m, i) => (m.length > 0 ? [i] : []))
  if (stored.length === 0) return { eventIds: [], stored: [] }
  const deliveries = stored.flatMap((i) => fanout[i]!.map((s) => ({ sub: s.id, chain: changes[i]!.chain, subject: changes[i]!.tokenRef ?? changes[i]!.contractId, event: i })))
  // The delivery jobs' rows before the event ids: a transaction that takes ids for a webhook
  // commits before the next one can take any, so its events never overtake an earlier one.
  // Paused webhooks too: tms_wake_delivery reads the pause once it holds the row.
  await wakeDeliveries(
    db,
    deliveries.map((d) => ({ subscriptionId: d.sub, chain: d.chain })),
  )
  const ids = await rows<{ id: string }>(db, `SELECT nextval(pg_get_serial_sequence('notification_event', 'id'))::text AS id FROM generate_series(1, $1)`, [stored.length])
  const eventIds = ids.map((r) => r.id)
  const eventIdOf = new Map(stored.map((i, n) => [i, eventIds[n]!]))
  await insertEvents(
    db,
    stored.map((i) => changes[i]!),
    eventIds,
    now,
  )
  await db.query(
    `INSERT INTO webhook_delivery (subscription_id, event_id, chain, subject, status, created_at)
     SELECT sub, event::bigint, chain, subject, 'PENDING', $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS d(sub, event, chain, subject)`,
    [deliveries.map((d) => d.sub), deliveries.map((d) => eventIdOf.get(d.event)!), deliveries.map((d) => d.chain), deliveries.map((d) => d.subject), now],
  )
  return { eventIds, stored }
}

function matches(s: SubscriptionFilter, e: ChangeEvent): boolean {
  return (
    (s.chains.length === 0 || s.chains.includes(e.chain)) &&
    (s.contracts.length === 0 || s.contracts.includes(e.contractId)) &&
    (s.event_types.length === 0 || s.event_types.includes(e.type))
  )
}

async function matchingSubscriptions(db: SqlExecutor, changes: readonly ChangeEvent[]): Promise<SubscriptionFilter[]> {
  const chains = [...new Set(changes.map((c) => c.chain))]
  const contracts = [...new Set(changes.map((c) => c.contractId))]
  return rows<SubscriptionFilter>(
    db,
    `SELECT s.id, s.chains, s.contracts, s.event_types
       FROM webhook_subscription s JOIN api_key k ON k.id = s.api_key_id AND k.revoked_at IS NULL
      WHERE (cardinality(s.chains) = 0 OR s.chains && $1::text[])
        AND (cardinality(s.contracts) = 0 OR s.contracts && $2::text[])
      ORDER BY s.id`,
    [chains, contracts],
  )
}

async function insertEvents(db: SqlExecutor, events: ChangeEvent[], ids: string[], now: Date): Promise<void> {
  await db.query(
    `INSERT INTO notification_event (id, type, chain, contract_id, token_ref, block_number, payload, created_at)
     SELECT id::bigint, type, chain, contract_id, token_ref, block_number, payload::jsonb, $7
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $8::text[])
         AS e(id, type, chain, contract_id, token_ref, block_number, payload)`,
    [
      ids,
      events.map((e) => e.type),
      events.map((e) => e.chain),
      events.map((e) => e.contractId),
      events.map((e) => e.tokenRef),
      events.map((e) => e.blockNumber),
      now,
      events.map((e) => toJsonb(e.payload())),
    ],
  )
}

/** Wakes the delivery jobs of (subscription, chain) pairs, each once, in job id order, holding their rows to commit (a paused webhook's stay as they are). */
export async function wakeDeliveries(db: SqlExecutor, pairs: { subscriptionId: string; chain: string }[]): Promise<void> {
  const unique = [...new Map(pairs.map((p) => [`webhook:${p.subscriptionId}:${p.chain}`, p])).entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  if (unique.length === 0) return
  await db.query(`SELECT tms_wake_delivery(s, c) FROM unnest($1::text[], $2::text[]) AS w(s, c)`, [unique.map(([, p]) => p.subscriptionId), unique.map(([, p]) => p.chain)])
}

/**
 * NOTIFYs each change (delivered at commit, so listeners never hear of a change that rolled
 * back). Past MAX_TOKEN_NOTICES changes (a backfill batch) one notice per contract and type says
 * "tokens of this contract changed" (r = null) instead.
 */
async function notifyChanges(db: SqlExecutor, changes: readonly ChangeEvent[]): Promise<void> {
  const notices: ChangeNotice[] =
    changes.length <= MAX_TOKEN_NOTICES
      ? changes.map((e) => ({ t: e.type, c: e.chain, k: e.contractId, r: e.tokenRef }))
      : [...new Map(changes.map((e) => [`${e.type}|${e.contractId}`, { t: e.type, c: e.chain, k: e.contractId, r: null, b: true as const }])).values()]
  await db.query(`SELECT pg_notify($1, n) FROM unnest($2::text[]) AS n`, [CHANGE_CHANNEL, noticePayloads(notices)])
}

/**
 * Notices packed into JSON arrays of at most MAX_NOTICE_PAYLOAD bytes, in order: a settle of 100
 * tokens is one or two NOTIFYs (each one is queued, deduplicated and read by every listening
 * backend) instead of 100.
 */
export function noticePayloads(notices: readonly ChangeNotice[]): string[] {
  const payloads: string[] = []
  let parts: string[] = []
  let bytes = 2
  for (const n of notices) {
    const text = JSON.stringify(n)
    const size = Buffer.byteLength(text) + 1
    if (parts.length > 0 && bytes + size > MAX_NOTICE_PAYLOAD) {
      payloads.push(`[${parts.join(',')}]`)
      parts = []
      bytes = 2
    }
    parts.push(text)
    bytes += size
  }
  if (parts.length > 0) payloads.push(`[${parts.join(',')}]`)
  return payloads
}
