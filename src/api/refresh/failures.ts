import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ApiKeyRecord } from '../../store/apiKeys'
import { authenticateRequest, mayRefresh, type KeySurface } from '../auth/apiKeyAuth'
import type { ApiContext } from '../context'
import { classifyError, isDatabaseUnavailable, logServerError, UNAVAILABLE_MESSAGE, UNAVAILABLE_RETRY_AFTER_S } from '../errors'
import { RequestShapeError } from '../shapes/validation'

/**
 * Failures of the refresh surfaces in one vocabulary; each surface renders them in its own
 * error shape (Immutable X, Immutable zkEVM, Mavis, webrpc, GraphQL):
 * invalid (400), unauthorized (401), forbidden (403), not_found (404), limited (429),
 * unavailable (503: the database is unreachable; logged, with Retry-After).
 * Anything else is a server failure: logged, answered 500 without details.
 */
export type FailureKind = 'invalid' | 'unauthorized' | 'forbidden' | 'not_found' | 'limited' | 'unavailable'

export const FAILURE_STATUS: Record<FailureKind, number> = { invalid: 400, unauthorized: 401, forbidden: 403, not_found: 404, limited: 429, unavailable: 503 }

export class RefreshFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly options: { field?: string; headers?: Record<string, string> } = {},
  ) {
    super(message)
    this.name = 'RefreshFailure'
  }
}

/** The failure a thrown error stands for, or undefined for a server failure (already logged, like an unavailable database). */
export function asFailure(err: unknown, request: FastifyRequest): RefreshFailure | undefined {
  if (err instanceof RefreshFailure) return err
  if (err instanceof RequestShapeError) {
    const { kind, field, message } = err.problem
    return new RefreshFailure(kind === 'unknown_chain' ? 'not_found' : 'invalid', message, { field: field || undefined })
  }
  const problem = classifyError(err)
  if (problem) return new RefreshFailure(problem.statusCode === 404 ? 'not_found' : 'invalid', problem.message)
  logServerError(request, err)
  if (isDatabaseUnavailable(err)) return new RefreshFailure('unavailable', UNAVAILABLE_MESSAGE, { headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_S) } })
  return undefined
}

/** Sends a failure with its headers; `render` gives the surface's body (and may change the status). */
export function sendFailure(reply: FastifyReply, f: RefreshFailure, body: unknown, status = FAILURE_STATUS[f.kind]): FastifyReply {
  return reply
    .code(status)
    .headers(f.options.headers ?? {})
    .send(body)
}

const AUTH_MESSAGES = {
  missing: 'an API key is required',
  invalid: 'the API key is not valid (unknown or revoked)',
}

/** The caller's live API key, or an unauthorized failure. */
export async function requireKey(ctx: ApiContext, headers: IncomingHttpHeaders, surface: KeySurface): Promise<ApiKeyRecord> {
  const auth = await ctx.store.run(authenticateRequest, headers, surface)
  if (!auth.ok) throw new RefreshFailure('unauthorized', AUTH_MESSAGES[auth.reason])
  return auth.key
}

/** A forbidden failure unless the key may refresh the contract. */
export function requireRights(key: ApiKeyRecord, contractId: string, address: string): void {
  if (!mayRefresh(key, contractId)) throw new RefreshFailure('forbidden', `this API key may not refresh collection ${address}`)
}
