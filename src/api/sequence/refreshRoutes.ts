import type { FastifyInstance, FastifyReply } from 'fastify'
import { sequenceChainOf } from './request'
import type { RefreshSummary } from '../../store/refreshes'
import { getRefresh, refreshIdForTask } from '../../store/refreshes'
import { indexedContractStandard } from '../../store/read/contracts'
import { indexedTokenIds } from '../../store/read/tokenLists'
import { mayRefresh } from '../auth/apiKeyAuth'
import { retryAfterHeaders } from '../auth/refreshLimits'
import type { ApiContext } from '../context'
import { clip } from '../validation'
import { WebrpcFailure, webrpcErrorBody, webrpcUnavailableBody, type WebrpcErrorBody, type WebrpcErrorName } from './webrpcErrors'
import { asFailure, requireKey, requireRights, type FailureKind } from '../refresh/failures'
import { bodyObject, contractOf, InputProblem, requiredString, tokenIdList, typeOf, type Json } from '../refresh/input'
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

  return async function register(app: FastifyInstance): Promise<void> {
    app.setValidatorCompiler(() => () => true)
    app.setErrorHandler((err, request, reply) => {
      if (err instanceof WebrpcFailure) return send(reply, err.body)
      const f = asFailure(err, request)
      if (!f) return send(reply, webrpcErrorBody('WebrpcInternalError'))
      const name: WebrpcErrorName = f.kind === 'invalid' ? (f.options.missing ? 'RequiredArgument' : f.options.field ? 'InvalidArgument' : 'WebrpcBadRequest') : BY_KIND[f.kind]
      return send(reply, f.kind === 'unavailable' ? webrpcUnavailableBody() : webrpcErrorBody(name, f.message), f.options.headers)
    })

    app.post('/Metadata/RefreshTokenMetadata', { schema: sequenceRefreshSchemas.refresh }, async (request, reply) => {
      const key = await requireKey(ctx, request.headers, 'sequence')
      const b = bodyObject(request.body)
      const chain = parseChain(b, ctx.knownChains)
      const address = requiredString(b, 'contractAddress')
      const contractId = contractOf(chain, address, 'contractAddress')
      const given = b.tokenIDs === undefined || b.tokenIDs === null ? [] : tokenIdList(chain, b.tokenIDs, 'tokenIDs', maxTokens, true)
      const refreshAll = optionalBoolean(b, 'refreshAll')
      const newMints = optionalBoolean(b, 'newMints')
      requireRights(key, contractId, address)
      let tokenIds = given
      if (refreshAll || newMints || given.length === 0) {
        if (!(await ctx.store.read(indexedContractStandard, contractId))) throw new WebrpcFailure('NotFound', `contract ${clip(address)} is not indexed on chain ${chain}`)
        const onlyNew = newMints && !refreshAll
        const found = await ctx.store.read(indexedTokenIds, contractId, maxTokens + 1, onlyNew)
        tokenIds = refreshAll ? found : unionIds(given, found)
        if (tokenIds.length > maxTokens) {
          throw new InputProblem(
            `contract ${clip(address)} has more than ${maxTokens} ${onlyNew ? 'new ' : ''}tokens to refresh; pass tokenIDs, at most ${maxTokens} per request`,
            'tokenIDs',
          )
        }
      }
      const out = await ctx.store.run(requestRefresh, ctx.config, { surface: 'sequence', key, chain, contractId, tokenIds, contract: refreshAll })
      if (out.kind === 'limited') return send(reply, webrpcErrorBody('RateLimited', 'refresh limit of this API key exceeded'), retryAfterHeaders(out.limits))
      return { taskID: out.taskId, taskId: out.taskId }
    })

    app.post('/Metadata/GetTask', { schema: sequenceRefreshSchemas.getTask }, async (request) => {
      const { refresh, taskId } = await findTask(request.headers, request.body)
      return { task: task(taskId, refresh) }
    })

    app.post('/Metadata/GetTaskStatus', { schema: sequenceRefreshSchemas.getTaskStatus }, async (request) => {
      const { refresh } = await findTask(request.headers, request.body)
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

    async function findTask(headers: Parameters<typeof requireKey>[1], body: unknown): Promise<{ refresh: RefreshSummary; taskId: number }> {
      const key = await requireKey(ctx, headers, 'sequence')
      const b = bodyObject(body)
      const raw = b.taskId ?? b.taskID
      if (raw === undefined || raw === null) throw new InputProblem('taskId is required', 'taskId', true)
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0)
        throw new InputProblem(`taskId must be a non-negative integer, got ${typeOf(raw)} ${clip(String(raw), 40)}`, 'taskId')
      const id = await ctx.store.run(refreshIdForTask, raw)
      const refresh = id ? await ctx.store.run(getRefresh, id) : undefined
      if (!refresh || !mayRefresh(key, refresh.contractId)) throw new WebrpcFailure('NotFound', `task ${raw} not found`)
      return { refresh, taskId: raw }
    }
  }
}

function optionalBoolean(b: Json, field: string): boolean {
  const v = b[field]
  if (v === undefined || v === null) return false
  if (typeof v !== 'boolean') throw new InputProblem(`${field} must be a boolean, got ${typeOf(v)}`, field)
  return v
}

/** Distinct ids, in order of first appearance. */
function unionIds(a: bigint[], b: bigint[]): bigint[] {
  return [...new Map([...a, ...b].map((id) => [id.toString(), id])).values()]
}

function send(reply: FastifyReply, body: WebrpcErrorBody, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(body.status).headers(headers).send(body)
}

/** chainID as Sequence sends it ("1", "80002") or a CAIP-2 eip155 id; it must be indexed here. */
function parseChain(b: Json, knownChains: ReadonlySet<string>): string {
  return sequenceChainOf(requiredString(b, 'chainID'), knownChains)
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
