import { describe, expect, it } from 'vitest'
import type { ApiTxMultiple } from '../../src/chains/stacks/apiTypes'
import { TxLookupBatcher } from '../../src/chains/stacks/txLookupBatcher'
import { RequestBudget } from '../../src/lib/requestBudget'

/** Answers every id as not found, and records the ids of each request. */
function recorder() {
  const requests: string[][] = []
  const fetchMany = async (ids: string[]): Promise<ApiTxMultiple> => {
    requests.push(ids)
    return Object.fromEntries(ids.map((id) => [id, { found: false, result: { tx_id: id } }])) as ApiTxMultiple
  }
  return { requests, fetchMany }
}

describe('TxLookupBatcher', () => {
  it('ids asked for while the budget has no token leave together, lowest priority first, at most maxIds a request', async () => {
    const clock = { now: 0 }
    const budget = new RequestBudget({ perMinute: 60, now: () => clock.now, sleep: async (ms) => void (clock.now += ms) })
    await budget.take() // spend the burst: the batcher has to wait for its first token
    const r = recorder()
    const batcher = new TxLookupBatcher(r.fetchMany, 3, budget)
    const answers = await Promise.all([batcher.lookup(['c1', 'c2'], 30), batcher.lookup(['a1'], 10), batcher.lookup(['b1', 'b2'], 20)])
    expect(r.requests).toEqual([
      ['a1', 'b1', 'b2'],
      ['c1', 'c2'],
    ])
    expect([...answers[1].keys()]).toEqual(['a1'])
  })

  it('a failed request fails every lookup it carried', async () => {
    const batcher = new TxLookupBatcher(async () => {
      throw new Error('HTTP 500')
    }, 10)
    await expect(Promise.all([batcher.lookup(['x'], 1), batcher.lookup(['y'], 2)])).rejects.toThrow('HTTP 500')
  })
})
