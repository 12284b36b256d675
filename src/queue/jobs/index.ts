import type { JobHandler } from '../runner'
import { contractJobHandler } from './contractJob'
import { tokenJobHandler, type TokenJobDeps } from './tokenJob'

export type { TokenJobDeps }

/** The worker's handler: dispatches on the job kind. */
export function metadataJobHandler(deps: TokenJobDeps): JobHandler {
  const token = tokenJobHandler(deps)
  const contract = contractJobHandler(deps)
  return (job, ctx) => (job.kind === 'TOKEN' ? token(job, ctx) : contract(job, ctx))
}
