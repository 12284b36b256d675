import { GraphQLError } from 'graphql'
import type { ApiKeyRecord } from '../../store/apiKeys'
import { authenticate, candidateKeys } from '../auth/apiKeyAuth'
import type { GraphQLContext } from './context'

/** The live API key of the request (`Authorization: Bearer <key>`), or UNAUTHENTICATED (HTTP 401). */
export async function callerKey(ctx: GraphQLContext): Promise<ApiKeyRecord> {
  const headers = ctx.headers
  const auth = await ctx.api.store.run(authenticate, headers ? candidateKeys(headers, 'graphql') : [], new Date())
  if (auth.ok) return auth.key
  const message = auth.reason === 'missing' ? 'an API key is required (Authorization: Bearer <key>)' : 'the API key is not valid (unknown or revoked)'
  throw new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } })
}
