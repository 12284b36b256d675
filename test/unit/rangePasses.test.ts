import { describe, expect, it } from 'vitest'
import type { ChainEvent, NftRangeTransfer } from '../../src/core/events'
import { rangePasses } from '../../src/ingest/rangePasses'

const pos = { blockNumber: 1, blockHash: '0xb', timestamp: new Date(0), txHash: '0xt', logIndex: 0 }
const range = (from: bigint, to: bigint): NftRangeTransfer => ({
  kind: 'nft_range_transfer',
  standard: 'ERC721',
  contract: '0xc',
  fromTokenId: from,
  toTokenId: to,
  from: null,
  to: '0xa',
  pos,
})
const transfer: ChainEvent = { kind: 'nft_transfer', standard: 'ERC721', contract: '0xc', tokenId: 5n, from: '0xa', to: '0xb', pos }
const spans = (passes: ChainEvent[][]) => passes.map((p) => p.map((e) => (e.kind === 'nft_range_transfer' ? `${e.fromTokenId}-${e.toTokenId}` : e.kind)))

describe('rangePasses', () => {
  it('keeps a batch without ranges over the chunk as one pass', () => {
    expect(spans(rangePasses([range(0n, 9n), transfer], { chunk: 10, maxRange: 100n }))).toEqual([['0-9', 'nft_transfer']])
  })

  it('cuts a range over the chunk into consecutive passes covering every token, keeping event order', () => {
    const passes = rangePasses([transfer, range(0n, 24n), transfer, range(100n, 104n)], { chunk: 10, maxRange: 100n })
    expect(spans(passes)).toEqual([['nft_transfer', '0-9'], ['10-19'], ['20-24', 'nft_transfer', '100-104']])
  })

  it('leaves out and reports a range over maxRange, applying the rest', () => {
    const rejected: bigint[] = []
    const passes = rangePasses([range(0n, 2n ** 200n), transfer], { chunk: 10, maxRange: 1000n, onRejected: (_e, span) => rejected.push(span) })
    expect(spans(passes)).toEqual([['nft_transfer']])
    expect(rejected).toEqual([2n ** 200n + 1n])
  })
})
