import { z } from 'zod'
import { clip, contractIdOf } from '../validation'
import { evmAddress, flag, tokenIdValues } from '../shapes/formats'
import { fieldName, shapeIssue, typeOf } from '../shapes/validation'
import { SEQUENCE_NAMESPACE, sequenceChainId } from './chainId'

/**
 * The Sequence refresh methods: request shapes (zod: they validate and coerce the request and are
 * its OpenAPI description) and the OpenAPI descriptions of the answers.
 */

const tags = ['Sequence Metadata (webrpc)']

const webrpcError = {
  description: 'webrpc error (Unauthorized, PermissionDenied, RateLimited, InvalidArgument, RequiredArgument, ChainNotFound, NotFound, …)',
  type: 'object',
  required: ['error', 'code', 'msg', 'status'],
  properties: { error: { type: 'string' }, code: { type: 'number' }, msg: { type: 'string' }, cause: { type: 'string' }, status: { type: 'number' } },
}

const keyHeaders = z.looseObject({
  'x-access-key': z.string().optional().describe('API key (created with `token-metadata keys create`)'),
  authorization: z.string().optional().describe('Bearer <API key> (instead of X-Access-Key)'),
})

function refreshBody(knownChains: ReadonlySet<string>, maxTokens: number) {
  return z
    .object({
      chainID: sequenceChainId(knownChains),
      contractAddress: evmAddress(),
      tokenIDs: tokenIdValues(SEQUENCE_NAMESPACE, { max: maxTokens }).nullish(),
      refreshAll: flag(),
      newMints: flag(),
    })
    .transform((b) => ({
      chain: b.chainID.chain,
      address: b.contractAddress,
      contractId: contractIdOf(b.chainID.chain, b.contractAddress),
      tokenIds: b.tokenIDs ?? [],
      refreshAll: b.refreshAll,
      newMints: b.newMints,
    }))
}

const nonNegative = (iss: z.core.$ZodRawIssue) => `${fieldName(iss.path ?? [])} must be a non-negative integer, got ${typeOf(iss.input)} ${clip(String(iss.input), 40)}`
const taskNumber = z.number({ error: nonNegative }).int({ error: nonNegative }).min(0, { error: nonNegative })

/** The task id, as `taskId` (Sequence's page) or `taskID` (its client's spelling elsewhere). */
const taskArgs = z
  .object({ taskId: taskNumber.nullish(), taskID: taskNumber.nullish() })
  .transform((b, ctx) => {
    const id = b.taskId ?? b.taskID
    if (id !== undefined && id !== null) return id
    ctx.addIssue({ ...shapeIssue('missing', (field) => `${field} is required`, ['taskId']), input: b })
    return z.NEVER
  })
  .meta({ description: 'taskId (or taskID) is required' })

const taskStatus = { type: 'string', enum: ['QUEUED', 'PAUSED', 'FAILED', 'COMPLETED'] }

const errors = { 400: webrpcError, 401: webrpcError, 403: webrpcError, 429: webrpcError }

export function sequenceRefreshSchemas(knownChains: ReadonlySet<string>, maxTokens: number) {
  return {
    refresh: {
      tags,
      summary: 'RefreshTokenMetadata',
      description:
        'Queues a refresh of tokenIDs of a contract (plus, with newMints, every token never fetched yet); refreshAll: every indexed token and the contract-level metadata, whatever tokenIDs says; none of them: every indexed token. At most REFRESH_MAX_TOKENS_PER_REQUEST tokens. Returns the task id (taskID, also as taskId) to follow with GetTask / GetTaskStatus.',
      headers: keyHeaders,
      body: refreshBody(knownChains, maxTokens),
      response: { 200: { type: 'object', properties: { taskID: { type: 'number' }, taskId: { type: 'number' } } }, ...errors },
    },
    getTask: {
      tags,
      summary: 'GetTask',
      description: 'A refresh task: the Task object plus refreshId and the per-token summary.',
      headers: keyHeaders,
      body: taskArgs,
      response: {
        200: {
          type: 'object',
          properties: {
            task: {
              type: 'object',
              properties: {
                id: { type: 'number' },
                queue: { type: 'string' },
                status: taskStatus,
                try: { type: 'number' },
                runAt: { type: 'string' },
                lastRanAt: { type: 'string' },
                createdAt: { type: 'string' },
                payload: { type: 'array', items: { type: 'string' } },
                refreshId: { type: 'string' },
                summary: { type: 'object', properties: { succeeded: { type: 'integer' }, failed: { type: 'integer' }, pending: { type: 'integer' } } },
              },
            },
          },
        },
        ...errors,
      },
    },
    getTaskStatus: {
      tags,
      summary: 'GetTaskStatus',
      headers: keyHeaders,
      body: taskArgs,
      response: { 200: { type: 'object', properties: { status: taskStatus } }, ...errors },
    },
  }
}
