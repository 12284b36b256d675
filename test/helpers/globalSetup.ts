import { execFileSync } from 'node:child_process'
import type { TestProject } from 'vitest/node'
import { createMigratedDatabase, dropDatabase, startPostgres } from './postgres'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server URL whose database we may CREATE DATABASE from (admin rights). */
    pgAdminUrl: string
    /** Name of the migrated template database that each test database is cloned from. */
    pgTemplate: string
  }
}

/**
 * One Postgres for the whole run: DATABASE_URL when set, else an embedded server in a temp dir
 * (test/helpers/postgres.ts, shared with the drills and the benchmarks).
 * Migrations run once, into a template database; test files clone it (CREATE DATABASE … TEMPLATE
 * takes ~100 ms), so every file gets an isolated, migrated database.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Tests that start real processes (processors, workers, the CLI) run lib/; the devnet's own
  // build (.cache/devnet, npm run dev's entry point) is walked by productionImports.test.ts. tsc
  // emits even when a file has type errors; `npm test` type-checks before vitest runs.
  for (const [tsconfig, output] of [
    ['tsconfig.json', 'lib/'],
    ['devnet/tsconfig.json', '.cache/devnet/'],
  ]) {
    try {
      execFileSync('npx', ['tsc', '-p', tsconfig], { stdio: 'pipe' })
    } catch (e) {
      process.stderr.write(`tsc -p ${tsconfig} reported errors (${output} was still emitted):\n${String((e as { stdout?: Buffer }).stdout ?? e)}\n`)
    }
  }
  const pg = await startPostgres()
  const adminUrl = pg.adminUrl
  const template = `tms_template_${process.pid}`
  await createMigratedDatabase(adminUrl, template)
  project.provide('pgAdminUrl', adminUrl)
  project.provide('pgTemplate', template)
  return async () => {
    try {
      await dropDatabase(adminUrl, template)
    } finally {
      await pg.stop()
    }
  }
}
