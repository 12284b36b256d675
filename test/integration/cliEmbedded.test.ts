/**
 * `token-metadata keys` without DATABASE_URL: the embedded Postgres under DATA_DIR is created,
 * migrated and stopped by each command, or joined (and left running) when a server already
 * holds the directory, as under `npm run dev`.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client } from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main'
import { startEmbeddedPostgres } from '../../src/lib/embeddedPostgres'

interface CliRun {
  code: number
  stdout: string
  stderr: string
}

async function cli(argv: string[], env: Record<string, string>): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env })
  return { code, stdout, stderr }
}

let dir: string
let dataDir: string

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-cli-'))
  fs.chmodSync(dir, 0o755) // as root, Postgres runs as the postgres user and must reach it
  dataDir = path.join(dir, 'data')
})

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('keys commands on the embedded Postgres', () => {
  it('start, migrate and stop it for each command; the keys persist in DATA_DIR', async () => {
    const created = await cli(['keys', 'create', '--name', 'local', '--json'], { DATA_DIR: dataDir })
    expect(created.code).toBe(0)
    expect(created.stderr).toContain(`note: using the embedded Postgres in ${path.join(dataDir, 'postgres')}`)
    expect(fs.existsSync(path.join(dataDir, 'postgres/postmaster.pid'))).toBe(false)
    const { id } = JSON.parse(created.stdout) as { id: string }

    const listed = await cli(['keys', 'list', '--json'], { DATA_DIR: dataDir })
    expect(listed.code).toBe(0)
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((k) => k.id)).toEqual([id])
    expect(fs.existsSync(path.join(dataDir, 'postgres/postmaster.pid'))).toBe(false)
  })

  it('join a server already running on DATA_DIR and leave it running', async () => {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), ephemeral: true })
    try {
      const listed = await cli(['keys', 'list'], { DATA_DIR: dataDir })
      expect(listed.code).toBe(0)
      expect(listed.stderr).toContain(`already running on ${path.join(dataDir, 'postgres')} (port ${pg.port})`)
      expect(listed.stdout).toContain('local')
      const client = new Client({ connectionString: pg.url })
      await client.connect()
      expect((await client.query('SELECT count(*)::int AS n FROM api_key')).rows[0].n).toBe(1)
      await client.end()
    } finally {
      await pg.stop()
    }
  })

  it.runIf(os.userInfo().uid === 0)('refuse, as root, a DATA_DIR the postgres user cannot reach (exit 2)', async () => {
    const hidden = path.join(dir, 'private')
    fs.mkdirSync(hidden, { mode: 0o700 })
    fs.chmodSync(hidden, 0o700)
    const run = await cli(['keys', 'list'], { DATA_DIR: path.join(hidden, 'data') })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`${hidden} is not traversable by the postgres user`)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })
})
