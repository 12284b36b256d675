import type { FastifyInstance } from 'fastify'
import { ageSeconds, type StatusSnapshot } from '../../store/read/statusSnapshot'
import type { ApiContext } from '../context'

/**
 * `GET /status`: the multi-chain view for dashboards (the Hiro-shaped one is `/metadata/v1/`).
 * Per chain: indexed height, chain height and lag; tokens and contracts per standard; jobs per
 * status; age of the oldest queued job; jobs finished per minute over the last minutes.
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
      lag: c.lag,
      tokens: c.tokens,
      contracts: c.contracts,
      jobs: c.jobs,
      oldestQueuedAt: c.oldestQueuedAt?.toISOString() ?? null,
      oldestQueuedAgeSeconds: ageSeconds(c.oldestQueuedAt, s.generatedAt),
      throughput: c.throughput,
      perMinute: c.perMinute.map((m) => ({ minute: m.minute.toISOString(), completed: m.completed, failed: m.failed, invalid: m.invalid, retried: m.retried })),
    })),
    otherProcessors: s.otherProcessors.map((p) => ({ schema: p.schema, height: p.height })),
  }
}

const counts = { type: 'object', additionalProperties: { type: 'integer' } }
const nullableInt = { type: 'integer', nullable: true }

const statusSchema = {
  tags: ['Status'],
  summary: 'Indexer status, per chain',
  description: 'Heights and lag, token and contract counts per standard, job queue counts, oldest queued job, recent throughput. Computed from counters, never from COUNT(*) scans.',
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
              chainHeight: nullableInt,
              lag: nullableInt,
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
      },
    },
  },
}
