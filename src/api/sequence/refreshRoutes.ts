import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { RefreshSummary } from '../../store/refreshes'
import { getRefresh, refreshIdForTask } from '../../store/refreshes'
import { indexedContractStandard } from '../../store/read/contracts'
import { indexedTokenIds } from '../../store/read/tokenLists'
import type { ApiKeyRecord } from '../../store/apiKeys'
import { mayRefresh } from '../auth/apiKeyAuth'
import { retryAfterHeaders } from '../auth/refreshLimits'
import type { ApiContext } from '../context'
import { clip } from '../validation'
import { WebrpcFailure, webrpcErrorBody, webrpcShapeError, webrpcUnavailableBody, type WebrpcErrorBody, type WebrpcErrorName } from './webrpcErrors'
import { authenticateFirst } from '../refresh/authFirst'
import { asFailure, RefreshFailure, requireKey, requireRights, type FailureKind } from '../refresh/failures'
import { RequestShapeError, shapeValidatorCompiler } from '../shapes/validation'
import { sequenceRefreshSchemas } from './refreshSchemas'
import { addressOf, requestRefresh } from '../refresh/refreshService'

/**
 * Sequence Metadata refresh methods (webrpc), registered under /rpc next to the read methods:
 *
 *   POST /Metadata/RefreshTokenMetadata {chainID, contractAddress, tokenIDs?, refreshAll?, newMints?} -> {taskID, taskId}
 *   POST /Metadata/GetTask              {taskId}  -> {task: Task}   (seeds/000 Task shape)
 *   POST /Metadata/GetTaskStatus        {taskId}  -> {status}
 *
 * taskID is the refresh's numeric task id (refresh.task_id, an identity column); the client reads `taskID`,
 * Sequence's page for the method writes `taskId`: both are sent. The fields, each on its own:
 * - tokenIDs: those tokens;
 * - refreshAll: true: every indexed, unburned token of the contract and its contract-level
 *   metadata, whatever tokenIDs says;
 * - newMints: true: the tokens never fetched yet, added to tokenIDs;
 * - none of them (or an empty tokenIDs): every indexed, unburned token.
 * A contract with more than REFRESH_MAX_TOKENS_PER_REQUEST such tokens is refused
 * (InvalidArgument: pass tokenIDs in batches) rather than refreshed in part. A refresh with
 * nothing to do completes at once. Keys: `X-Access-Key` or `Authorization: Bearer`.
 * Errors are webrpc objects: Unauthorized, PermissionDenied, RateLimited (+ Retry-After),
 * InvalidArgument / RequiredArgument / WebrpcBadRequest, ChainNotFound, NotFound.
 */

const METHODS = ['RefreshTokenMetadata', 'GetTask', 'GetTaskStatus'] as const
const TASK_QUEUE = 'metadata-refresh'

const BY_KIND: Record<FailureKind, WebrpcErrorName> = {
  invalid: 'InvalidArgument',
  unauthorized: 'Unauthorized',
  forbidden: 'PermissionDenied',
  not_found: 'NotFound',
  limited: 'RateLimited',
  unavailable: 'WebrpcInternalError',
}

export function sequenceRefreshRoutes(ctx: ApiContext) {
  const maxTokens = ctx.config.REFRESH_MAX_TOKENS_PER_REQUEST
  const schemas = sequenceRefreshSchemas(ctx.knownChains, maxTokens)
  const auth = authenticateFirst((request) => requireKey(ctx, request.headers, 'sequence'))

  return async function register(scope: FastifyInstance): Promise<void> {
    const app = scope.withTypeProvider<ZodTypeProvider>()
    app.setValidatorCompiler(shapeValidatorCompiler)
    app.setErrorHandler((err, request, reply) => {
      if (err instanceof WebrpcFailure) return send(reply, err.body)
      if (err instanceof RequestShapeError) return send(reply, webrpcShapeError(err.problem, 'InvalidArgument'))
      const f = asFailure(err, request)
      if (!f) return send(reply, webrpcErrorBody('WebrpcInternalError'))
      const name: WebrpcErrorName = f.kind === 'invalid' && !f.options.field ? 'WebrpcBadRequest' : BY_KIND[f.kind]
      return send(reply, f.kind === 'unavailable' ? webrpcUnavailableBody() : webrpcErrorBody(name, f.message), f.options.headers)
    })

    app.post('/Metadata/RefreshTokenMetadata', { schema: schemas.refresh, preValidation: auth.preValidation }, async (request, reply) => {
      const key = auth.callerOf(request)
      const { chain, address, contractId, tokenIds: given, refreshAll, newMints } = request.body
      requireRights(key, contractId, address)
      let tokenIds = given
      if (refreshAll || newMints || given.length === 0) {
        if (!(await ctx.store.read(indexedContractStandard, contractId))) throw new WebrpcFailure('NotFound', `contract ${clip(address)} is not indexed on chain ${chain}`)
        const onlyNew = newMints && !refreshAll
        const found = await ctx.store.read(indexedTokenIds, contractId, maxTokens + 1, onlyNew)
        tokenIds = refreshAll ? found : unionIds(given, found)
        if (tokenIds.length > maxTokens) {
          throw new RefreshFailure(
            'invalid',
            `contract ${clip(address)} has more than ${maxTokens} ${onlyNew ? 'new ' : ''}tokens to refresh; pass tokenIDs, at most ${maxTokens} per request`,
            { field: 'tokenIDs' },
          )
        }
      }
      const out = await ctx.store.run(requestRefresh, ctx.config, { surface: 'sequence', key, chain, contractId, tokenIds, contract: refreshAll })
      if (out.kind === 'limited') return send(reply, webrpcErrorBody('RateLimited', 'refresh limit of this API key exceeded'), retryAfterHeaders(out.limits))
      return { taskID: out.taskId, taskId: out.taskId }
    })

    app.post('/Metadata/GetTask', { schema: schemas.getTask, preValidation: auth.preValidation }, async (request) => {
      const refresh = await findTask(auth.callerOf(request), request.body)
      return { task: task(request.body, refresh) }
    })

    app.post('/Metadata/GetTaskStatus', { schema: schemas.getTaskStatus, preValidation: auth.preValidation }, async (request) => {
      const refresh = await findTask(auth.callerOf(request), request.body)
      return { status: taskStatus(refresh) }
    })

    for (const method of METHODS) {
      app.route({
        method: ['GET', 'PUT', 'DELETE', 'PATCH'],
        url: `/Metadata/${method}`,
        schema: { hide: true },
        handler: async (_request, reply) => send(reply, webrpcErrorBody('WebrpcBadMethod', `${method} accepts POST only`)),
      })
    }

    async function findTask(key: ApiKeyRecord, taskId: number): Promise<RefreshSummary> {
      const id = await ctx.store.run(refreshIdForTask, taskId)
      const refresh = id ? await ctx.store.run(getRefresh, id) : undefined
      if (!refresh || !mayRefresh(key, refresh.contractId)) throw new WebrpcFailure('NotFound', `task ${taskId} not found`)
      return refresh
    }
  }
}

/** Distinct ids, in order of first appearance. */
function unionIds(a: bigint[], b: bigint[]): bigint[] {
  return [...new Map([...a, ...b].map((id) => [id.toString(), id])).values()]
}

function send(reply: FastifyReply, body: WebrpcErrorBody, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(body.status).headers(headers).send(body)
}

/** Sequence's TaskStatus (seeds/000: QUEUED, PAUSED, FAILED, COMPLETED): FAILED when every token failed. */
function taskStatus(r: RefreshSummary): 'QUEUED' | 'FAILED' | 'COMPLETED' {
  if (r.status !== 'COMPLETED') return 'QUEUED'
  return r.tokenCount > 0 && r.failed === r.tokenCount ? 'FAILED' : 'COMPLETED'
}

/**
 * The seed's Task: id, queue, status, try, runAt, lastRanAt, createdAt, payload ([]string: the
 * request, as JSON), plus the refresh id and its per-token summary (the progress).
 */
function task(taskId: number, r: RefreshSummary) {
  const lastRan = r.completedAt ?? r.startedAt
  return {
    id: taskId,
    queue: TASK_QUEUE,
    status: taskStatus(r),
    try: r.startedAt ? 1 : 0,
    runAt: r.createdAt.toISOString(),
    ...(lastRan ? { lastRanAt: lastRan.toISOString() } : {}),
    createdAt: r.createdAt.toISOString(),
    payload: [JSON.stringify({ chainID: r.chain.slice(r.chain.indexOf(':') + 1), contractAddress: addressOf(r.contractId, r.chain), tokenCount: r.tokenCount })],
    refreshId: r.id,
    summary: { succeeded: r.succeeded, failed: r.failed, pending: r.pending },
  }
}
