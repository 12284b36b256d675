import { UNAVAILABLE_MESSAGE } from '../errors'
import type { ShapeProblem, ShapeProblemKind } from '../shapes/validation'
/**
 * webrpc error objects of the Sequence Metadata API (seeds/000: every error with its code,
 * default message and HTTP status). The body is `{error, code, msg, cause, status}` and the HTTP
 * status equals `status`; Sequence's client picks the error class by `code`.
 */
export const WEBRPC_ERRORS = {
  WebrpcEndpoint: { code: 0, msg: 'endpoint error', status: 400 },
  WebrpcRequestFailed: { code: -1, msg: 'request failed', status: 400 },
  WebrpcBadRoute: { code: -2, msg: 'bad route', status: 404 },
  WebrpcBadMethod: { code: -3, msg: 'bad method', status: 405 },
  WebrpcBadRequest: { code: -4, msg: 'bad request', status: 400 },
  WebrpcBadResponse: { code: -5, msg: 'bad response', status: 500 },
  WebrpcServerPanic: { code: -6, msg: 'server panic', status: 500 },
  WebrpcInternalError: { code: -7, msg: 'internal error', status: 500 },
  WebrpcClientDisconnected: { code: -8, msg: 'client disconnected', status: 400 },
  WebrpcStreamLost: { code: -9, msg: 'stream lost', status: 400 },
  Unauthorized: { code: 1000, msg: 'Unauthorized access', status: 401 },
  PermissionDenied: { code: 1001, msg: 'Permission denied', status: 403 },
  SessionExpired: { code: 1002, msg: 'Session expired', status: 403 },
  MethodNotFound: { code: 1003, msg: 'Method not found', status: 404 },
  RequestConflict: { code: 1004, msg: 'Conflict with target resource', status: 409 },
  Fail: { code: 1005, msg: 'Request Failed', status: 500 },
  Geoblocked: { code: 1006, msg: 'Geoblocked region', status: 451 },
  Timeout: { code: 2000, msg: 'Request timed out', status: 408 },
  InvalidArgument: { code: 2001, msg: 'Invalid argument', status: 400 },
  RequiredArgument: { code: 2002, msg: 'Required argument missing', status: 400 },
  QueryFailed: { code: 2003, msg: 'Query failed', status: 400 },
  ValidationFailed: { code: 2004, msg: 'Validation failed', status: 400 },
  RateLimited: { code: 2005, msg: 'Rate limited', status: 429 },
  NotFound: { code: 3000, msg: 'Resource not found', status: 400 },
  ProjectNotFound: { code: 3002, msg: 'Project not found', status: 400 },
  ChainNotFound: { code: 3003, msg: 'Chain not found', status: 400 },
  TokenDirectoryDisabled: { code: 4001, msg: 'Token Directory is disabled', status: 400 },
} as const

export type WebrpcErrorName = keyof typeof WEBRPC_ERRORS

export interface WebrpcErrorBody {
  error: WebrpcErrorName
  code: number
  msg: string
  cause?: string
  status: number
}

/** A request that fails with a webrpc error; `cause` names the problem for the caller. */
export class WebrpcFailure extends Error {
  constructor(
    readonly errorName: WebrpcErrorName,
    readonly causeText?: string,
  ) {
    super(causeText ?? WEBRPC_ERRORS[errorName].msg)
    this.name = 'WebrpcFailure'
  }

  get body(): WebrpcErrorBody {
    return webrpcErrorBody(this.errorName, this.causeText)
  }
}

/**
 * The database is unreachable: WebrpcInternalError with the status the seed's table gives it
 * (500); the routes add Retry-After so clients know to come back.
 */
export function webrpcUnavailableBody(): WebrpcErrorBody {
  return webrpcErrorBody('WebrpcInternalError', UNAVAILABLE_MESSAGE)
}

export function webrpcErrorBody(name: WebrpcErrorName, cause?: string): WebrpcErrorBody {
  const e = WEBRPC_ERRORS[name]
  return { error: name, code: e.code, msg: e.msg, ...(cause !== undefined ? { cause } : {}), status: e.status }
}

/**
 * The webrpc error of a request that does not match its schema. A wrong JSON type is
 * WebrpcBadRequest on the read methods and InvalidArgument on the refresh methods, as each has
 * always answered it.
 */
export function webrpcShapeError(problem: ShapeProblem, wrongType: 'WebrpcBadRequest' | 'InvalidArgument'): WebrpcErrorBody {
  const names: Record<ShapeProblemKind, WebrpcErrorName> = {
    body: 'WebrpcBadRequest',
    missing: 'RequiredArgument',
    type: wrongType,
    invalid: 'InvalidArgument',
    unknown_chain: 'ChainNotFound',
  }
  return webrpcErrorBody(names[problem.kind], problem.message)
}
