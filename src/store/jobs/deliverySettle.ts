import { wakeDeliveries } from '../notificationEvents'
import { settleDeliveryAttempts } from '../webhookDeliveries'
import type { SqlExecutor } from '../sql'
import type { JobOutcome } from '../../core/jobOutcome'

/** A settled DELIVERY job: its outcome and the status settle gave the job row. */
export interface DeliveryTransition {
  outcome: JobOutcome
  status: 'DONE' | 'QUEUED' | 'INVALID' | 'FAILED'
}

/**
 * Records what delivery attempts sent, in the settle transaction: each delivery's status and
 * attempts, the subscription's failure streak, a pause when the job ran out of attempts
 * (FAILED), and the job queued again at once when it finished with deliveries still pending
 * (its batch was full, or events arrived while it ran).
 */
export async function settleDeliveries(db: SqlExecutor, ts: DeliveryTransition[], now: Date): Promise<void> {
  for (const t of ts) {
    const job = t.outcome.job
    const more = await settleDeliveryAttempts(db, { subscriptionId: job.contractId, chain: job.chain, attempts: deliveryAttemptsOf(t.outcome), pause: t.status === 'FAILED' }, now)
    if (more && t.status === 'DONE') await wakeDeliveries(db, [{ subscriptionId: job.contractId, chain: job.chain }])
  }
}

function deliveryAttemptsOf(o: JobOutcome) {
  if (o.ok) return o.kind === 'DELIVERY' ? o.delivery.attempts : []
  return o.delivery?.attempts ?? []
}
