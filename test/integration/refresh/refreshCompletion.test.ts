// A refresh completes when its last pending item settles, also when two workers' settles finish
// its last items at the same moment (each transaction sees the other's items still pending until
// the other commits). Two real transactions on the test database interleave as two workers would.
import { describe, expect, it } from 'vitest'
import { tokenKey } from '../../../src/core/ids'
import { createRefresh, getRefresh } from '../../../src/store/refreshes'
import { settleRefreshItems } from '../../../src/store/refreshItems'
import { useTestDatabase } from '../../helpers/database'
import { seedCollection } from '../../helpers/fixtures'
import { startBehind, withRacingTransactions } from '../../helpers/racingTransactions'

const db = useTestDatabase()
const CHAIN = 'eip155:31337'
const ADDRESS = '0x00000000000000000000000000000000000000c2'
const contractId = `${CHAIN}:${ADDRESS}`
const settled = (token: number) => [{ tokenRef: tokenKey(contractId, String(token)), claimedVersion: 1_000 }]

describe('refresh completion', () => {
  it('is recorded once when two settles finish the last two items concurrently', async () => {
    await seedCollection(db.ds.manager, { chain: CHAIN, address: ADDRESS, count: 2 })
    const { id } = await createRefresh(db.ds.manager, { surface: 'imx', chain: CHAIN, contractId, tokenIds: [0n, 1n] }, new Date())
    await withRacingTransactions(db.ds, 2, async ([first, second]) => {
      expect(await settleRefreshItems(first!.runner.manager, settled(0), new Date())).toEqual([])
      // The second settle either waits for the first transaction or has already decided.
      const secondSettle = await startBehind(db.ds, first!, second!, () => settleRefreshItems(second!.runner.manager, settled(1), new Date()))
      await first!.runner.commitTransaction()
      const completed = await secondSettle.outcome
      await second!.runner.commitTransaction()

      if (!completed.ok) throw completed.error
      expect(completed.value.map((c) => ({ id: c.id, tokenCount: c.tokenCount, failed: c.failed }))).toEqual([{ id, tokenCount: 2, failed: 0 }])
      expect(await getRefresh(db.ds, id)).toMatchObject({ status: 'COMPLETED', succeeded: 2, pending: 0 })
    })
  })
})
