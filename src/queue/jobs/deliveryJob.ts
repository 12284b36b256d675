import type { DataSource } from 'typeorm'
import { MetadataError, RetryableError } from '../../core/errors'
import { idempotencyId } from '../../core/notifications'
import { signatureHeaders } from '../../lib/webhookSignature'
import { safeFetch, type SafeAgent } from '../../metadata/fetcher/safeFetch'
import { deliveryTarget, pendingDeliveries, type DeliveryAttempt, type DeliveryTarget, type PendingDelivery } from '../../store/webhookDeliveries'
import type { JobHandler } from '../runner'
import type { ClaimedJob, JobOutcome } from '../../core/jobOutcome'

export interface DeliveryJobDeps {
  db: DataSource
  /** The worker's metadata agent: the same address policy and allow-list (no SSRF through webhooks). */
  agent: SafeAgent
  timeoutMs: number
  maxRedirects: number
  /** Deliveries read per attempt. */
  batch: number
  /** Deliveries of one attempt in flight at once (each token's own stay in order, one at a time). */
  concurrency: number
}

/** Bytes of a receiver's answer read at most: its status is what counts. */
const MAX_RESPONSE_BYTES = 64 * 1024

/**
 * Sends a subscription's pending deliveries on one chain (job id `webhook:<subscription>:<chain>`):
 * the oldest first, the events of one token strictly one after the other, tokens in parallel.
 * The first failure stops every token from starting another delivery, so a receiver that hangs
 * or fails costs at most one deadline per attempt; the attempt then fails with that error
 * (backoff, Retry-After) and settle records every delivery it tried.
 */
export function deliveryJobHandler(deps: DeliveryJobDeps): JobHandler {
  return async (job) => {
    const target = await deliveryTarget(deps.db, job.contractId)
    // deleted, revoked or paused: nothing is sent; resume wakes the job again
    if (!target || target.paused) return { job, ok: true, kind: 'DELIVERY', delivery: { attempts: [] } }
    const pending = await pendingDeliveries(deps.db, target.id, job.chain, deps.batch)
    const host = new URL(target.url).host
    const attempts: DeliveryAttempt[] = []
    let failure: MetadataError | undefined
    await inParallel(bySubject(pending), deps.concurrency, async (queue) => {
      for (const d of queue) {
        if (failure) return
        const r = await deliverOne(target, d, deps)
        attempts.push(r.attempt)
        if (r.error) {
          failure ??= r.error
          return
        }
      }
    })
    return outcome(job, host, attempts, failure)
  }
}

function outcome(job: ClaimedJob, host: string, attempts: DeliveryAttempt[], failure: MetadataError | undefined): JobOutcome {
  if (!failure) return { job, ok: true, kind: 'DELIVERY', host, delivery: { attempts } }
  return { job, ok: false, host, error: failure, delivery: { attempts } }
}

/** The delivery body: the event as receivers see it. */
export function deliveryBody(d: PendingDelivery): string {
  return JSON.stringify({ id: idempotencyId(d.eventId), type: d.type, createdAt: d.createdAt.toISOString(), data: d.payload })
}

async function deliverOne(target: DeliveryTarget, d: PendingDelivery, deps: DeliveryJobDeps): Promise<{ attempt: DeliveryAttempt; error?: MetadataError }> {
  const body = deliveryBody(d)
  const headers = { 'content-type': 'application/json', ...signatureHeaders(target.secret, idempotencyId(d.eventId), Math.floor(Date.now() / 1000), body) }
  try {
    const r = await safeFetch(target.url, { agent: deps.agent, timeoutMs: deps.timeoutMs, maxRedirects: deps.maxRedirects, maxBytes: MAX_RESPONSE_BYTES, post: { body, headers } })
    const received = d.chainEvent ? { eventId: d.eventId, type: d.type, payload: d.payload, ...d.chainEvent } : undefined
    return { attempt: { deliveryId: d.deliveryId, ok: true, status: r.status, error: null, received } }
  } catch (e) {
    const err = e instanceof MetadataError ? e : new RetryableError('internal_error', 'delivery failed', { cause: e })
    const text = err.status !== undefined ? `HTTP ${err.status}` : `${err.code}: ${err.message}`
    // Every failure is retried (the receiver may be fixed); the attempts before a pause bound it.
    const retryable = err.retryable ? err : new RetryableError(err.code, err.message, { url: err.url, status: err.status, cause: err })
    return { attempt: { deliveryId: d.deliveryId, ok: false, status: err.status ?? null, error: text }, error: retryable }
  }
}

/** Deliveries grouped by subject (token or contract), each group in event order. */
function bySubject(pending: PendingDelivery[]): PendingDelivery[][] {
  const groups = new Map<string, PendingDelivery[]>()
  for (const d of pending) {
    const g = groups.get(d.subject)
    if (g) g.push(d)
    else groups.set(d.subject, [d])
  }
  return [...groups.values()]
}

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++]!)
  })
  await Promise.all(lanes)
}
