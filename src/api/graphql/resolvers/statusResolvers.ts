import { Ctx, Query, Resolver } from 'type-graphql'
import { ageSeconds } from '../../../store/read/statusSnapshot'
import type { GraphQLContext } from '../context'
import { StatusType } from '../types/status'

function named(record: Record<string, number>): { name: string; count: number }[] {
  return Object.entries(record).map(([name, count]) => ({ name, count }))
}

@Resolver()
export class StatusResolvers {
  @Query(() => StatusType, { description: 'Indexer and job-queue status per chain (same figures as GET /status)' })
  async status(@Ctx() ctx: GraphQLContext): Promise<StatusType> {
    const s = await ctx.api.status.get()
    return {
      version: ctx.api.version,
      generatedAt: s.generatedAt,
      oldestQueuedAt: s.oldestQueuedAt,
      oldestQueuedAgeSeconds: ageSeconds(s.oldestQueuedAt, s.generatedAt),
      chains: s.chains.map((c) => ({
        chain: c.chain,
        indexedHeight: c.indexedHeight,
        chainHeight: c.chainHeight,
        chainHeightAt: c.chainHeightAt,
        lag: c.lag,
        newestBlockAt: c.newestBlockAt,
        newestBlockAgeSeconds: c.newestBlockAgeSeconds,
        processorLastSeenAt: c.processorLastSeenAt,
        processorSilentSeconds: c.processorSilentSeconds,
        blocksPerSecond: c.blocksPerSecond,
        etaSeconds: c.etaSeconds,
        tokens: named(c.tokens),
        contracts: named(c.contracts),
        jobs: named(c.jobs),
        oldestQueuedAt: c.oldestQueuedAt,
        oldestQueuedAgeSeconds: ageSeconds(c.oldestQueuedAt, s.generatedAt),
        throughput: c.throughput,
        perMinute: c.perMinute,
      })),
      mediaJobs: named(s.mediaJobs),
    }
  }
}
