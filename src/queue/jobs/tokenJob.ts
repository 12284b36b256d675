import type { ChainReader, ChainReaders } from '../../core/chainReader'
import { PermanentError, RetryableError, isMetadataError } from '../../core/errors'
import { isFungible } from '../../core/standards'
import { loadMetadata, type LoadedMetadata, type MetadataLoaderOptions } from '../../metadata/loadMetadata'
import type { NormalizedMetadata } from '../../metadata/types'
import type { JobContext, JobHandler } from '../runner'
import type { ClaimedJob, JobOutcome, TokenFetchResult } from '../../core/jobOutcome'
import { toResult } from '../../metadata/storedResult'
import { politeFetch } from './politeFetch'

export interface TokenJobDeps {
  readers: ChainReaders
  loader: Omit<MetadataLoaderOptions, 'withHost'>
  /** Host pause after a 429 without Retry-After. */
  hostCooldownMs: number
}

/**
 * A token job: read the token URI from the chain, then resolve, fetch and normalise it.
 * Fungible tokens (one row per contract) take their metadata from the contract: SIP-010
 * get-token-uri / ERC-7572 contractURI when present, with name, symbol and decimals read from
 * the chain filling what the document leaves out.
 */
export function tokenJobHandler(deps: TokenJobDeps): JobHandler {
  return async (job: ClaimedJob, ctx: JobContext): Promise<JobOutcome> => {
    let host: string | null = job.host
    const polite = politeFetch(ctx.hostSlots, deps.hostCooldownMs)
    const loader: MetadataLoaderOptions = {
      ...deps.loader,
      lastAttempt: ctx.lastAttempt,
      timeoutMs: ctx.fetchTimeoutMs ?? deps.loader.timeoutMs,
      retried: ctx.retried,
      withHost: (h, fetch) => {
        host = h
        return polite(h, fetch)
      },
    }
    // The chain's token URI, once read: a failure later on is recorded under it, not under the
    // URL where the fetch failed (that one belongs to the error).
    const read: { uri?: string | null } = {}
    try {
      const token = await fetchToken(job, deps, loader, read)
      return { job, ok: true, kind: 'TOKEN', host, token }
    } catch (e) {
      const error = isMetadataError(e) ? e : new RetryableError('internal_error', 'token job failed', { cause: e })
      return { job, ok: false, host, error, uri: read.uri }
    }
  }
}

async function fetchToken(job: ClaimedJob, deps: TokenJobDeps, loader: MetadataLoaderOptions, read: { uri?: string | null }): Promise<TokenFetchResult> {
  const { address, tokenId } = parseTokenRef(job)
  const standard = job.standard
  if (!standard) throw new PermanentError('token_not_found', `contract ${job.contractId} is not indexed`)
  const reader = deps.readers.get(job.chain)
  if (!reader) throw new RetryableError('contract_call_unavailable', `no chain reader configured for ${job.chain}`)
  const ctx = { tokenId, standard }
  if (isFungible(standard)) {
    const reads = await reader.contractReads(address, standard)
    const fromChain: NormalizedMetadata = clean({ name: reads.name ?? undefined, decimals: reads.decimals ?? undefined })
    if (!reads.contractUri) return toResult(null, inlineResult(fromChain), reads.symbol)
    read.uri = reads.contractUri
    const loaded = await loadMetadata(reads.contractUri, ctx, loader)
    return toResult(reads.contractUri, { ...loaded, normalized: { ...fromChain, ...loaded.normalized } }, reads.symbol)
  }
  // SIP-013 decimals are per token id (get-decimals), read beside the URI; the chain's value
  // wins over a document's. A contract without the function simply has none.
  const [uri, decimals] = await Promise.all([reader.tokenUri(address, tokenId, standard), standard === 'SIP013' ? sftDecimals(reader, address, tokenId) : null])
  read.uri = uri
  if (uri === null || uri.trim() === '') throw new PermanentError('uri_missing', `the contract returned no token URI for ${tokenId}`)
  const loaded = await loadMetadata(uri, ctx, loader)
  return toResult(uri, decimals === null ? loaded : { ...loaded, normalized: { ...loaded.normalized, decimals } })
}

async function sftDecimals(reader: ChainReader, address: string, tokenId: bigint): Promise<number | null> {
  try {
    return (await reader.tokenDecimals?.(address, tokenId, 'SIP013')) ?? null
  } catch (e) {
    if (e instanceof PermanentError) return null
    throw e
  }
}

function parseTokenRef(job: ClaimedJob): { address: string; tokenId: bigint } {
  const ref = job.tokenRef ?? ''
  const prefix = `${job.contractId}:`
  if (!ref.startsWith(prefix)) throw new PermanentError('token_not_found', `malformed token reference ${ref}`)
  return { address: job.contractId.slice(job.chain.length + 1), tokenId: BigInt(ref.slice(prefix.length)) }
}

function inlineResult(normalized: NormalizedMetadata): LoadedMetadata {
  return { resolvedUrl: 'chain', host: null, contentHash: '', normalized, raw: null, locales: [], failedLocales: [], warnings: [] }
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

/** The normaliser's shape mapped to storage columns. */
