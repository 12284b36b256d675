import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { ApiStore } from '../store/apiStore'
import { readDbFromDataSource } from '../store/read/readDb'
import { knownChains } from './chains'
import type { ApiContext } from './context'
import { registerCors } from './cors'
import { CollectionOwners } from './auth/collectionOwners'
import { ChangeFeed } from './subscriptions/changeFeed'
import type { ApiDeps } from './deps'
import { installDefaultErrorHandlers } from './errors'
import { readLimits, type LimitedSurface } from './limits/readLimitHook'
import { ReadLimiter } from './limits/readLimiter'
import { graphqlRoutes } from './graphql/plugin'
import { registerOpenApi } from './openapi'
import { installRequestMetrics } from './requestMetrics'
import { healthRoutes } from './status/health'
import { readyRoutes } from './status/ready'
import { OnDemandBudget } from './sequence/onDemandBudget'
import { hiroRoutes } from './hiro/routes'
import { sequenceRoutes } from './sequence/routes'
import { imxRefreshRoutes } from './imx/routes'
import { mavisRefreshRoutes } from './mavis/routes'
import { sequenceRefreshRoutes } from './sequence/refreshRoutes'
import { zkevmRefreshRoutes } from './zkevm/routes'
import { statusRoutes } from './status/status'
import { StatusService } from './statusService'
import { statusGauges } from './statusMetrics'
import { packageJson } from '../lib/packageRoot'
import { MediaLinks } from './media/mediaLinks'
import { mediaRoutes } from './media/mediaRoute'

/** Largest request body (a full 50 x 50 Sequence batch of uint256 ids is about 200 KB). */
export const BODY_LIMIT = 1024 * 1024

/**
 * The one HTTP server of the API process (docs/architecture.md §6): GraphQL, the Hiro and Sequence
 * compatible REST surfaces, status, health, OpenAPI docs and Prometheus metrics. Built from its
 * dependencies only; the caller listens and closes.
 */
export async function buildApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const log = deps.log.child({ component: 'api' })
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Per-request logs would cost more than the hot routes themselves; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
    // request.ip is the X-Forwarded-For client only when the socket peer is a trusted proxy.
    trustProxy: deps.config.API_TRUST_PROXY.length > 0 ? deps.config.API_TRUST_PROXY : false,
  })
  // Response schemas document the API; bodies are serialised as they are (no field filtering).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  installDefaultErrorHandlers(app)
  installRequestMetrics(app, deps.metrics)

  const db = readDbFromDataSource(deps.ds)
  const chains = knownChains(deps.config)
  const version = deps.version ?? packageLabel()
  const ctx: ApiContext = {
    config: deps.config,
    store: new ApiStore(deps.ds, db),
    log,
    knownChains: new Set(chains),
    status: new StatusService(db, { knownChains: chains, processorSilenceSeconds: deps.config.READY_MAX_SILENCE_SECONDS, cacheMs: deps.statusCacheMs ?? 1000 }),
    onDemand: new OnDemandBudget(deps.config.ON_DEMAND_FETCHES_PER_MINUTE),
    owners: new CollectionOwners(deps.chainReaders ?? new Map(), deps.config.IMX_OWNER_CACHE_TTL_SECONDS * 1000),
    version,
    media: new MediaLinks(deps.config, () => app.server.address()),
    changes: changeFeedOf(deps),
  }
  if (ctx.changes) {
    await ctx.changes.start()
    // before Fastify waits for open requests: ending the feed ends every subscription's stream
    app.addHook('preClose', async () => ctx.changes?.stop())
  }

  await registerCors(app, deps.config.CORS_ORIGINS)

  const reads = readLimits(new ReadLimiter(deps.ds, deps.config.READ_LIMIT_SYNC_MS, log), deps.ds, deps.config, log)
  reads.limiter.start()
  app.addHook('onClose', async () => reads.limiter.stop())
  /** A surface whose routes count against the read limits (refresh writes have their own, per key). */
  const limited = (surface: LimitedSurface, plugins: ((i: FastifyInstance) => Promise<void>)[], opts: { prefix?: string; skipMethods?: string[] } = {}) =>
    app.register(
      async (scope) => {
        scope.addHook('onRequest', reads.hook(surface, { skipMethods: opts.skipMethods }))
        for (const p of plugins) await scope.register(p)
      },
      opts.prefix ? { prefix: opts.prefix } : {},
    )

  await registerOpenApi(app, version)
  const updateGauges = statusGauges(deps.metrics, log)
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    await updateGauges(() => ctx.status.get())
    return reply.type('text/plain; version=0.0.4').send(await deps.metrics.render())
  })
  if (deps.config.MEDIA_STORAGE === 'local') await app.register(mediaRoutes(deps.config.MEDIA_DIR))
  await app.register(healthRoutes(ctx))
  await app.register(readyRoutes(ctx))
  await limited('status', [statusRoutes(ctx)])
  await limited('hiro', [hiroRoutes(ctx, { hideFromDocs: false })], { prefix: '/metadata/v1' })
  await limited('hiro', [hiroRoutes(ctx, { hideFromDocs: true })], { prefix: '/metadata' })
  await limited('sequence', [sequenceRoutes(ctx)], { prefix: '/rpc' })
  await app.register(sequenceRefreshRoutes(ctx), { prefix: '/rpc' })
  // Its GETs (refresh status and errors) are reads; its POST is a refresh, limited per key.
  await limited('immutable', [imxRefreshRoutes(ctx)], { prefix: '/v1/metadata-refreshes', skipMethods: ['POST'] })
  await app.register(zkevmRefreshRoutes(ctx), { prefix: '/v1/chains' })
  await app.register(mavisRefreshRoutes(ctx), { prefix: '/mavis-market-partner' })
  await limited('graphql', [await graphqlRoutes(ctx)])
  return app
}

/** The change feed of GraphQL subscriptions: one LISTEN connection to the API's database. */
function changeFeedOf(deps: ApiDeps): ChangeFeed | undefined {
  const url = (deps.ds.options as { url?: string }).url
  if (!url) return undefined
  const gauge = deps.metrics.gauge('graphql_subscriptions', 'GraphQL subscriptions (tokenChanged, contractChanged) this API process serves')
  return new ChangeFeed(url, deps.config.SUBSCRIPTION_BUFFER, deps.log.child({ component: 'changes' }), (n) => gauge.set(n))
}

/** `token-metadata-squid v<version>`: the server's name in the OpenAPI document and the status. */
function packageLabel(): string {
  const pkg = packageJson()
  return `${pkg.name} v${pkg.version}`
}
