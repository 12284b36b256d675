// A refresh completes when its last pending item settles, also when two workers' settles finish
// its last items at the same moment (each transaction sees the other's items still pending until
// the other commits). Two real transactions on the test database interleave as two workers would.
import { describe, expect, it } from 'vitest'
import { tokenKey } from '../../../src/core/ids'
import { createRefresh, getRefresh } from '../../../src/store/refreshes'
import { settleRefreshItems, type CompletedRefresh } from '../../../src/store/refreshItems'
import { useTestDatabase } from '../../helpers/database'
import { seedCollection } from '../../helpers/fixtures'
import { waitFor } from '../../helpers/waitFor'

const db = useTestDatabase()
const CHAIN = 'eip155:31337'
const ADDRESS = '0x00000000000000000000000000000000000000c2'
const contractId = `${CHAIN}:${ADDRESS}`
const settled = (token: number) => [{ tokenRef: tokenKey(contractId, String(token)), claimedVersion: 1_000 }]

describe('refresh completion', () => {
  it('is recorded once when two settles finish the last two items concurrently', async () => {
    await seedCollection(db.ds.manager, { chain: CHAIN, address: ADDRESS, count: 2 })
    const { id } = await createRefresh(db.ds.manager, { surface: 'imx', chain: CHAIN, contractId, tokenIds: [0n, 1n] }, new Date())
    const first = db.ds.createQueryRunner()
    const second = db.ds.createQueryRunner()
    try {
      await first.startTransaction()
      await second.startTransaction()
      const [firstPid] = await first.query(`SELECT pg_backend_pid() AS pid`)
      const [secondPid] = await second.query(`SELECT pg_backend_pid() AS pid`)
      expect(await settleRefreshItems(first.manager, settled(0), new Date())).toEqual([])

      // The second settle either waits for the first transaction or has already decided.
      let decided: CompletedRefresh[] | undefined
      const secondSettle = settleRefreshItems(second.manager, settled(1), new Date()).then((c) => (decided = c))
      await waitFor('the second settle to wait for the first or to finish', async () => {
        if (decided) return true
        const [row] = await db.ds.query(`SELECT $2::int = ANY(pg_blocking_pids($1::int)) AS waits`, [secondPid.pid, firstPid.pid])
        return row.waits
      })
      await first.commitTransaction()
      const completed = await secondSettle
      await second.commitTransaction()

      expect(completed.map((c) => ({ id: c.id, tokenCount: c.tokenCount, failed: c.failed }))).toEqual([{ id, tokenCount: 2, failed: 0 }])
      expect(await getRefresh(db.ds, id)).toMatchObject({ status: 'COMPLETED', succeeded: 2, pending: 0 })
    } finally {
      await first.release()
      await second.release()
    }
  })
})
