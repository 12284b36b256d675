import { isFungible } from '../../core/standards'
import { PRIORITY, type JobRequest } from '../../core/jobs'
import { enqueueJobs, type EnqueueResult } from '../../store/jobs/enqueue'
import { loadTokenViews, type TokenView } from '../../store/read/tokenViews'
import type { DataSource } from 'typeorm'
import type { ApiContext } from '../context'
import type { OnDemandBudget } from './onDemandBudget'
import { mediaOfSubjects } from '../../store/media'
import { sequenceAssets } from './assets'
import type { MetadataRequest } from './schemas'
import { sequenceTokenMetadata, type SequenceTokenMetadata } from './tokenMetadata'

/**
 * Metadata of the requested tokens, one list per requested contract (in request order).
 *
 * Unknown tokens are not dropped: each is answered NOT_AVAILABLE, and a token of a known contract
 * that has never had a job gets one (NEW_MINT priority) so it is fetched soon. Jobs carry no
 * foreign key to token, so this works before the processor has seen the token. Tokens that ever
 * had a job are never re-queued from here (a read must not be able to restart fetches of tokens
 * that already failed), nor are ids other than 0 of fungible contracts. At most
 * MAX_QUEUED_PER_REQUEST (one contract's worth) are queued per request: a batch read of 2,500
 * made-up ids must not turn into 2,500 chain calls; the rest are queued by later requests. All
 * requests of all API processes together queue at most ON_DEMAND_FETCHES_PER_MINUTE
 * (OnDemandBudget); past it, unknown tokens are answered NOT_AVAILABLE without a job.
 */
export const MAX_QUEUED_PER_REQUEST = 50

export async function tokenMetadataFor(ctx: ApiContext, req: MetadataRequest, now = new Date()): Promise<Map<string, SequenceTokenMetadata[]>> {
  const keys = req.contracts.flatMap((c) => c.tokenIds.map((tokenId) => ({ contractId: c.contractId, tokenId })))
  const views = await ctx.store.read(loadTokenViews, keys)
  const queued = await queueNeverFetched(ctx, req.chain, views, now)
  const media = await ctx.store.read(
    mediaOfSubjects,
    views.map((v) => v.ref),
  )
  const out = new Map<string, SequenceTokenMetadata[]>()
  let i = 0
  for (const c of req.contracts) {
    const list = c.tokenIds.map(() => {
      const view = views[i++]
      return sequenceTokenMetadata(view, req.chainNumber, c.address, queued.has(view.ref) ? now : undefined, sequenceAssets(media.get(view.ref), ctx.media))
    })
    out.set(c.key, list)
  }
  return out
}

async function queueNeverFetched(ctx: ApiContext, chain: string, views: TokenView[], now: Date): Promise<Set<string>> {
  const requests: JobRequest[] = views
    .filter((v) => v.contract && !v.job && !v.metadata && (!isFungible(v.contract.standard) || v.tokenId === '0'))
    .slice(0, MAX_QUEUED_PER_REQUEST)
    .map((v) => ({ kind: 'TOKEN', chain, contractId: v.contractId, tokenRef: v.ref, priority: PRIORITY.NEW_MINT }))
  // An exhausted budget costs no transaction: reads of made-up ids then do nothing but their lookup.
  if (requests.length === 0 || ctx.onDemand.exhausted(now)) return new Set()
  try {
    const { jobs } = await ctx.store.run(enqueueWithinBudget, ctx.onDemand, requests, now)
    return new Set(jobs.map((j) => j.id.slice('token:'.length)))
  } catch (err) {
    // The answer (NOT_AVAILABLE) does not depend on the enqueue; the next request retries it.
    ctx.log.warn({ err, tokens: requests.length }, 'could not queue fetches of unknown tokens')
    return new Set()
  }
}

/** Queues as many of the fetches as the on-demand budget grants, in one transaction (a rollback returns the budget). */
function enqueueWithinBudget(ds: DataSource, budget: OnDemandBudget, requests: JobRequest[], now: Date): Promise<EnqueueResult> {
  return ds.transaction(async (m) => {
    const granted = await budget.take(m, requests.length, now)
    return granted === 0 ? { jobs: [] } : enqueueJobs(m, requests.slice(0, granted), now)
  })
}
