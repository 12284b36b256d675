import cors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance, FastifyRequest } from 'fastify'

/**
 * Routes a browser may call from another origin (explorers, wallets): the reads. Refresh routes,
 * the Sequence task lookups (they need an API key) and /metrics answer no CORS at all, so a page
 * elsewhere can neither preflight nor read them. POST /graphql is a read route (queries); its
 * refresh mutation needs an API key in `Authorization`, a header the read routes do not allow,
 * so a cross-origin page cannot send one. No route allows credentials.
 */
const READ_GET_PREFIXES = ['/metadata/', '/metadata', '/status', '/health', '/graphql']
const READ_POSTS = new Set(['/graphql', '/graphql/stream', '/rpc/Metadata/GetTokenMetadata', '/rpc/Metadata/GetTokenMetadataBatch'])
/** Sequence's own client sends Webrpc (and X-Access-Key, its project key, which reads ignore). */
const READ_HEADERS = ['content-type', 'accept', 'webrpc', 'x-access-key']

/** `method path` of the request, or of the request a preflight asks about. */
function isReadRoute(request: FastifyRequest): boolean {
  const path = request.url.split('?', 1)[0].replace(/\/+$/, '') || '/'
  const asked = request.method === 'OPTIONS' ? request.headers['access-control-request-method'] : request.method
  const method = typeof asked === 'string' ? asked.toUpperCase() : ''
  if (method === 'GET' || method === 'HEAD') return READ_GET_PREFIXES.some((p) => path === p || (p.endsWith('/') && path.startsWith(p)))
  return method === 'POST' && READ_POSTS.has(path)
}

/** CORS_ORIGINS as @fastify/cors wants it: '*' any origin, a list reflected when it matches, 'none' none. */
function originOption(origins: readonly string[]): FastifyCorsOptions['origin'] {
  if (origins.includes('*')) return '*'
  const listed = origins.filter((o) => o !== 'none')
  return listed.length ? listed : false
}

export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  const readOrigin = originOption(origins)
  await app.register(cors, {
    delegator: (request, callback) =>
      callback(null, {
        origin: isReadRoute(request) ? readOrigin : false,
        methods: ['GET', 'HEAD', 'POST'],
        allowedHeaders: READ_HEADERS,
        exposedHeaders: ['etag'],
        credentials: false,
        maxAge: 600,
      }),
  })
}
