import { PermanentError } from '../../core/errors'
import type { JobHandler } from '../runner'
import { contractJobHandler } from './contractJob'
import { deliveryJobHandler, type DeliveryJobDeps } from './deliveryJob'
import { tokenJobHandler, type TokenJobDeps } from './tokenJob'

export type { DeliveryJobDeps, TokenJobDeps }

/** The worker's handler: dispatches on the job kind (DELIVERY only when the worker sends webhooks). */
export function metadataJobHandler(deps: TokenJobDeps, delivery?: DeliveryJobDeps): JobHandler {
  const token = tokenJobHandler(deps)
  const contract = contractJobHandler(deps)
  const deliver = delivery ? deliveryJobHandler(delivery) : undefined
  return (job, ctx) => {
    if (job.kind === 'DELIVERY') return deliver ? deliver(job, ctx) : Promise.reject(new PermanentError('internal_error', 'this worker was started without webhook delivery'))
    return job.kind === 'TOKEN' ? token(job, ctx) : contract(job, ctx)
  }
}
