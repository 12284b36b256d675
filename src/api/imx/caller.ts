import type { IncomingHttpHeaders } from 'node:http'
import { isMetadataError } from '../../core/errors'
import { keysBoundTo, type ApiKeyRecord } from '../../store/apiKeys'
import type { RefreshSummary } from '../../store/refreshes'
import { mayRefresh, visibleContracts } from '../auth/apiKeyAuth'
import { checkImxSignature, hasImxAuthHeaders } from '../auth/imxSignature'
import type { ApiContext } from '../context'
import { requireKey, RefreshFailure } from '../refresh/failures'
import { addressOf } from '../refresh/refreshService'

/**
 * Who calls an Immutable X refresh route: an API key (`x-immutable-api-key` / Bearer), or a
 * project owner proving an address with the `x-imx-eth-*` signature headers (seeds/003). A
 * request carrying any of those headers is judged by them alone.
 *
 * An owner may refresh a collection when
 *   1. a live API key bound to its address (`token-metadata keys create --eth-address`) covers
 *      the collection: the refresh is that key's (its budget); the chain is not asked; or else
 *   2. the collection contract's `owner()` is that address (CollectionOwners, cached): the
 *      refresh is charged to the address's own budget.
 * The binding is checked first, so it wins: an operator can let an address refresh a collection
 * whose on-chain owner is someone else (a multisig that cannot sign), and a bound key keeps
 * working after an ownership transfer. Revoking the key ends the binding.
 */
export type ImxCaller = { kind: 'key'; key: ApiKeyRecord } | { kind: 'owner'; address: string; bound: ApiKeyRecord[] }

/** What a refresh is made with: the key it is charged to (null = the owner's own budget) and the signing owner. */
export interface ImxGrant {
  key: ApiKeyRecord | null
  owner?: string
}

export async function imxCaller(ctx: ApiContext, headers: IncomingHttpHeaders): Promise<ImxCaller> {
  if (!hasImxAuthHeaders(headers)) return { kind: 'key', key: await requireKey(ctx, headers, 'immutable') }
  const check = await checkImxSignature(headers, ctx.config.IMX_SIGNATURE_WINDOW_SECONDS, new Date())
  if (!check.ok) throw new RefreshFailure('unauthorized', check.message)
  return { kind: 'owner', address: check.address, bound: await ctx.store.run(keysBoundTo, check.address) }
}

/** The grant to refresh a collection, or a forbidden failure. */
export async function grantFor(ctx: ApiContext, caller: ImxCaller, chain: string, contractId: string, what = 'refresh'): Promise<ImxGrant> {
  const address = addressOf(contractId, chain)
  if (caller.kind === 'key') {
    if (!mayRefresh(caller.key, contractId)) throw new RefreshFailure('forbidden', `this API key may not ${what} collection ${address}`)
    return { key: caller.key }
  }
  const bound = caller.bound.find((k) => mayRefresh(k, contractId))
  if (bound) return { key: bound, owner: caller.address }
  const owner = await chainOwner(ctx, chain, address)
  if (owner !== caller.address) {
    throw new RefreshFailure(
      'forbidden',
      `${caller.address} is not the project owner of collection ${address} (its owner() is ${owner ?? 'not available'}, and no API key binds the address to it)`,
    )
  }
  return { key: null, owner: caller.address }
}

/** Whether the caller may see a refresh: its own, or one of a collection it may refresh. */
export async function callerSees(ctx: ApiContext, caller: ImxCaller, r: RefreshSummary): Promise<boolean> {
  if (caller.kind === 'key') return mayRefresh(caller.key, r.contractId)
  if (r.requestedBy === caller.address || caller.bound.some((k) => mayRefresh(k, r.contractId))) return true
  return (await chainOwner(ctx, r.chain, addressOf(r.contractId, r.chain))) === caller.address
}

/** The collections whose refreshes a listing shows (null = all), plus the owner's own requests. */
export function listScope(caller: ImxCaller, chain: string): { contracts: string[] | null; requestedBy?: string } {
  if (caller.kind === 'key') return { contracts: visibleContracts(caller.key, chain) }
  if (caller.bound.some((k) => k.admin)) return { contracts: null }
  return { contracts: [...new Set(caller.bound.flatMap((k) => visibleContracts(k, chain) ?? []))], requestedBy: caller.address }
}

async function chainOwner(ctx: ApiContext, chain: string, address: string): Promise<string | null> {
  try {
    return await ctx.owners.ownerOf(chain, address)
  } catch (e) {
    if (!isMetadataError(e)) throw e
    ctx.log.warn({ err: e, chain, address }, 'owner() could not be read')
    throw new RefreshFailure('unavailable', `the owner of collection ${address} could not be read from the chain; try again shortly`, { headers: { 'retry-after': '5' } })
  }
}
