import type { FastifyInstance } from 'fastify'
import type { Metrics } from '../lib/metrics'

/**
 * Request count and latency per route pattern and status code (`tms_api_request_duration_seconds`).
 * The route pattern, not the URL, is the label: bounded cardinality whatever clients send.
 */
export function installRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  const histogram = metrics.histogram(
    'api_request_duration_seconds',
    'API request duration by route and status',
    ['method', 'route', 'status'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  )
  app.addHook('onResponse', async (request, reply) => {
    histogram.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000)
  })
}
