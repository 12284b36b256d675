import { randomBytes } from 'node:crypto'
import { DataSource } from 'typeorm'
import { afterAll, beforeAll, inject } from 'vitest'
import { openDataSource } from '../../src/store/dataSource'
import { cloneDatabase, dropDatabase } from './postgres'

export interface TestDatabase {
  /** Connection URL of this test's own database. */
  url: string
  name: string
  ds: DataSource
  drop(): Promise<void>
}

/** A fresh, migrated database cloned from the run's template; independent of every other test. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl')
  const name = `tms_test_${randomBytes(6).toString('hex')}`
  const url = await cloneDatabase(adminUrl, name, inject('pgTemplate'))
  const ds = await openDataSource(url, 5)
  return {
    url,
    name,
    ds,
    async drop() {
      await ds.destroy().catch(() => {})
      await dropDatabase(adminUrl, name)
    },
  }
}

/**
 * vitest wrapper: one database for the file (created in beforeAll, dropped in afterAll).
 * Returns an object whose fields are filled once beforeAll has run.
 */
export function useTestDatabase(): TestDatabase {
  const holder = {} as TestDatabase
  let db: TestDatabase | undefined
  beforeAll(async () => {
    db = await createTestDatabase()
    Object.assign(holder, db)
  })
  afterAll(async () => {
    await db?.drop()
  })
  return holder
}

/**
 * The SQD Cloud Postgres add-on's variables (DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASS)
 * for a database URL: processes given these, and no DATABASE_URL, take the add-on path.
 */
export function addonEnvFor(url: string): Record<string, string> {
  const u = new URL(url)
  return {
    DB_HOST: u.hostname,
    DB_PORT: u.port || '5432',
    DB_NAME: decodeURIComponent(u.pathname.slice(1)),
    DB_USER: decodeURIComponent(u.username),
    DB_PASS: decodeURIComponent(u.password),
  }
}
