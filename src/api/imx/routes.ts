import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { getRefresh, listRefreshErrors, listRefreshPage, type RefreshListRow, type RefreshSummary } from '../../store/refreshes'
import { imxLimitHeaders } from '../auth/refreshLimits'
import type { ApiContext } from '../context'
import { authenticateFirst } from '../refresh/authFirst'
import { asFailure, RefreshFailure, sendFailure } from '../refresh/failures'
import { shapeValidatorCompiler } from '../shapes/validation'
import { callerSees, grantFor, imxCaller, listScope, type ImxCaller } from './caller'
import { imxSchemas } from './schemas'
import { addressOf, decodeCursor, encodeCursor, immutableErrorCode, isRefreshId, requestRefresh, truncateBody } from '../refresh/refreshService'

/**
 * Immutable X style metadata refreshes (seeds/003), registered under /v1/metadata-refreshes:
 *
 *   POST /                      {collection_address, token_ids}  -> 202 {refresh_id} + x-imx-* headers
 *   GET  /?collection_address=  newest first, {result, cursor, remaining}
 *   GET  /:refresh_id           {refresh_id, status, collection_address, started_at, completed_at, summary}
 *   GET  /:refresh_id/errors    {result: [per-token error], cursor, remaining}
 *
 * The path carries no chain: REFRESH_DEFAULT_CHAIN. Every route needs an API key
 * (`x-immutable-api-key` or `Authorization: Bearer`) or the project owner's signature headers
 * (`x-imx-eth-address`, `x-imx-eth-signature`, `x-imx-eth-timestamp`; see imxCaller.ts); a
 * caller sees the refreshes of the collections it may refresh (an owner also its own).
 * Errors are `{code, message}` (the shape of the documented 429).
 */
export function imxRefreshRoutes(ctx: ApiContext) {
  const chain = ctx.config.REFRESH_DEFAULT_CHAIN
  const schemas = imxSchemas(chain, ctx.config.REFRESH_MAX_TOKENS_PER_REQUEST)
  const auth = authenticateFirst((request) => imxCaller(ctx, request.headers))

  return async function register(scope: FastifyInstance): Promise<void> {
    const app = scope.withTypeProvider<ZodTypeProvider>()
    app.setValidatorCompiler(shapeValidatorCompiler)
    app.setErrorHandler((err, request, reply) => {
      const f = asFailure(err, request)
      if (!f) return reply.code(500).send({ code: 'internal_server_error', message: 'Internal server error' })
      return sendFailure(reply, f, imxErrorBody(f))
    })
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ code: 'resource_not_found', message: `no route for ${request.method} ${request.url.split('?')[0].slice(0, 200)}` }),
    )

    app.post('/', { schema: schemas.create, preValidation: auth.preValidation }, async (request, reply) => {
      const { collection_address: collection, token_ids: tokenIds } = request.body
      const grant = await grantFor(ctx, auth.callerOf(request), chain, collection.contractId)
      const out = await ctx.store.run(requestRefresh, ctx.config, { surface: 'imx', key: grant.key, owner: grant.owner, chain, contractId: collection.contractId, tokenIds })
      if (out.kind === 'limited') {
        return reply.code(429).headers(imxLimitHeaders(out.limits)).send({ code: 'refresh_limit_exceeded', message: 'Refresh limit exceeded' })
      }
      return reply.code(202).headers(imxLimitHeaders(out.limits)).send({ refresh_id: out.refreshId })
    })

    app.get('/', { schema: schemas.list, preValidation: auth.preValidation }, async (request) => {
      const caller = auth.callerOf(request)
      const { collection_address: collection, cursor, page_size: pageSize } = request.query
      let scope = listScope(caller, chain)
      if (collection !== undefined) {
        await grantFor(ctx, caller, chain, collection.contractId, 'read the refreshes of')
        scope = { contracts: [collection.contractId] }
      }
      const before = cursor ? listPosition(cursor) : undefined
      const page = await ctx.store.run(listRefreshPage, { chain, ...scope }, pageSize, before)
      const last = page.rows[page.rows.length - 1]
      return {
        result: page.rows.map((r) => refreshListItem(r)),
        cursor: last ? encodeCursor('imx-refreshes', { t: last.createdAt.toISOString(), i: last.id }) : '',
        remaining: page.remaining,
      }
    })

    app.get('/:refresh_id', { schema: schemas.get, preValidation: auth.preValidation }, async (request) => {
      const r = await findRefresh(auth.callerOf(request), request.params.refresh_id)
      return refreshStatus(r)
    })

    app.get('/:refresh_id/errors', { schema: schemas.errors, preValidation: auth.preValidation }, async (request) => {
      const caller = auth.callerOf(request)
      const { cursor, page_size: pageSize } = request.query
      const after = cursor ? decodeCursor('imx-refresh-errors', cursor, ['p'])?.p : undefined
      if (cursor && after === undefined) throw new RefreshFailure('invalid', 'cursor is not a cursor of this list', { field: 'cursor' })
      const r = await findRefresh(caller, request.params.refresh_id)
      // Cursors are bound to their refresh: a position is `<refreshId>:<tokenId>`.
      if (after !== undefined && !after.startsWith(`${r.id}:`)) throw new RefreshFailure('invalid', 'cursor belongs to another refresh', { field: 'cursor' })
      const page = await ctx.store.run(listRefreshErrors, r.id, pageSize, after)
      const address = addressOf(r.contractId, r.chain)
      const last = page.errors[page.errors.length - 1]
      return {
        result: page.errors.map((e) => ({
          token_id: e.tokenId,
          collection_address: address,
          client_token_metadata_url: e.url,
          client_response_status_code: e.httpStatus,
          client_response_body: truncateBody(e.body),
          error_code: immutableErrorCode(e.errorCode),
          created_at: e.createdAt.toISOString(),
        })),
        cursor: last ? encodeCursor('imx-refresh-errors', { p: last.position }) : '',
        remaining: page.remaining,
      }
    })

    async function findRefresh(caller: ImxCaller, id: string): Promise<RefreshSummary> {
      const r = isRefreshId(id) ? await ctx.store.run(getRefresh, id) : undefined
      if (!r || !(await callerSees(ctx, caller, r))) throw new RefreshFailure('not_found', `refresh ${id.slice(0, 80)} not found`)
      return r
    }
  }
}

const IMX_ERROR_CODES = {
  invalid: 'validation_error',
  unauthorized: 'unauthorised_request',
  forbidden: 'forbidden_request',
  not_found: 'resource_not_found',
  limited: 'refresh_limit_exceeded',
  unavailable: 'service_unavailable',
} as const

function imxErrorBody(f: RefreshFailure): { code: string; message: string } {
  if (f.kind === 'limited') return { code: 'refresh_limit_exceeded', message: 'Refresh limit exceeded' }
  return { code: IMX_ERROR_CODES[f.kind], message: f.message }
}

function listPosition(cursor: string): { createdAt: Date; id: string } {
  const c = decodeCursor('imx-refreshes', cursor, ['t', 'i'])
  const createdAt = c ? new Date(c.t) : undefined
  if (!c || !createdAt || Number.isNaN(createdAt.getTime())) throw new RefreshFailure('invalid', 'cursor is not a cursor of this list', { field: 'cursor' })
  return { createdAt, id: c.i }
}

const STATUS = { QUEUED: 'queued', IN_PROGRESS: 'in_progress', COMPLETED: 'completed' } as const

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null
}

function refreshListItem(r: RefreshListRow) {
  return {
    refresh_id: r.id,
    status: STATUS[r.status],
    collection_address: addressOf(r.contractId, r.chain),
    started_at: iso(r.startedAt),
    completed_at: iso(r.completedAt),
  }
}

export function refreshStatus(r: RefreshSummary) {
  return { ...refreshListItem(r), summary: { succeeded: r.succeeded, failed: r.failed, pending: r.pending } }
}
