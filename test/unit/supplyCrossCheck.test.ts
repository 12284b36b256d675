import { describe, expect, it } from 'vitest'
import { crossCheckSupplies, type SupplyCrossCheckDeps, type SupplyMismatch } from '../../src/chains/stacks/supplyCrossCheck'

function deps(opts: { tips: number[]; indexed: number; chain: Record<string, bigint | null> }): SupplyCrossCheckDeps & { reported: SupplyMismatch[] } {
  const tips = [...opts.tips]
  const reported: SupplyMismatch[] = []
  return {
    reported,
    tipHeight: async () => tips.shift() ?? -1,
    indexedHeight: async () => opts.indexed,
    trackedSupplies: async () => [
      { contractId: 'c:A.a', address: 'A.a', supply: 10n },
      { contractId: 'c:A.b', address: 'A.b', supply: 7n },
    ],
    chainSupply: async (address) => opts.chain[address],
    onMismatch: (m) => reported.push(m),
  }
}

describe('crossCheckSupplies', () => {
  it('reports each supply that differs from the chain read at the same height', async () => {
    const d = deps({ tips: [5, 5], indexed: 5, chain: { 'A.a': 10n, 'A.b': 9n } })
    expect(await crossCheckSupplies(d)).toMatchObject({ judged: true, checked: 2 })
    expect(d.reported).toEqual([{ contractId: 'c:A.b', address: 'A.b', supply: 7n, chainSupply: 9n, height: 5 }])
  })

  it('does not judge while the processor is behind the tip', async () => {
    const d = deps({ tips: [6, 6], indexed: 5, chain: { 'A.a': 1n, 'A.b': 1n } })
    expect(await crossCheckSupplies(d)).toMatchObject({ judged: false })
    expect(d.reported).toEqual([])
  })

  it('does not judge when the chain moved during the reads', async () => {
    const d = deps({ tips: [5, 6], indexed: 5, chain: { 'A.a': 1n, 'A.b': 1n } })
    expect(await crossCheckSupplies(d)).toMatchObject({ judged: false, reason: 'the chain moved during the round' })
    expect(d.reported).toEqual([])
  })

  it('skips a contract without get-total-supply', async () => {
    const d = deps({ tips: [5, 5], indexed: 5, chain: { 'A.a': null, 'A.b': 7n } })
    expect(await crossCheckSupplies(d)).toMatchObject({ judged: true, mismatches: [] })
  })
})
