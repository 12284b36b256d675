import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it, inject } from 'vitest'
import { migrate, openDataSource } from '../../src/store/dataSource'
import { adminQuery, withDatabase } from '../helpers/postgres'

const name = `tms_mig_${randomBytes(4).toString('hex')}`

afterAll(async () => {
  await adminQuery(inject('pgAdminUrl'), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
})

describe('migrations', () => {
  it('apply to an empty database, revert completely with down(), and apply again', async () => {
    await adminQuery(inject('pgAdminUrl'), `CREATE DATABASE "${name}"`)
    const ds = await openDataSource(withDatabase(inject('pgAdminUrl'), name), 2)
    try {
      const tables = async () =>
        (await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY 1`)).map((r: { tablename: string }) => r.tablename)
      const applied = await migrate(ds)
      expect(applied.length).toBeGreaterThanOrEqual(2)
      expect(await tables()).toEqual(expect.arrayContaining(['contract', 'token', 'token_metadata', 'metadata_job', 'counter', 'counter_delta']))

      for (let i = 0; i < applied.length; i++) await ds.undoLastMigration({ transaction: 'each' })
      expect(await tables()).toEqual([])
      const leftovers = await ds.query(`SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`)
      expect(leftovers).toEqual([])

      expect(await migrate(ds)).toEqual(applied)
    } finally {
      await ds.destroy()
    }
  })
})
