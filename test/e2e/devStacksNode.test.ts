// `npm run dev -- --stacks-node`: the Stacks side through the event stream (the simulator posts
// its blocks to the event-observer role, the processor reads what it stored), used only through
// the URLs it prints, then stopped with Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/processes'

const ROOT = path.resolve(__dirname, '../..')
let dev: ChildProcess | undefined
let output = ''
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-dev-node-'))
fs.chmodSync(dataDir, 0o755)

afterAll(() => {
  try {
    if (dev?.pid && dev.exitCode === null) process.kill(-dev.pid, 'SIGKILL')
  } catch {
    // already gone
  }
  fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('npm run dev -- --stacks-node', () => {
  it('indexes the Stacks simulator through the event observer and serves its tokens on the Hiro surface', async () => {
    dev = spawn('node', ['lib/main/dev.js', '--stacks-node', '--no-activity'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, API_PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    dev.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    dev.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise<number | null>((resolve) => dev!.on('exit', (code) => resolve(code)))
    await waitFor(
      'the whole banner',
      async () => output.includes('Ctrl-C stops everything.') || undefined,
      180_000,
      200,
      () => output.slice(-3000),
    )
    expect(output).toMatch(/Stacks observer\s+http:\/\/127\.0\.0\.1:\d+ \(the simulator posts its blocks here/)
    const api = /GraphQL sandbox\s+(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(output)![1]
    const stacksNft = /\/metadata\/v1\/nft\/([A-Z0-9]+\.[a-z-]+)\/1/.exec(output)![1]

    const hiro = await waitFor(
      'a Stacks token with metadata',
      async () => {
        const res = await fetch(`${api}/metadata/v1/nft/${stacksNft}/1`)
        return res.status === 200 ? ((await res.json()) as { metadata: { name: string } }) : undefined
      },
      120_000,
      500,
      () => output.slice(-3000),
    )
    expect(hiro.metadata.name).toBe('Stacks Punk #1')

    process.kill(dev.pid!, 'SIGINT')
    expect(await exited).toBe(0)
  }, 400_000)
})
