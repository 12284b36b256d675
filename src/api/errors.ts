import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDatabaseUnavailable } from '../store/databaseErrors'

/**
 * Errors raised before a handler runs (body parsing, schema validation, limits) or thrown by
 * one. Each surface renders them in its own error shape; this module only classifies them.
 *
 * Invariant: a client mistake is a 4xx with a message naming the problem; anything else is a
 * 500 whose body says nothing about the cause (no message, no stack) and which is logged.
 */
export interface ClientProblem {
  statusCode: number
  /** Fastify's code when it raised the error (FST_ERR_…), else a short code of ours. */
  code: string
  message: string
}

/** A client mistake detected by our own code, with the HTTP status to answer. */
export class BadRequestError extends Error {
  constructor(
    message: string,
    readonly statusCode = 400,
    readonly code = 'BAD_REQUEST',
  ) {
    super(message)
    this.name = 'BadRequestError'
  }
}

const MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported content type (send application/json)',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body cannot be empty when content-type is set to application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request body size did not match content-length',
}

export function classifyError(err: unknown): ClientProblem | undefined {
  if (err instanceof BadRequestError) return { statusCode: err.statusCode, code: err.code, message: err.message }
  if (err === null || typeof err !== 'object') return undefined
  const e = err as Partial<FastifyError> & { status?: number; type?: string }
  const status = e.statusCode ?? e.status
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined
  if (e.validation) return { statusCode: 400, code: 'FST_ERR_VALIDATION', message: e.message ?? 'invalid request' }
  if (e instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'request body is not valid JSON' }
  }
  const code = e.code ?? 'BAD_REQUEST'
  return { statusCode: status, code, message: MESSAGES[code] ?? e.message ?? 'bad request' }
}

export { isDatabaseUnavailable }

export const UNAVAILABLE_MESSAGE = 'the database is unavailable; retry shortly'
export const UNAVAILABLE_GRAPHQL_ERROR = { message: UNAVAILABLE_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } }

/** Seconds a client is asked to wait while the database is unavailable. */
export const UNAVAILABLE_RETRY_AFTER_S = 2

/**
 * The status of a server-side failure: 503 with Retry-After while the database is unavailable
 * (a restart or failover the server recovers from on its own), else 500.
 */
export function serverFailureStatus(reply: FastifyReply, err: unknown): 500 | 503 {
  if (!isDatabaseUnavailable(err)) return 500
  reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S))
  return 503
}

/** Logs a server-side failure once, with the request it broke. */
export function logServerError(request: FastifyRequest, err: unknown): void {
  request.log.error({ err, method: request.method, url: request.url }, 'request failed')
}

/** The shape Fastify (and therefore the Hiro API) answers errors with. */
export function fastifyErrorBody(statusCode: number, message: string, code?: string): Record<string, unknown> {
  return { statusCode, ...(code ? { code } : {}), error: reasonPhrase(statusCode), message }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 500 ? 'Bad Request' : 'Internal Server Error')
}

/** Default handlers (Fastify's shape) for everything outside a surface with its own shape. */
export function installDefaultErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply: FastifyReply) => {
    const problem = classifyError(err)
    if (problem) return reply.code(problem.statusCode).send(fastifyErrorBody(problem.statusCode, problem.message, problem.code))
    logServerError(request, err)
    const status = serverFailureStatus(reply, err)
    return reply.code(status).send(fastifyErrorBody(status, status === 503 ? UNAVAILABLE_MESSAGE : reasonPhrase(status)))
  })
  app.setNotFoundHandler((request, reply) => reply.code(404).send(fastifyErrorBody(404, `Route ${request.method}:${request.url.split('?')[0].slice(0, 200)} not found`)))
}
