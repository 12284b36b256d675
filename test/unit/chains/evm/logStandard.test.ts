import { encodeAbiParameters } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeLog, TOPICS, type EvmLog } from '../../../../src/chains/evm/decodeLog'
import type { EventPosition } from '../../../../src/core/events'

// On EVM chains the processor learns a contract's standard from the logs it emits: the event
// signature and, for the Transfer signature shared by ERC-20 and ERC-721, the number of indexed
// topics (ERC-721 indexes the token id, ERC-20 keeps the value in the data).

const POS: EventPosition = { blockNumber: 7, blockHash: '0xb', timestamp: new Date(0), txHash: '0xt', logIndex: 3 }
const CONTRACT = '0xc0ffee0000000000000000000000000000c0ffee'
const ALICE = '0x00000000000000000000000000000000000a11ce'
const BOB = '0x0000000000000000000000000000000000000b0b'
const ZERO = '0x0000000000000000000000000000000000000000'
const word = (value: bigint | string): string => '0x' + (typeof value === 'bigint' ? value.toString(16) : value.slice(2)).padStart(64, '0')

function log(topics: string[], data = '0x'): EvmLog {
  return { address: CONTRACT.toUpperCase().replace('0X', '0x'), topics, data, logIndex: 3, transactionHash: '0xt' }
}

describe('EVM standard from logs', () => {
  it('reads a Transfer with three indexed arguments as an ERC-721 transfer, addresses lowercased', () => {
    const l = log([TOPICS.transfer, word(ALICE), word(BOB), word(42n)])
    expect(decodeLog(l, POS)).toEqual({ ok: true, event: { contract: CONTRACT, pos: POS, kind: 'nft_transfer', standard: 'ERC721', tokenId: 42n, from: ALICE, to: BOB } })
  })

  it('reads a Transfer with two indexed arguments and the value in the data as an ERC-20 transfer', () => {
    const l = log([TOPICS.transfer, word(ALICE), word(BOB)], word(10n ** 24n))
    expect(decodeLog(l, POS)).toEqual({ ok: true, event: { contract: CONTRACT, pos: POS, kind: 'ft_transfer', standard: 'ERC20', amount: 10n ** 24n, from: ALICE, to: BOB } })
  })

  it('reads the zero address as a mint on the sending side and a burn on the receiving side', () => {
    expect(decodeLog(log([TOPICS.transfer, word(ZERO), word(BOB), word(1n)]), POS)).toMatchObject({ ok: true, event: { from: null, to: BOB } })
    expect(decodeLog(log([TOPICS.transfer, word(ALICE), word(ZERO)], word(5n)), POS)).toMatchObject({ ok: true, event: { from: ALICE, to: null, standard: 'ERC20' } })
  })

  it('skips a Transfer with only the signature topic (an unindexed, non-standard Transfer)', () => {
    const data = encodeAbiParameters([{ type: 'address' }, { type: 'address' }, { type: 'uint256' }], [ALICE, BOB, 1n])
    expect(decodeLog(log([TOPICS.transfer], data), POS)).toEqual({
      ok: false,
      skipped: { contract: CONTRACT, pos: POS, reason: `unexpected topic count 1 for ${TOPICS.transfer}` },
    })
  })

  it('skips an ERC-20 shaped Transfer without a value word as undecodable', () => {
    const r = decodeLog(log([TOPICS.transfer, word(ALICE), word(BOB)]), POS)
    expect(r.ok).toBe(false)
    expect(!r.ok && r.skipped.reason.startsWith('undecodable transfer: ')).toBe(true)
  })

  it('reads a TransferSingle as an ERC-1155 movement of one id', () => {
    const data = encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [7n, 3n])
    const l = log([TOPICS.transferSingle, word(ALICE), word(ZERO), word(BOB)], data)
    expect(decodeLog(l, POS)).toEqual({
      ok: true,
      event: { contract: CONTRACT, pos: POS, kind: 'multi_transfer', standard: 'ERC1155', ids: [7n], amounts: [3n], from: null, to: BOB },
    })
  })

  it('reads a TransferBatch as an ERC-1155 movement of several ids', () => {
    const data = encodeAbiParameters(
      [{ type: 'uint256[]' }, { type: 'uint256[]' }],
      [
        [1n, 2n],
        [10n, 20n],
      ],
    )
    const l = log([TOPICS.transferBatch, word(ALICE), word(ALICE), word(BOB)], data)
    expect(decodeLog(l, POS)).toEqual({
      ok: true,
      event: { contract: CONTRACT, pos: POS, kind: 'multi_transfer', standard: 'ERC1155', ids: [1n, 2n], amounts: [10n, 20n], from: ALICE, to: BOB },
    })
  })

  it('skips a TransferBatch whose id and value lists differ in length', () => {
    const data = encodeAbiParameters([{ type: 'uint256[]' }, { type: 'uint256[]' }], [[1n, 2n], [10n]])
    const r = decodeLog(log([TOPICS.transferBatch, word(ALICE), word(ALICE), word(BOB)], data), POS)
    expect(r).toEqual({ ok: false, skipped: { contract: CONTRACT, pos: POS, reason: 'undecodable transferBatch: 2 ids but 1 values' } })
  })

  it('skips a TransferSingle without the operator topic', () => {
    const data = encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [7n, 3n])
    expect(decodeLog(log([TOPICS.transferSingle, word(ZERO), word(BOB)], data), POS)).toEqual({
      ok: false,
      skipped: { contract: CONTRACT, pos: POS, reason: `unexpected topic count 3 for ${TOPICS.transferSingle}` },
    })
  })

  it('reads an ERC-2309 ConsecutiveTransfer (last id in the data) as an ERC-721 range', () => {
    const l = log([TOPICS.consecutiveTransfer, word(0n), word(ZERO), word(BOB)], word(9n))
    expect(decodeLog(l, POS)).toEqual({
      ok: true,
      event: { contract: CONTRACT, pos: POS, kind: 'nft_range_transfer', standard: 'ERC721', fromTokenId: 0n, toTokenId: 9n, from: null, to: BOB },
    })
  })

  it('skips a ConsecutiveTransfer whose range runs backwards', () => {
    const r = decodeLog(log([TOPICS.consecutiveTransfer, word(9n), word(ZERO), word(BOB)], word(0n)), POS)
    expect(r).toEqual({ ok: false, skipped: { contract: CONTRACT, pos: POS, reason: 'undecodable consecutiveTransfer: toTokenId below fromTokenId' } })
  })

  it('skips a log with an unknown signature', () => {
    const other = word(0xdeadn)
    expect(decodeLog(log([other]), POS)).toEqual({ ok: false, skipped: { contract: CONTRACT, pos: POS, reason: `unexpected topic count 1 for ${other}` } })
  })
})
