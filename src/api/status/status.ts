import type { FastifyInstance } from 'fastify'
import { ageSeconds, type StatusSnapshot } from '../../store/read/statusSnapshot'
import type { ApiContext } from '../context'

/**
 * `GET /status`: the multi-chain view for dashboards (the Hiro-shaped one is `/metadata/v1/`).
 * Per chain: indexed height, chain height and lag (heads as the processes recorded them), age of
 * the newest indexed block, when the processor was last seen, speed and ETA while it is behind;
 * tokens and contracts per standard; jobs per status; age of the oldest queued job; jobs
 * finished per minute over the last minutes.
 */
export function statusRoutes(ctx: ApiContext) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/status', { schema: statusSchema }, async () => statusBody(await ctx.status.get(), ctx.version))
  }
}

export function statusBody(s: StatusSnapshot, version: string): Record<string, unknown> {
  return {
    version,
    generatedAt: s.generatedAt.toISOString(),
    oldestQueuedAt: s.oldestQueuedAt?.toISOString() ?? null,
    oldestQueuedAgeSeconds: ageSeconds(s.oldestQueuedAt, s.generatedAt),
    chains: s.chains.map((c) => ({
      chain: c.chain,
      indexedHeight: c.indexedHeight,
      chainHeight: c.chainHeight,
      chainHeightAt: iso(c.chainHeightAt),
      lag: c.lag,
      newestBlockAt: iso(c.newestBlockAt),
      newestBlockAgeSeconds: c.newestBlockAgeSeconds,
      processorLastSeenAt: iso(c.processorLastSeenAt),
      processorSilentSeconds: c.processorSilentSeconds,
      blocksPerSecond: c.blocksPerSecond,
      etaSeconds: c.etaSeconds,
      tokens: c.tokens,
      contracts: c.contracts,
      jobs: c.jobs,
      oldestQueuedAt: c.oldestQueuedAt?.toISOString() ?? null,
      oldestQueuedAgeSeconds: ageSeconds(c.oldestQueuedAt, s.generatedAt),
      throughput: c.throughput,
      perMinute: c.perMinute.map((m) => ({ minute: m.minute.toISOString(), completed: m.completed, failed: m.failed, invalid: m.invalid, retried: m.retried })),
    })),
    otherProcessors: s.otherProcessors.map((p) => ({ schema: p.schema, height: p.height })),
    media: { jobs: s.mediaJobs },
  }
}

function iso(d: Date | null): string | null {
  return d?.toISOString() ?? null
}

const counts = { type: 'object', additionalProperties: { type: 'integer' } }
const nullableInt = { type: 'integer', nullable: true }
const nullableNumber = { type: 'number', nullable: true }
const nullableTime = { type: 'string', format: 'date-time', nullable: true }

const statusSchema = {
  tags: ['Status'],
  summary: 'Indexer status, per chain',
  description:
    'Heights and lag, newest block age, processor heartbeat, backfill speed and ETA, token and contract counts per standard, job queue counts, oldest queued job, recent throughput. Computed from counters, never from COUNT(*) scans.',
  response: {
    200: {
      type: 'object',
      properties: {
        version: { type: 'string' },
        generatedAt: { type: 'string', format: 'date-time' },
        oldestQueuedAt: { type: 'string', nullable: true },
        oldestQueuedAgeSeconds: { type: 'number', nullable: true },
        chains: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              chain: { type: 'string' },
              indexedHeight: nullableInt,
              chainHeight: { ...nullableInt, description: 'newest block a process (the processor, a worker) saw on the chain node' },
              chainHeightAt: nullableTime,
              lag: { ...nullableInt, description: 'chainHeight - indexedHeight, in blocks' },
              newestBlockAt: { ...nullableTime, description: 'block timestamp of the newest indexed block' },
              newestBlockAgeSeconds: nullableNumber,
              processorLastSeenAt: { ...nullableTime, description: 'last heartbeat of the chain processor' },
              processorSilentSeconds: nullableNumber,
              blocksPerSecond: { ...nullableNumber, description: 'indexing speed while the processor is behind the head (null at the head)' },
              etaSeconds: { ...nullableNumber, description: 'lag / blocksPerSecond, while behind the head' },
              tokens: counts,
              contracts: counts,
              jobs: counts,
              oldestQueuedAt: { type: 'string', nullable: true },
              oldestQueuedAgeSeconds: { type: 'number', nullable: true },
              throughput: {
                type: 'object',
                properties: {
                  minutes: { type: 'integer' },
                  completed: { type: 'integer' },
                  failed: { type: 'integer' },
                  invalid: { type: 'integer' },
                  retried: { type: 'integer' },
                  finishedPerMinute: { type: 'number' },
                },
              },
              perMinute: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
        },
        otherProcessors: { type: 'array', items: { type: 'object', properties: { schema: { type: 'string' }, height: nullableInt } } },
        media: { type: 'object', description: 'media jobs (one per distinct image URL) by status', properties: { jobs: counts } },
      },
    },
  },
}
