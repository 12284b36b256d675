import { GraphQLError } from 'graphql'
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql'
import { listRefreshErrors, type RefreshSummary } from '../../../store/refreshes'
import { mayRefresh } from '../../auth/apiKeyAuth'
import { callerKey } from '../callerKey'
import { addressOf, decodeCursor, encodeCursor, immutableErrorCode, requestRefresh, truncateBody, visibleRefresh } from '../../refresh/refreshService'
import type { GraphQLContext } from '../context'
import { badInput, contractArg, tokenIdArg } from '../inputErrors'
import { BigIntScalar } from '../scalars'
import { RefreshErrorConnection, RefreshType } from '../types/refresh'

/**
 * Refreshes over GraphQL: `refreshTokens(chain, contract, tokenIds)` queues a refresh (like the
 * REST refresh surfaces: API key, rights, per-key limits shared with them) and `refresh(id)`
 * reads its progress, with its per-token errors as a cursor connection.
 *
 * The key comes from `Authorization: Bearer <key>` of the HTTP request (context.ts).
 * Errors: UNAUTHENTICATED (HTTP 401), FORBIDDEN (403), RATE_LIMITED (429 with Retry-After),
 * BAD_USER_INPUT (400). A refresh the key may not see reads as null, like an unknown one.
 */
@Resolver(() => RefreshType)
export class RefreshResolvers {
  @Mutation(() => RefreshType, { description: 'Queues a metadata refresh of tokens of one contract at the highest priority (API key in Authorization: Bearer)' })
  async refreshTokens(
    @Arg('chain', () => String) chain: string,
    @Arg('contract', () => String) contract: string,
    @Arg('tokenIds', () => [BigIntScalar], { description: '1 to REFRESH_MAX_TOKENS_PER_REQUEST token ids' }) tokenIds: string[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<RefreshType> {
    const key = await callerKey(ctx)
    const contractId = contractArg(ctx, chain, contract)
    const max = ctx.api.config.REFRESH_MAX_TOKENS_PER_REQUEST
    if (tokenIds.length === 0) throw badInput('tokenIds must contain at least one token id', 'tokenIds')
    if (tokenIds.length > max) throw badInput(`tokenIds has ${tokenIds.length} token ids; at most ${max} are allowed per request`, 'tokenIds')
    const ids = [...new Set(tokenIds.map((t, i) => tokenIdArg(chain, t, `tokenIds[${i}]`)))].map((t) => BigInt(t))
    if (!mayRefresh(key, contractId)) throw forbidden(`this API key may not refresh contract ${contractId}`)
    const out = await ctx.api.store.run(requestRefresh, ctx.api.config, { surface: 'graphql', key, chain, contractId, tokenIds: ids })
    if (out.kind === 'limited') {
      throw new GraphQLError(
        `refresh limit of this API key exceeded (${out.limits.refusedBy === 'requests' ? 'requests per second' : 'tokens per hour'}); retry in ${out.limits.retryAfterSeconds} s`,
        {
          extensions: {
            code: 'RATE_LIMITED',
            retryAfterSeconds: out.limits.retryAfterSeconds,
            http: { status: 429, headers: new Map([['retry-after', String(out.limits.retryAfterSeconds)]]) },
          },
        },
      )
    }
    const r = await ctx.api.store.run(visibleRefresh, key, out.refreshId)
    return refreshNode(r!)
  }

  @Query(() => RefreshType, { nullable: true, description: 'A refresh and its progress (API key in Authorization: Bearer); null when unknown or not visible to the key' })
  async refresh(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<RefreshType | null> {
    const key = await callerKey(ctx)
    const r = await ctx.api.store.run(visibleRefresh, key, id)
    return r ? refreshNode(r) : null
  }

  @FieldResolver(() => RefreshErrorConnection, { description: 'Tokens that could not be updated, in a stable order' })
  async errors(
    @Root() refresh: RefreshType,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RefreshErrorConnection> {
    if (!Number.isInteger(first) || first < 1 || first > ctx.maxPage) throw badInput(`first must be between 1 and ${ctx.maxPage}, got ${first}`, 'first')
    let position: string | undefined
    if (after != null) {
      position = decodeCursor('graphql-refresh-errors', after, ['p'])?.p
      if (position === undefined || !position.startsWith(`${refresh.id}:`)) throw badInput('after is not a cursor of this list', 'after')
    }
    const page = await ctx.api.store.run(listRefreshErrors, refresh.id, first, position)
    const last = page.errors[page.errors.length - 1]
    return {
      nodes: page.errors.map((e) => ({
        tokenId: e.tokenId,
        code: e.errorCode,
        immutableCode: immutableErrorCode(e.errorCode),
        url: e.url,
        httpStatus: e.httpStatus,
        body: truncateBody(e.body),
        createdAt: e.createdAt,
      })),
      pageInfo: { hasNextPage: page.remaining > 0, endCursor: last ? encodeCursor('graphql-refresh-errors', { p: last.position }) : null },
      remaining: page.remaining,
    }
  }
}

function refreshNode(r: RefreshSummary): RefreshType {
  return {
    id: r.id,
    surface: r.surface,
    chain: r.chain,
    contractAddress: addressOf(r.contractId, r.chain),
    status: r.status,
    tokenCount: r.tokenCount,
    succeeded: r.succeeded,
    failed: r.failed,
    pending: r.pending,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    completedAt: r.completedAt,
  }
}

function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } })
}
