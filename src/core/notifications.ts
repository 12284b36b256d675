/**
 * Change notifications (README "Change notifications"): what webhooks and GraphQL subscriptions
 * are told. A change is written in the transaction of what caused it (a block batch, a settled
 * job batch), so it exists exactly when the change does.
 */

export const EVENT_TYPES = ['token.minted', 'token.transferred', 'token.burned', 'metadata.updated', 'metadata.failed', 'refresh.completed'] as const

export type EventType = (typeof EVENT_TYPES)[number]

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value)
}

/** One change, before it is stored: `payload()` is the event's `data` as receivers see it. */
export interface ChangeEvent {
  type: EventType
  chain: string
  contractId: string
  /** `<contractId>:<tokenId>`; null for contract-level events (refresh.completed). */
  tokenRef: string | null
  /** The block of a chain event (its rollback removes or compensates the event); null otherwise. */
  blockNumber: number | null
  /** Built only for changes a subscription stores (a backfill batch has 100,000s of them). */
  payload: () => Record<string, unknown>
}

/** The token id part of a token ref (`<chain>:<address>:<id>`). */
export function tokenIdOf(tokenRef: string): string {
  return tokenRef.slice(tokenRef.lastIndexOf(':') + 1)
}

/** The idempotency id of an event (webhook-id, the body's id): one per event, the same on every attempt and for every subscription. */
export function idempotencyId(eventId: string): string {
  return `evt_${eventId}`
}

/** A subscription's delivery waiting to be sent (store/webhookDeliveries.ts reads them). */
export interface PendingDelivery {
  deliveryId: string
  eventId: string
  type: string
  subject: string
  attempts: number
  payload: Record<string, unknown>
  createdAt: Date
  /** A chain event (of a block a reorg may orphan): what compensating it needs. */
  chainEvent: { chain: string; contractId: string; tokenRef: string | null } | null
}

/** What one delivery of an attempt did. */
export interface DeliveryAttempt {
  deliveryId: string
  ok: boolean
  /** HTTP status the receiver answered, if it answered. */
  status: number | null
  error: string | null
  /** A chain event that was received: compensated if a rollback deleted it during the request. */
  received?: Pick<PendingDelivery, 'eventId' | 'type' | 'payload'> & NonNullable<PendingDelivery['chainEvent']>
}
