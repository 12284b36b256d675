import type { FastifyInstance } from 'fastify'
import { databaseHealth } from '../../store/read/health'
import type { ApiContext } from '../context'

/**
 * `GET /health`, the liveness check: 200 when the database answers and every migration this
 * build knows is applied, 503 otherwise. It ignores the processors and the lag (`GET /ready`
 * covers those), so a stalled chain never gets the API restarted.
 */
export function healthRoutes(ctx: ApiContext) {
  const expected = ctx.store.migrationNames()
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/health', { schema: healthSchema }, async (_request, reply) => {
      const h = await ctx.store.read(databaseHealth, expected)
      const ok = h.reachable && h.pendingMigrations.length === 0
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'unavailable',
        database: h.reachable ? 'reachable' : 'unreachable',
        migrations: { expected: expected.length, pending: h.pendingMigrations },
        ...(h.error ? { error: 'database query failed' } : {}),
      })
    })
  }
}

const healthBody = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    database: { type: 'string' },
    migrations: { type: 'object', properties: { expected: { type: 'integer' }, pending: { type: 'array', items: { type: 'string' } } } },
  },
}

const healthSchema = {
  tags: ['Status'],
  summary: 'Liveness',
  response: { 200: healthBody, 503: healthBody },
}
