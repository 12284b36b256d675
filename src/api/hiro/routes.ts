import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { loadTokenViews } from '../../store/read/tokenViews'
import { listFungibleTokens } from '../../store/read/fungibleTokens'
import type { StatusSnapshot } from '../../store/read/statusSnapshot'
import { databaseHealth } from '../../store/read/health'
import type { ApiContext } from '../context'
import { fastifyErrorBody } from '../errors'
import { etagOf, ifNoneMatchMatches } from '../http/etag'
import { checkTokenId, textProblem } from '../validation'
import { mediaOfSubjects } from '../../store/media'
import { displayedImage } from '../media/cachedImage'
import { ftListSchema, ftSchema, nftSchema, sftSchema, statusSchema } from './schemas'
import { registerSearchRoute } from './searchRoute'
import { hiroTokenResult, type HiroTokenKind } from './tokenResponse'

/** Hiro's caching directive for token routes: cache, but revalidate (ETag) every time. */
const CACHE_CONTROL = 'public, no-cache, must-revalidate'

interface TokenParams {
  principal: string
  token_id?: string
}

interface FtListQuery {
  name?: string
  symbol?: string
  address?: string
  valid_metadata_only: boolean
  offset: number
  limit: number
  order_by: 'name' | 'symbol'
  order: 'asc' | 'desc'
}

/**
 * The Hiro Token Metadata API (v1) on Stacks (`STACKS_CHAIN`), registered under `/metadata/v1`
 * and `/metadata`. Paths, bodies, status codes and error texts are Hiro's, so its published
 * client works against this server.
 */
export function hiroRoutes(ctx: ApiContext, opts: { hideFromDocs: boolean }) {
  const chain = ctx.config.STACKS_CHAIN
  const hide = opts.hideFromDocs ? { hide: true } : {}
  const expectedMigrations = ctx.store.migrationNames()
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/', { schema: { ...statusSchema, ...hide } }, async () => {
      // Readiness as /health judges it (database reachable, every migration applied), asked on
      // each request: the snapshot itself may be a cached one.
      const [snapshot, health] = await Promise.all([ctx.status.get(), ctx.store.read(databaseHealth, expectedMigrations)])
      return hiroStatus(snapshot, chain, ctx.version, health.reachable && health.pendingMigrations.length === 0)
    })
    registerSearchRoute(app, ctx, chain, hide)
    app.get<{ Querystring: FtListQuery }>('/ft', { schema: { ...ftListSchema, ...hide } }, (request) => ftList(ctx, chain, request.query))
    for (const kind of ['ft', 'nft', 'sft'] as const) {
      const path = kind === 'ft' ? '/ft/:principal' : `/${kind}/:principal/:token_id`
      const schema = kind === 'ft' ? ftSchema : kind === 'nft' ? nftSchema : sftSchema
      app.get<{ Params: TokenParams; Querystring: { locale?: string } }>(path, { schema: { ...schema, ...hide } }, (request, reply) => tokenRoute(ctx, chain, kind, request, reply))
    }
  }
}

async function tokenRoute(
  ctx: ApiContext,
  chain: string,
  kind: HiroTokenKind,
  request: FastifyRequest<{ Params: TokenParams; Querystring: { locale?: string } }>,
  reply: FastifyReply,
): Promise<unknown> {
  const { principal } = request.params
  let tokenId = '0'
  if (kind !== 'ft') {
    const checked = checkTokenId(chain, request.params.token_id)
    if (!checked.ok) return reply.code(400).send(fastifyErrorBody(400, `params/token_id: ${checked.problem}`, 'FST_ERR_VALIDATION'))
    tokenId = checked.tokenId
  }
  const locale = request.query.locale
  // A locale that cannot be stored (NUL, absurd length) cannot exist: no lookup, "Locale not found".
  const lookupLocale = locale !== undefined && textProblem('locale', locale, 64) === undefined ? locale : undefined
  const [view] = await ctx.store.read(loadTokenViews, [{ contractId: `${chain}:${principal}`, tokenId }], lookupLocale)
  const media = await ctx.store.read(mediaOfSubjects, [view.ref])
  const result = hiroTokenResult(view, kind, principal, locale, displayedImage(media.get(view.ref), ctx.media))
  if (!result.ok) return reply.code(result.error.status).send(result.error.body)
  const body = JSON.stringify(result.body)
  const etag = etagOf(body)
  reply.header('cache-control', CACHE_CONTROL).header('etag', etag)
  if (ifNoneMatchMatches(request.headers['if-none-match'], etag)) return reply.code(304).send()
  return reply.type('application/json; charset=utf-8').send(body)
}

async function ftList(ctx: ApiContext, chain: string, q: FtListQuery): Promise<unknown> {
  const page = await ctx.store.read(listFungibleTokens, {
    chain,
    name: q.name,
    symbol: q.symbol,
    address: q.address,
    validMetadataOnly: q.valid_metadata_only,
    orderBy: q.order_by,
    order: q.order,
    offset: q.offset,
    limit: q.limit,
  })
  return {
    limit: q.limit,
    offset: q.offset,
    total: page.total,
    results: page.results.map((t) =>
      dropEmpty({
        name: t.name,
        symbol: t.symbol,
        decimals: t.decimals,
        total_supply: t.totalSupply,
        token_uri: t.tokenUri,
        description: t.description,
        image_canonical_uri: t.image,
        tx_id: t.deployTx ?? '',
        sender_address: t.address.split('.')[0],
        contract_principal: t.address,
      }),
    ),
  }
}

/**
 * Hiro's job words: pending = waiting to run (our QUEUED), queued = handed to a worker
 * (RUNNING), then done / failed / invalid. Hiro's fields keep their shape; `sync` is ours (a new
 * top-level key, which Hiro's client and schema leave alone): head, lag, block age, heartbeat.
 */
export function hiroStatus(snapshot: StatusSnapshot, chain: string, version: string, ready: boolean): Record<string, unknown> {
  const c = snapshot.chains.find((x) => x.chain === chain)
  const t = (s: 'SIP009' | 'SIP010' | 'SIP013') => c?.tokens[s] ?? 0
  const k = (s: 'SIP009' | 'SIP010' | 'SIP013') => c?.contracts[s] ?? 0
  const j = (s: 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED' | 'INVALID') => c?.jobs[s] ?? 0
  return {
    server_version: version,
    status: ready ? 'ready' : 'not_ready',
    chain_tip: { block_height: c?.indexedHeight ?? 0 },
    tokens: { ft: t('SIP010'), nft: t('SIP009'), sft: t('SIP013') },
    token_contracts: { 'sip-009': k('SIP009'), 'sip-010': k('SIP010'), 'sip-013': k('SIP013') },
    job_queue: { pending: j('QUEUED'), queued: j('RUNNING'), done: j('DONE'), failed: j('FAILED'), invalid: j('INVALID') },
    sync: {
      chain_height: c?.chainHeight ?? null,
      lag_blocks: c?.lag ?? null,
      newest_block_age_seconds: c?.newestBlockAgeSeconds ?? null,
      processor_last_seen_at: c?.processorLastSeenAt?.toISOString() ?? null,
      blocks_per_second: c?.blocksPerSecond ?? null,
      eta_seconds: c?.etaSeconds ?? null,
    },
  }
}

function dropEmpty(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v
  return out
}
