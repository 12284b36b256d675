import type { FastifyRequest } from 'fastify'

/**
 * The caller of a refresh route, authenticated before its request is validated: a caller without
 * a valid key is answered 401 whatever its body holds (the refusal describes nothing of a request
 * shape the caller may not use). The hook runs once the body is parsed and before the route's
 * schema checks it; the handler reads the result with `callerOf(request)`.
 */
export function authenticateFirst<T>(authenticate: (request: FastifyRequest) => Promise<T>) {
  const callers = new WeakMap<FastifyRequest, T>()
  return {
    preValidation: async (request: FastifyRequest): Promise<void> => {
      callers.set(request, await authenticate(request))
    },
    callerOf(request: FastifyRequest): T {
      const caller = callers.get(request)
      if (caller === undefined) throw new Error(`${request.routeOptions.url} was registered without its authentication hook`)
      return caller
    },
  }
}
