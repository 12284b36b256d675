// squid.yaml as SQD Cloud reads it: validated and evaluated by Subsquid's own manifest package;
// the commented secrets example gives a configuration every role accepts; the init (migrate)
// command migrates an empty database given by the add-on's DB_* variables.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { Manifest } from '@subsquid/manifest'
import { Client } from 'pg'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { loadConfig } from '../../src/config'
import { addonEnvFor } from '../helpers/database'
import { adminQuery, withDatabase } from '../helpers/postgres'

const ROOT = path.resolve(__dirname, '../..')
const text = fs.readFileSync(path.join(ROOT, 'squid.yaml'), 'utf8')

/** A command line of the manifest (the schema requires one on every processor, api and init). */
const cmdOf = (entry: { cmd?: string[] } | undefined): string[] => entry?.cmd ?? []

function parsed(): Manifest {
  const { value, error } = Manifest.parse(text)
  if (error) throw error
  return value
}

/** The `sqd secrets set NAME 'value'` lines of the commented example. */
function exampleSecrets(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of text.matchAll(/^\s*#\s*sqd secrets set (\w+) (?:'([^']*)'|(\S+))\s*$/gm)) out[m[1]] = m[2] ?? m[3]
  return out
}

describe('squid.yaml', () => {
  it('validates with @subsquid/manifest', () => {
    expect(Manifest.parse(text).error).toBeUndefined()
  })

  it('has a name the platform accepts: lowercase letters, digits and dashes, under 20 characters', () => {
    expect(parsed().squidName()).toMatch(/^[a-z0-9][a-z0-9-]{1,17}[a-z0-9]$/)
  })

  it('runs one process per role, each a compiled entry point that exists', () => {
    const deploy = parsed().toObject().deploy!
    expect(deploy.processor.map((p) => p.name)).toEqual(['evm-ethereum', 'stacks', 'worker'])
    const scripts = [...deploy.processor.map((p) => cmdOf(p)[1]), cmdOf(deploy.api)[1], cmdOf(deploy.init)[1]]
    expect(scripts).toEqual(['lib/main/evm-processor.js', 'lib/main/stacks-processor.js', 'lib/main/worker.js', 'lib/main/api.js', 'lib/main/migrate.js'])
    for (const s of scripts) expect(fs.existsSync(path.join(ROOT, s)), s).toBe(true)
  })

  it('takes chains and the Stacks API from secrets', () => {
    expect(parsed().variables()).toEqual(['secrets'])
    expect(parsed().variables(['secrets']).sort()).toEqual(['EVM_CHAINS', 'STACKS_API_URL'])
  })

  it('evaluated with the commented example secrets, gives a configuration that names every processor chain', () => {
    const secrets = exampleSecrets()
    expect(Object.keys(secrets).sort()).toEqual(['EVM_CHAINS', 'STACKS_API_URL'])
    const deploy = parsed().eval({ secrets }).toObject().deploy!
    const env = { ...(deploy.env as Record<string, string>), DB_HOST: 'db', DB_PASS: 'x' }
    const config = loadConfig(env)
    expect(config.STACKS_API_URL).toBe('https://api.hiro.so')
    const evmArgs = deploy.processor.filter((p) => cmdOf(p)[1] === 'lib/main/evm-processor.js').map((p) => cmdOf(p)[2])
    expect(evmArgs).toEqual(['eip155:1'])
    expect(config.EVM_CHAINS.map((c) => c.chain)).toEqual(evmArgs)
  })
})

describe('squid.yaml init command', () => {
  const adminUrl = inject('pgAdminUrl')
  const name = `tms_manifest_${process.pid}`
  afterAll(async () => {
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  })

  it('migrates an empty database named by the DB_* variables and exits 0', async () => {
    await adminQuery(adminUrl, `CREATE DATABASE "${name}"`)
    const [cmd, ...args] = cmdOf(parsed().toObject().deploy!.init)
    expect(cmd).toBe('node')
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...addonEnvFor(withDatabase(adminUrl, name)) }
    const run = await promisify(execFile)(process.execPath, args, { cwd: ROOT, env, timeout: 60_000 })
    expect(run.stdout).toContain('database is up to date')
    const client = new Client({ connectionString: withDatabase(adminUrl, name) })
    await client.connect()
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM migrations`)
      expect(rows[0].n).toBe(fs.readdirSync(path.join(ROOT, 'db/migrations')).filter((f) => f.endsWith('.js')).length)
    } finally {
      await client.end()
    }
  })
})
