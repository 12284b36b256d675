import type { FastifyInstance } from 'fastify'
import { databaseHealth } from '../../store/read/health'
import type { StatusSnapshot } from '../../store/read/statusSnapshot'
import type { ApiContext } from '../context'
import { evaluateReadiness } from '../readiness'

/**
 * `GET /ready`, for orchestrators: 200 when this deployment can serve current data, 503 naming
 * each failed check otherwise: the database is unreachable, a migration is missing, a chain
 * processor is silent longer than READY_MAX_SILENCE_SECONDS, or a chain lags more than
 * READY_MAX_LAG_BLOCKS. (`/health` is the liveness check: it ignores the processors.)
 */
export function readyRoutes(ctx: ApiContext) {
  const expected = ctx.store.migrationNames()
  const limits = { maxSilenceSeconds: ctx.config.READY_MAX_SILENCE_SECONDS, maxLagBlocks: ctx.config.READY_MAX_LAG_BLOCKS }
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/ready', { schema: readySchema }, async (request, reply) => {
      const health = await ctx.store.read(databaseHealth, expected)
      let snapshot: StatusSnapshot | Error | undefined
      if (health.reachable) {
        snapshot = await ctx.status.get().catch((err: Error) => {
          request.log.warn({ err }, 'readiness: status snapshot failed')
          return err
        })
      }
      const r = evaluateReadiness(health, snapshot, limits)
      return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not_ready', failed: r.failed, checks: r.checks })
    })
  }
}

const check = { type: 'object', properties: { ok: { type: 'boolean' }, detail: { type: 'string' } }, additionalProperties: true }
const readyBody = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    failed: { type: 'array', items: { type: 'string', enum: ['database', 'migrations', 'processors', 'lag'] } },
    checks: { type: 'object', properties: { database: check, migrations: check, processors: check, lag: check } },
  },
}

const readySchema = {
  tags: ['Status'],
  summary: 'Readiness (for orchestrators)',
  description: '503 names each failed check: database unreachable, migration missing, a chain processor silent too long, a chain lagging too far behind its head.',
  response: { 200: readyBody, 503: readyBody },
}
