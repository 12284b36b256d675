/**
 * `token-metadata` end to end: runCli in-process against a real local metadata host and a real
 * Postgres, plus a few runs of the installed command (`node bin/token-metadata.js`) as a child
 * process to prove the bin wiring, exit codes and clean exit.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main'
import type { InspectReport } from '../../src/cli/inspectToken'
import { JSON5_WARNING } from '../../src/metadata/fetcher'
import { ApiKey } from '../../src/model'
import { keysBoundTo, listApiKeys, verifyApiKey } from '../../src/store/apiKeys'
import { useTestDatabase } from '../helpers/database'
import { body, image, json, startMetadataHost, type MetadataHost } from '../helpers/metadataHost'

const ROOT = path.resolve(__dirname, '../..')
const EVM = '0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D'
const STACKS = 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173.the-explorer-guild'
const HEX_1 = `${'0'.repeat(63)}1`

interface CliRun {
  code: number
  stdout: string
  stderr: string
}

async function cli(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  })
  return { code, stdout, stderr }
}

function report(run: CliRun): InspectReport {
  return JSON.parse(run.stdout) as InspectReport
}

/** Expected failures print a message, never a stack trace. */
function expectNoStack(run: CliRun): void {
  expect(run.stderr).not.toMatch(/\n\s+at /)
}

let host: MetadataHost
let allow: string[]

beforeAll(async () => {
  host = await startMetadataHost()
  allow = ['--allow', `127.0.0.1:${host.port}`]
  host
    .route(
      '/good.json',
      json({ name: ' Good One ', description: 'A test token', image: 'ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG/1.png', attributes: { Eyes: 'Big', Level: 3 } }),
    )
    .route(`/1155/${HEX_1}.json`, json({ name: 'Sword {id}', image: 'https://img.test/sword.png' }))
    .route('/bad.json', body('{"name": "cut off', { contentType: 'application/json' }))
    .route('/bare.json', json({ description: 'no name, no image' }))
    .route('/art.png', image())
    .route(
      '/localized.json',
      json({ name: 'Hello', image: 'https://img.test/a.png', localization: { uri: host.urlFor('/loc/{locale}.json'), default: 'en', locales: ['en', 'fr', 'de'] } }),
    )
    .route('/loc/fr.json', json({ name: 'Bonjour' }))
})

afterAll(async () => {
  await host?.close()
})

describe('token-metadata inspect', () => {
  it('prints the normalised metadata of a good document and exits 0', async () => {
    const run = await cli(['inspect', host.urlFor('/good.json'), ...allow])
    expect(run.code).toBe(0)
    const r = report(run)
    expect(r).toMatchObject({
      uri: host.urlFor('/good.json'),
      tokenId: null,
      standard: null,
      resolved: { kind: 'http', url: host.urlFor('/good.json') },
      fetched: { url: host.urlFor('/good.json'), contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      metadata: {
        name: 'Good One',
        image: 'ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG/1.png',
        attributes: [
          { trait_type: 'Eyes', value: 'Big' },
          { trait_type: 'Level', value: 3 },
        ],
      },
      locales: [],
      warnings: [],
    })
    expect(r.error).toBeUndefined()
    expect(run.stderr).toBe('')
  })

  it('substitutes {id} as 64 hex digits for ERC-1155, in the URI and in JSON values', async () => {
    const run = await cli(['inspect', host.urlFor('/1155/{id}.json'), '--standard', 'erc1155', '--token-id', '1', ...allow])
    expect(run.code).toBe(0)
    const r = report(run)
    expect(r.tokenId).toBe('1')
    expect(r.standard).toBe('ERC1155')
    expect(r.fetched?.url).toBe(host.urlFor(`/1155/${HEX_1}.json`))
    expect(r.metadata?.name).toBe(`Sword ${HEX_1}`)
  })

  it('decodes a base64 data: URI without any fetch', async () => {
    const doc = Buffer.from(JSON.stringify({ name: 'Inline', image: 'data:image/svg+xml;utf8,<svg/>' })).toString('base64')
    const run = await cli(['inspect', `data:application/json;base64,${doc}`])
    expect(run.code).toBe(0)
    const r = report(run)
    expect(r.resolved).toEqual({ kind: 'inline', source: 'data-uri', mediaType: 'application/json' })
    expect(r.fetched?.url).toBe('data:')
    expect(r.metadata?.name).toBe('Inline')
  })

  it('parses a data: document with a trailing comma as JSON5 and says so in a warning', async () => {
    const run = await cli(['inspect', 'data:application/json;base64,eyJuYW1lIjogImIiLH0='])
    expect(run.code).toBe(0)
    const r = report(run)
    expect(r.metadata?.name).toBe('b')
    expect(r.warnings).toContain(JSON5_WARNING)
  })

  it('reports a 404 as token_not_found with a hint, and exits 1', async () => {
    const run = await cli(['inspect', host.urlFor('/missing.json'), ...allow])
    expect(run.code).toBe(1)
    const r = report(run)
    expect(r.fetched).toBeNull()
    expect(r.metadata).toBeNull()
    expect(r.error).toMatchObject({ code: 'token_not_found', retryable: false, status: 404, url: host.urlFor('/missing.json') })
    expect(r.error?.hint).toContain('404')
    expect(run.stderr).toContain('token_not_found')
  })

  it('reports a truncated document as unable_to_decode_response, showing what was served', async () => {
    const run = await cli(['inspect', host.urlFor('/bad.json'), ...allow])
    expect(run.code).toBe(1)
    expect(report(run).error).toMatchObject({ code: 'unable_to_decode_response', retryable: false, status: 200, body: '{"name": "cut off' })
  })

  it('refuses a private host unless allowed, and says how to allow it', async () => {
    const run = await cli(['inspect', host.urlFor('/good.json')])
    expect(run.code).toBe(1)
    expect(report(run).error).toMatchObject({ code: 'uri_disallowed', retryable: false })
    expect(report(run).error?.hint).toContain('--allow')
    expect(host.hits('/good.json')).toBe(1) // only the allowed run above reached it
    const viaConfig = await cli(['inspect', host.urlFor('/good.json')], { FETCH_ALLOW_HOSTS: `127.0.0.1:${host.port}` })
    expect(viaConfig.code).toBe(0)
  })

  it('shows an image URI as the image, and warns about a document without name or image', async () => {
    expect(report(await cli(['inspect', host.urlFor('/art.png'), ...allow])).metadata).toEqual({ image: host.urlFor('/art.png') })
    const bare = report(await cli(['inspect', host.urlFor('/bare.json'), ...allow]))
    expect(bare.warnings).toEqual([expect.stringContaining('no "name"'), expect.stringContaining('no "image"')])
  })

  it('lists the loaded locales and warns about announced ones that fail', async () => {
    const r = report(await cli(['inspect', host.urlFor('/localized.json'), ...allow]))
    expect(r.locales).toEqual([{ locale: 'fr', metadata: expect.objectContaining({ name: 'Bonjour', image: 'https://img.test/a.png', locale: 'fr' }) }])
    expect(r.warnings).toEqual([expect.stringContaining('the de variant failed (token_not_found')])
  })

  it('exits 2 naming a bad --token-id, before any fetch', async () => {
    for (const bad of ['-1', 'abc', (2n ** 256n).toString()]) {
      const run = await cli(['inspect', host.urlFor('/good.json'), '--token-id', bad, ...allow])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(`"${bad}"`)
      expect(run.stdout).toBe('')
      expectNoStack(run)
    }
  })

  it('exits 2 naming an unknown standard, a bad --allow, a bad --timeout', async () => {
    for (const [flag, value] of [
      ['--standard', 'erc999'],
      ['--allow', 'localhost:99999'],
      ['--timeout', 'soon'],
    ] as const) {
      const run = await cli(['inspect', host.urlFor('/good.json'), flag, value])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(`"${value}"`)
      expectNoStack(run)
    }
  })

  it('exits 2 when the uri is missing or an option is unknown', async () => {
    const missing = await cli(['inspect'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("missing required argument 'uri'")
    const unknown = await cli(['inspect', 'https://x.test/1', '--tokenid', '1'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('--tokenid')
  })

  it('exits 2 with the configuration problem, not a stack trace', async () => {
    const run = await cli(['inspect', host.urlFor('/good.json')], { FETCH_TIMEOUT_MS: 'soon' })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('FETCH_TIMEOUT_MS ("soon")')
    expectNoStack(run)
    const badAllow = await cli(['inspect', host.urlFor('/good.json')], { FETCH_ALLOW_HOSTS: '127.0.0.1:0' })
    expect(badAllow.code).toBe(2)
    expect(badAllow.stderr).toContain('FETCH_ALLOW_HOSTS ("127.0.0.1:0")')
  })
})

describe('token-metadata --help / --version', () => {
  it('prints usage with every command, and the package version', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/inspect \[options\] <uri>/)
    expect(help.stdout).toContain('keys')
    const inspectHelp = await cli(['inspect', '--help'])
    expect(inspectHelp.stdout).toContain('Exit status')
    const version = await cli(['--version'])
    expect(version).toEqual({ code: 0, stdout: `${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`, stderr: '' })
  })
})

describe('token-metadata keys', () => {
  const db = useTestDatabase()
  const env = (): Record<string, string> => ({ DATABASE_URL: db.url })

  it('creates an admin key that verifies, and stores only its hash', async () => {
    const run = await cli(['keys', 'create', '--name', 'ops', '--json'], env())
    expect(run.code).toBe(0)
    const created = JSON.parse(run.stdout) as { key: string; id: string; prefix: string; admin: boolean; contracts: string[] }
    expect(created).toMatchObject({ admin: true, contracts: [] })
    expect(created.key.startsWith(created.prefix)).toBe(true)
    const record = await verifyApiKey(db.ds, created.key)
    expect(record).toMatchObject({ id: created.id, name: 'ops', admin: true, revokedAt: null })
    const [row] = await db.ds.query(`SELECT hash FROM api_key WHERE id = $1`, [created.id])
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(row)).not.toContain(created.key)
  })

  it('creates a project key for normalised contracts and prints it once as text', async () => {
    const run = await cli(['keys', 'create', '--name', 'Launch team', '--contract', `eip155:1:${EVM}`, '--contract', `stacks:1:${STACKS}`], env())
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`access  eip155:1:${EVM.toLowerCase()}, stacks:1:${STACKS}`)
    expect(run.stdout).toContain('not shown again')
    const key = /key\s+(tms_\w+)/.exec(run.stdout)![1]!
    const record = await verifyApiKey(db.ds, key)
    expect(record).toMatchObject({ admin: false, contracts: [`eip155:1:${EVM.toLowerCase()}`, `stacks:1:${STACKS}`] })
  })

  it('rejects a bad contract id or name with exit 2, creating nothing', async () => {
    const before = (await listApiKeys(db.ds)).length
    const badContract = await cli(['keys', 'create', '--name', 'x', '--contract', 'eip155:1:0x1234'], env())
    expect(badContract.code).toBe(2)
    expect(badContract.stderr).toContain('"eip155:1:0x1234"')
    const noName = await cli(['keys', 'create'], env())
    expect(noName.code).toBe(2)
    expect(noName.stderr).toContain("required option '--name <name>'")
    const blankName = await cli(['keys', 'create', '--name', ' '], env())
    expect(blankName.code).toBe(2)
    expect((await listApiKeys(db.ds)).length).toBe(before)
  })

  it('lists keys as a table and as JSON', async () => {
    const table = await cli(['keys', 'list'], env())
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^PREFIX\s+NAME\s+ACCESS/)
    expect(table.stdout).toContain('Launch team')
    const listed = JSON.parse((await cli(['keys', 'list', '--json'], env())).stdout) as { name: string; revokedAt: string | null }[]
    expect(listed.map((k) => k.name)).toEqual(['ops', 'Launch team'])
  })

  it('revokes by prefix: the key stops verifying, revoking again is a no-op, unknown ids fail', async () => {
    const created = JSON.parse((await cli(['keys', 'create', '--name', 'temp', '--json'], env())).stdout) as { key: string; prefix: string; id: string }
    const revoke = await cli(['keys', 'revoke', created.prefix], env())
    expect(revoke.code).toBe(0)
    expect(revoke.stdout).toContain(`Revoked API key ${created.prefix}`)
    expect(await verifyApiKey(db.ds, created.key)).toBeUndefined()
    const again = await cli(['keys', 'revoke', created.id], env())
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('already revoked')
    const unknown = await cli(['keys', 'revoke', 'tms_nope'], env())
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('"tms_nope"')
    expectNoStack(unknown)
  })

  it('revokes by the full key too, and refuses a prefix shared by several keys', async () => {
    const { key } = JSON.parse((await cli(['keys', 'create', '--name', 'leaked', '--json'], env())).stdout) as { key: string }
    expect((await cli(['keys', 'revoke', key], env())).code).toBe(0)
    expect(await verifyApiKey(db.ds, key)).toBeUndefined()
    const twin = { name: 'twin', prefix: 'tms_Twin0000', admin: true, contracts: [], createdAt: new Date(), revokedAt: null, lastUsedAt: null }
    await db.ds.getRepository(ApiKey).insert([new ApiKey({ ...twin, id: 'twin-1', hash: 'a'.repeat(64) }), new ApiKey({ ...twin, id: 'twin-2', hash: 'b'.repeat(64) })])
    const ambiguous = await cli(['keys', 'revoke', 'tms_Twin0000'], env())
    expect(ambiguous.code).toBe(1)
    expect(ambiguous.stderr).toContain('matches 2 API keys (twin-1, twin-2)')
    expect((await cli(['keys', 'revoke', 'twin-2'], env())).code).toBe(0)
    const rows = await listApiKeys(db.ds)
    expect(rows.filter((r) => r.name === 'twin').map((r) => r.revokedAt !== null)).toEqual([false, true])
  })

  it('verifyApiKey rejects wrong and malformed keys, and records use at most once a minute', async () => {
    const { key } = JSON.parse((await cli(['keys', 'create', '--name', 'usage', '--json'], env())).stdout) as { key: string }
    expect(await verifyApiKey(db.ds, `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined()
    expect(await verifyApiKey(db.ds, 'not a key')).toBeUndefined()
    const t0 = new Date('2030-01-01T00:00:00Z')
    expect((await verifyApiKey(db.ds, key, t0))?.lastUsedAt).toEqual(t0)
    expect((await verifyApiKey(db.ds, key, new Date(t0.getTime() + 30_000)))?.lastUsedAt).toEqual(t0)
    const t2 = new Date(t0.getTime() + 61_000)
    expect((await verifyApiKey(db.ds, key, t2))?.lastUsedAt).toEqual(t2)
  })

  it('fails with exit 1 and a message when the database is unreachable', async () => {
    const run = await cli(['keys', 'list'], { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/none' })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('cannot connect to DATABASE_URL (127.0.0.1:1/none)')
    expect(run.stderr).not.toContain('secret')
    expectNoStack(run)
  })

  describe('the installed command (child process)', () => {
    beforeAll(() => ensureCliBuilt(), 60_000)

    it('prints its version and exits 0', async () => {
      const run = await bin(['--version'])
      expect(run).toMatchObject({ code: 0, stderr: '' })
      expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
    })

    it('inspects a token URI and exits 0 with one JSON object on stdout', async () => {
      const run = await bin(['inspect', host.urlFor('/good.json'), ...allow])
      expect(run.code).toBe(0)
      expect(report(run).metadata?.name).toBe('Good One')
    })

    it('exits 2 on a bad token id without a stack trace', async () => {
      const run = await bin(['inspect', host.urlFor('/good.json'), '--token-id', '-1'])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('"-1"')
      expectNoStack(run)
    })

    it('lists keys from DATABASE_URL and exits once done (the pool is closed)', async () => {
      const run = await bin(['keys', 'list', '--json'], { DATABASE_URL: db.url })
      expect(run.code).toBe(0)
      expect((JSON.parse(run.stdout) as unknown[]).length).toBeGreaterThanOrEqual(2)
    })

    it('keeps its exit status after running the embedded Postgres (whose exit hook would say 0)', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-cli-bin-'))
      try {
        fs.chmodSync(dir, 0o755) // as root, Postgres runs as the postgres user and must reach it
        const run = await bin(['keys', 'revoke', 'tms_nope'], { DATA_DIR: path.join(dir, 'data') })
        expect(run.stderr).toContain('"tms_nope"')
        expect(run.code).toBe(1)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  })

  it('binds a project owner address to a key with --eth-address (lowercased), so its Immutable X signatures act for the key', async () => {
    const owner = '0x5AEDA56215b167893e80B4fE645BA6d5Bab767DE'
    const run = await cli(['keys', 'create', '--name', 'Owner', '--contract', `eip155:1:${EVM}`, '--eth-address', owner, '--json'], env())
    expect(run.code).toBe(0)
    const created = JSON.parse(run.stdout) as { id: string; ethAddress: string }
    expect(created.ethAddress).toBe(owner.toLowerCase())
    expect(await keysBoundTo(db.ds, owner)).toMatchObject([{ id: created.id, contracts: [`eip155:1:${EVM.toLowerCase()}`] }])
    const table = await cli(['keys', 'list'], env())
    expect(table.stdout).toContain(`eip155:1:${EVM.toLowerCase()}; owner ${owner.toLowerCase()}`)
    const bad = await cli(['keys', 'create', '--name', 'x', '--eth-address', '0x12'], env())
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('invalid owner address "0x12"')
  })
})

/** Runs `node bin/token-metadata.js` with only the given environment (plus PATH). */
function bin(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/token-metadata.js'), ...argv],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/**
 * The bin runs lib/ (the `npm run build` output). When lib/cli is older than its sources, the
 * CLI's own import graph is compiled with the project's tsconfig: a second or two, where a full
 * build takes half a minute.
 */
function ensureCliBuilt(): void {
  const sources = [...fs.readdirSync(path.join(ROOT, 'src/cli')).map((f) => `cli/${f}`), 'store/apiKeys.ts'].filter((f) => f.endsWith('.ts'))
  const stale = sources.some((f) => {
    const out = path.join(ROOT, 'lib', f.replace(/\.ts$/, '.js'))
    return !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(path.join(ROOT, 'src', f)).mtimeMs
  })
  if (!stale) return
  const configFile = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (p) => ts.sys.readFile(p))
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT)
  // A partial program must not overwrite the full build's incremental state.
  const program = ts.createProgram([path.join(ROOT, 'src/cli/main.ts')], { ...options, incremental: false, tsBuildInfoFile: undefined })
  const result = program.emit()
  if (result.emitSkipped) throw new Error('could not compile src/cli to lib/cli')
}
