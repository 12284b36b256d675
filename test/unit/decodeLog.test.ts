import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as erc20 from '../../src/abi/erc20'
import * as erc721 from '../../src/abi/erc721'
import { decodeLog, TOPICS, type EvmLog } from '../../src/chains/evm/decodeLog'

const pos = { blockNumber: 7, blockHash: '0xb', timestamp: new Date(0), txHash: '0xt', logIndex: 3 }
const hex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}`
const word = (body: string) => `0x${body.padStart(64, '0')}`
const addressWord = () => word(randomBytes(20).toString('hex').replace(/^./, 'A'))
const log = (topics: string[], data = '0x'): EvmLog => ({ address: '0xC0FFEE', topics: [TOPICS.transfer, ...topics], data, logIndex: 3, transactionHash: '0xt' })
const lower = (a: string) => (a === '0x0000000000000000000000000000000000000000' ? null : a.toLowerCase())

/** What the generic ABI decoder makes of a log, in decodeLog's event shape (or its error). */
function generic(l: EvmLog) {
  try {
    if (l.topics.length === 4) {
      const e = erc721.events.Transfer.decode(l)
      return { ok: true, event: { contract: '0xc0ffee', pos, kind: 'nft_transfer', standard: 'ERC721', tokenId: e.tokenId, from: lower(e.from), to: lower(e.to) } }
    }
    const e = erc20.events.Transfer.decode(l)
    return { ok: true, event: { contract: '0xc0ffee', pos, kind: 'ft_transfer', standard: 'ERC20', amount: e.value, from: lower(e.from), to: lower(e.to) } }
  } catch {
    return { ok: false }
  }
}

describe('decodeLog Transfer fast paths', () => {
  it('give the generic decoder’s result for well-formed ERC-721 and ERC-20 transfers', () => {
    const zero = word('')
    const cases = [
      log([addressWord(), addressWord(), hex(32)]),
      log([zero, addressWord(), word('0')]), // mint of token 0
      log([addressWord(), zero, word('ff')]), // burn
      log([addressWord(), addressWord(), hex(32)], hex(32)), // ERC-721 with trailing data: ignored
      log([addressWord(), addressWord()], hex(32)),
      log([zero, addressWord()], hex(64)), // ERC-20 with trailing data: first word only
    ]
    for (const l of cases) expect(decodeLog(l, pos)).toEqual(generic(l))
  })

  it('leave odd words to the generic decoder: its results and its failures stay', () => {
    const dirty = word('01' + '00'.repeat(11) + randomBytes(20).toString('hex')) // 12 top bytes not zero
    const cases = [
      log([dirty, addressWord(), hex(32)]),
      log([addressWord(), dirty], hex(32)),
      log([addressWord(), addressWord(), '0x01']), // short token id word
      log([addressWord(), addressWord()], '0x' + '00'.repeat(16)), // ERC-20 value shorter than a word
    ]
    for (const l of cases) {
      const r = decodeLog(l, pos)
      const g = generic(l)
      expect(r.ok).toBe(g.ok)
      if (g.ok) expect(r).toEqual(g)
    }
  })
})
