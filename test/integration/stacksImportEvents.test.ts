// `token-metadata stacks import-events` as an operator runs it: the installed command, SIGKILLed
// in the middle of an archive and run again (it resumes: nothing lost, nothing stored twice), and
// its refusals of bad input, each naming what is wrong.
import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../helpers/database'
import { waitFor } from '../helpers/processes'

const ROOT = path.resolve(__dirname, '../..')
const BIN = path.join(ROOT, 'bin/token-metadata.js')
const CHAIN = 'stacks:1'
const db = useTestDatabase()
let tmp: string

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-import-events-'))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

function env(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db.url, STACKS_CHAIN: CHAIN }
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: env(), cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

/** A chain of `n` empty blocks on top of each other, each after a burn block request. */
function chainArchive(n: number): string {
  const file = path.join(tmp, `chain-${n}.tsv`)
  const hash = (i: number) => '0x' + i.toString(16).padStart(64, '0')
  const lines: string[] = []
  for (let h = 1; h <= n; h++) {
    const body = {
      block_hash: hash(h + 10_000_000),
      block_height: h,
      index_block_hash: hash(h),
      parent_index_block_hash: hash(h - 1),
      parent_block_hash: hash(h + 9_999_999),
      burn_block_height: h,
      burn_block_time: 1700000000 + h,
      transactions: [],
      events: [],
      padding: 'x'.repeat(2000),
    }
    lines.push(`${2 * h}\t2024-01-01 00:00:00+00\t/new_burn_block\t{"burn_block_height":${h}}`)
    lines.push(`${2 * h + 1}\t2024-01-01 00:00:00+00\t/new_block\t${JSON.stringify(body)}`)
  }
  fs.writeFileSync(file, lines.join('\n') + '\n')
  return file
}

async function storedCount(): Promise<number> {
  const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM stacks_node_block WHERE chain = $1`, [CHAIN]).catch(() => [{ n: 0 }])
  return n
}

describe('stacks import-events', () => {
  it('resumes after a SIGKILL: the second run stores the rest and skips what the first stored', async () => {
    const blocks = 20_000
    const file = chainArchive(blocks)
    const first = spawn(process.execPath, [BIN, 'stacks', 'import-events', file], { env: env(), cwd: ROOT, stdio: 'ignore' })
    const exited = new Promise((r) => first.on('exit', r))
    const before = await waitFor(
      'some blocks stored',
      async () => {
        const n = await storedCount()
        return n > 0 ? n : undefined
      },
      60_000,
      20,
    )
    first.kill('SIGKILL')
    await exited
    const atKill = await storedCount()
    expect(atKill).toBeGreaterThanOrEqual(before)

    const second = await run(['stacks', 'import-events', file])
    expect(second.code).toBe(0)
    const summary = JSON.parse(second.stdout) as { blocks: number; stored: number; alreadyStored: number; notStored: number }
    expect(summary.blocks).toBe(blocks)
    expect(summary.notStored).toBe(blocks)
    expect(summary.alreadyStored).toBe(atKill)
    expect(summary.stored + summary.alreadyStored).toBe(blocks)
    expect(await storedCount()).toBe(blocks)
    const canonical = await db.ds.query(`SELECT count(*)::int AS n, min(height) AS lo, max(height) AS hi FROM stacks_node_block WHERE chain = $1 AND canonical`, [CHAIN])
    expect(canonical).toEqual([{ n: blocks, lo: 1, hi: blocks }])
  })

  it('refuses a file that does not exist, naming it (exit 2)', async () => {
    const r = await run(['stacks', 'import-events', path.join(tmp, 'nope.tsv')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`cannot read ${path.join(tmp, 'nope.tsv')}: no such file`)
  })

  it('stops at a line that is not an archive line, naming the file and line (exit 1)', async () => {
    const file = path.join(tmp, 'bad.tsv')
    fs.writeFileSync(file, '1\t2024-01-01\t/new_burn_block\t{}\nthis is not tsv\n')
    const r = await run(['stacks', 'import-events', file])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${file} line 2: expected 4 tab-separated fields`)
  })

  it('stops at a /new_block body that is not a block, naming the line and request id (exit 1)', async () => {
    const file = path.join(tmp, 'bad-block.tsv')
    fs.writeFileSync(file, '41\t2024-01-01\t/new_block\t{"block_height": 3}\n')
    const r = await run(['stacks', 'import-events', file])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${file} line 1 (request 41): /new_block without a 0x index_block_hash`)
  })

  it('refuses a truncated gzip file (exit 1)', async () => {
    const gz = fs.readFileSync(path.join(ROOT, 'test/fixtures/stacks-node-events/epoch-3-transition.tsv.gz'))
    const file = path.join(tmp, 'cut.tsv.gz')
    fs.writeFileSync(file, gz.subarray(0, 5000))
    const r = await run(['stacks', 'import-events', file])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${file}: not a valid gzip file`)
  })
})
