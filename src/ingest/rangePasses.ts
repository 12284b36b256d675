import type { ChainEvent, NftRangeTransfer } from '../core/events'

export interface RangePassOptions {
  /** Most ConsecutiveTransfer tokens one pass loads, writes and enqueues (EVM_BATCH_MAX_TOKENS). */
  chunk: number
  /** Largest range applied at all (EVM_CONSECUTIVE_MAX_TOKENS); a log can claim any range. */
  maxRange: bigint
  /** Called for each range over maxRange, which is left out. */
  onRejected?: (e: NftRangeTransfer, span: bigint) => void
}

/**
 * Splits a batch's events into passes, in order, so that no pass holds more than `chunk` tokens
 * of ERC-2309 ranges: a range over the chunk is cut into consecutive sub-ranges, each applied
 * (tokens, owners, jobs) by its own pass. Every token of the range is written; memory and
 * statement sizes stay bounded by the chunk. Passes run in the same batch transaction, each
 * seeing what the previous ones wrote, so the result equals applying the events in one go.
 */
export function rangePasses(events: readonly ChainEvent[], opts: RangePassOptions): ChainEvent[][] {
  const passes: ChainEvent[][] = []
  let current: ChainEvent[] = []
  let load = 0n
  const chunk = BigInt(opts.chunk)
  const flush = () => {
    if (current.length > 0) passes.push(current)
    current = []
    load = 0n
  }
  for (const e of events) {
    if (e.kind !== 'nft_range_transfer') {
      current.push(e)
      continue
    }
    const span = e.toTokenId - e.fromTokenId + 1n
    if (span <= 0n) continue // an empty (reversed) range moves nothing
    if (span > opts.maxRange) {
      opts.onRejected?.(e, span)
      continue
    }
    for (let lo = e.fromTokenId; lo <= e.toTokenId;) {
      if (load >= chunk) flush()
      const hi = min(e.toTokenId, lo + (chunk - load) - 1n)
      current.push({ ...e, fromTokenId: lo, toTokenId: hi })
      load += hi - lo + 1n
      lo = hi + 1n
    }
  }
  flush()
  return passes
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b
}
