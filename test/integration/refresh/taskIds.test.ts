// Sequence task ids come from refresh.task_id, an identity column (migration RefreshTaskIds).
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createRefresh, getRefresh, refreshIdForTask } from '../../../src/store/refreshes'
import { useTestDatabase } from '../../helpers/database'
import { seedCollection } from '../../helpers/fixtures'

const db = useTestDatabase()
const CHAIN = 'eip155:31337'
const ADDRESS = '0x00000000000000000000000000000000000000a1'
const contractId = `${CHAIN}:${ADDRESS}`

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RefreshTaskIds = require(path.resolve(__dirname, '../../../db/migrations/1796600000000-RefreshTaskIds.js')) as new () => {
  up(q: unknown): Promise<void>
  down(q: unknown): Promise<void>
}

describe('refresh task ids', () => {
  it('are distinct safe integers from 2^48 up, each finding its refresh', async () => {
    await seedCollection(db.ds.manager, { chain: CHAIN, address: ADDRESS, count: 3 })
    const made = []
    for (let i = 0; i < 3; i++) made.push(await createRefresh(db.ds.manager, { surface: 'sequence', chain: CHAIN, contractId, tokenIds: [BigInt(i)] }, new Date()))
    const ids = made.map((m) => m.taskId)
    expect(new Set(ids).size).toBe(3)
    for (const t of ids) expect(Number.isSafeInteger(t) && t >= 2 ** 48).toBe(true)
    for (const m of made) {
      expect(await refreshIdForTask(db.ds, m.taskId)).toBe(m.id)
      expect((await getRefresh(db.ds, m.id))?.taskId).toBe(m.taskId)
    }
    expect(await refreshIdForTask(db.ds, 2 ** 60)).toBeUndefined()
  })

  it('keep the first 48 bits of the refresh id for refreshes made before the migration', async () => {
    const runner = db.ds.createQueryRunner()
    try {
      const migration = new RefreshTaskIds()
      await migration.down(runner)
      await runner.query(
        `INSERT INTO refresh (id, surface, chain, contract_id, status, token_count, created_at)
         VALUES ('ffffffff-ffff-4fff-bfff-ffffffffffff', 'sequence', $1, $2, 'COMPLETED', 0, now()),
                ('00000000-0001-4000-8000-000000000000', 'sequence', $1, $2, 'COMPLETED', 0, now())`,
        [CHAIN, contractId],
      )
      await migration.up(runner)
    } finally {
      await runner.release()
    }
    expect(await refreshIdForTask(db.ds, 2 ** 48 - 1)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff')
    expect(await refreshIdForTask(db.ds, 1)).toBe('00000000-0001-4000-8000-000000000000')
    const next = await createRefresh(db.ds.manager, { surface: 'sequence', chain: CHAIN, contractId, tokenIds: [] }, new Date())
    expect(next.taskId).toBeGreaterThanOrEqual(2 ** 48)
    expect((await getRefresh(db.ds, next.id))?.status).toBe('COMPLETED')
  })
})
