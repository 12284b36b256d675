import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client } from 'pg'
import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgres } from '../../src/lib/embeddedPostgres'
import { migrate, openDataSource } from '../../src/store/dataSource'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server URL whose database we may CREATE DATABASE from (admin rights). */
    pgAdminUrl: string
    /** Name of the migrated template database that each test database is cloned from. */
    pgTemplate: string
  }
}

/**
 * One Postgres for the whole run: DATABASE_URL when set, else an embedded server in a temp dir.
 * Migrations run once, into a template database; test files clone it (CREATE DATABASE … TEMPLATE
 * takes ~100 ms), so every file gets an isolated, migrated database.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Tests that start real processes (processors, workers, the CLI, npm run dev) run lib/. tsc
  // emits even when a file has type errors; `npm test` type-checks before vitest runs.
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'pipe' })
  } catch (e) {
    process.stderr.write(`tsc reported errors (lib/ was still emitted):\n${String((e as { stdout?: Buffer }).stdout ?? e)}\n`)
  }
  let stop = async () => {}
  let adminUrl = process.env.DATABASE_URL
  if (!adminUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-test-pg-'))
    fs.chmodSync(dir, 0o755) // as root, Postgres runs as the postgres user and must reach it
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), ephemeral: true })
    adminUrl = pg.url
    stop = async () => {
      await pg.stop()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  const template = `tms_template_${process.pid}`
  await recreateDatabase(adminUrl, template)
  const ds = await openDataSource(withDatabase(adminUrl, template), 2)
  await migrate(ds)
  await ds.destroy()
  project.provide('pgAdminUrl', adminUrl)
  project.provide('pgTemplate', template)
  return async () => {
    await dropDatabase(adminUrl, template).catch(() => {})
    await stop()
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  await dropDatabase(adminUrl, name)
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`)
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}
