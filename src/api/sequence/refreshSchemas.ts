/** OpenAPI descriptions of the Sequence refresh methods (validation is done by the handlers). */

const tags = ['Sequence Metadata (webrpc)']

const webrpcError = {
  description: 'webrpc error (Unauthorized, PermissionDenied, RateLimited, InvalidArgument, RequiredArgument, ChainNotFound, NotFound, …)',
  type: 'object',
  required: ['error', 'code', 'msg', 'status'],
  properties: { error: { type: 'string' }, code: { type: 'number' }, msg: { type: 'string' }, cause: { type: 'string' }, status: { type: 'number' } },
}

const keyHeaders = {
  type: 'object',
  properties: {
    'x-access-key': { type: 'string', description: 'API key (created with `token-metadata keys create`)' },
    authorization: { type: 'string', description: 'Bearer <API key> (instead of X-Access-Key)' },
  },
}

const taskArgs = { type: 'object', required: ['taskId'], properties: { taskId: { type: 'number' } } }
const taskStatus = { type: 'string', enum: ['QUEUED', 'PAUSED', 'FAILED', 'COMPLETED'] }

const errors = { 400: webrpcError, 401: webrpcError, 403: webrpcError, 429: webrpcError }

export const sequenceRefreshSchemas = {
  refresh: {
    tags,
    summary: 'RefreshTokenMetadata',
    description:
      'Queues a refresh of tokenIDs of a contract (plus, with newMints, every token never fetched yet); refreshAll: every indexed token and the contract-level metadata, whatever tokenIDs says; none of them: every indexed token. At most REFRESH_MAX_TOKENS_PER_REQUEST tokens. Returns the task id (taskID, also as taskId) to follow with GetTask / GetTaskStatus.',
    headers: keyHeaders,
    body: {
      type: 'object',
      required: ['chainID', 'contractAddress'],
      properties: {
        chainID: { type: 'string' },
        contractAddress: { type: 'string' },
        tokenIDs: { type: 'array', items: { type: 'string' } },
        refreshAll: { type: 'boolean' },
        newMints: { type: 'boolean' },
      },
    },
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
