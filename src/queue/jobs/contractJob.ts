import { PermanentError, RetryableError, isMetadataError } from '../../core/errors'
import { loadMetadata, type MetadataLoaderOptions } from '../../metadata/loadMetadata'
import type { JobContext, JobHandler } from '../runner'
import type { ClaimedJob, ContractReadResult, JobOutcome } from '../../core/jobOutcome'
import { politeFetch } from './politeFetch'
import { storedError } from '../../metadata/storedResult'
import type { TokenJobDeps } from './tokenJob'

/**
 * A contract job: confirm the standard (ERC-165 / Clarity interface), read name, symbol,
 * decimals and total supply, and fetch the contract-level metadata (ERC-7572 contractURI,
 * SIP-010 token URI). The contract document is one of the job's parts: when its host is busy,
 * cooling down or fails with a retryable error, the whole job is deferred or retried (nothing is
 * stored: the reads are made again next time). A document that fails for good, or still fails on
 * the job's last attempt, is recorded as the contract metadata's error beside the chain reads.
 */
export function contractJobHandler(deps: TokenJobDeps): JobHandler {
  return async (job: ClaimedJob, ctx: JobContext): Promise<JobOutcome> => {
    let host: string | null = job.host
    const polite = politeFetch(ctx.hostSlots, deps.hostCooldownMs)
    const loader: MetadataLoaderOptions = { ...deps.loader, lastAttempt: ctx.lastAttempt, withHost: (h, f) => ((host = h), polite(h, f)) }
    try {
      return { job, ok: true, kind: 'CONTRACT', host, contract: await readContract(job, deps, loader) }
    } catch (e) {
      const error = isMetadataError(e) ? e : new RetryableError('internal_error', 'contract job failed', { cause: e })
      return { job, ok: false, host, error }
    }
  }
}

async function readContract(job: ClaimedJob, deps: TokenJobDeps, loader: MetadataLoaderOptions): Promise<ContractReadResult> {
  if (!job.standard) throw new PermanentError('token_not_found', `contract ${job.contractId} is not indexed`)
  const reader = deps.readers.get(job.chain)
  if (!reader) throw new RetryableError('contract_call_unavailable', `no chain reader configured for ${job.chain}`)
  const address = job.contractId.slice(job.chain.length + 1)
  const reads = await reader.contractReads(address, job.standard)
  const result: ContractReadResult = { ...reads, uri: reads.contractUri ?? null }
  if (!reads.contractUri) return result
  try {
    const loaded = await loadMetadata(reads.contractUri, { standard: job.standard }, loader)
    return { ...result, resolvedUrl: loaded.resolvedUrl, normalized: loaded.normalized, raw: loaded.raw, warnings: loaded.warnings }
  } catch (e) {
    if (!isMetadataError(e)) throw e
    const final = !e.retryable || (loader.lastAttempt === true && e.code !== 'rate_limited')
    if (!final) throw e
    // The chain reads (name, symbol, decimals, supply) are worth serving even when the document
    // cannot be had; the error is recorded with them and the next refresh tries the URI again.
    return { ...result, metadataError: { ...storedError(e), retryable: e.retryable } }
  }
}
