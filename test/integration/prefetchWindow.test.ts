// The prefetch window over the real block source and the simulator's HTTP routes: what a failed
// fetch costs, and the order blocks leave in.
import { Cl } from '@stacks/transactions'
import { beforeAll, describe, expect, it } from 'vitest'
import { createStacksBlockSource } from '../../src/chains/stacks/blockSource'
import { PrefetchWindow } from '../../src/chains/stacks/prefetchWindow'
import { simTx } from '../../devnet/stacks/simulator'
import { useStacksSimulator } from '../helpers/stacksSimulator'

const stacks = useStacksSimulator()
let first = 0

beforeAll(async () => {
  const { sim } = stacks
  first = sim.tip().height + 1
  for (let i = 0; i < 12; i++) await sim.mineBlock([simTx.call(sim.contracts.nft, 'mint', [Cl.principal(sim.accounts.wallet_1)], sim.accounts.deployer)])
})

const transactionReads = (hash: string) => stacks.sim.requests.filter((r) => r.path.startsWith(`/extended/v2/blocks/${hash}/transactions`) && r.status === 200).length

describe('PrefetchWindow', () => {
  it('hands out blocks in height order; a block whose fetch failed is fetched again alone, its neighbours are kept', async () => {
    const { sim } = stacks
    const tip = sim.tip().height
    const source = createStacksBlockSource({ baseUrl: sim.url, retry: { retries: 0 } })
    const broken = (await source.getBlock(first + 4))!
    sim.faults.add({ status: 503, times: 1, path: `/extended/v2/blocks/${broken.indexBlockHash}/transactions` })
    const window = new PrefetchWindow(source, 8, first, tip)

    const heights: number[] = []
    let failure: unknown
    while (heights.length < tip - first + 1) {
      try {
        for (const b of await window.take(3)) heights.push(b.height)
      } catch (e) {
        failure = e
      }
    }
    expect(failure).toMatchObject({ status: 503 })
    expect(heights).toEqual(Array.from({ length: tip - first + 1 }, (_, i) => first + i))
    expect(sim.faults.pending).toBe(0)
    for (let h = first; h <= tip; h++) {
      const header = (await source.getBlock(h))!
      expect({ h, reads: transactionReads(header.indexBlockHash) }).toEqual({ h, reads: 1 })
    }
    expect(await window.take(3)).toEqual([]) // past the tip
  })
})
