/**
 * `npm run dev` (or `node .cache/devnet/devnet/dev.js …`, its build) as a user runs it, for the
 * e2e tests: a child in its own process group (as a terminal gives it) on a fresh data directory,
 * its output collected, and the whole group killed and the directory removed after the file.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'
import { waitFor } from './waitFor'

const ROOT = path.resolve(__dirname, '../..')

export interface DevRun {
  readonly child: ChildProcess
  /** stdout and stderr so far */
  output(): string
  /** The exit code once the process has ended. */
  readonly exited: Promise<number | null>
  /**
   * The whole banner: its last line marks it as received, since stdout may deliver it in several
   * chunks; the "Try:" lines are read only once that line has arrived. Returns the output so far.
   */
  banner(): Promise<string>
}

export function useDevRun(tmpPrefix: string): { start(command: string, args: string[]): DevRun } {
  let child: ChildProcess | undefined
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix))
  fs.chmodSync(dataDir, 0o755)
  afterAll(() => {
    try {
      if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
    fs.rmSync(dataDir, { recursive: true, force: true })
  })
  return {
    start(command, args) {
      const c = spawn(command, args, {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, API_PORT: '0', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      child = c
      let output = ''
      c.stdout!.on('data', (d: Buffer) => (output += d.toString()))
      c.stderr!.on('data', (d: Buffer) => (output += d.toString()))
      const exited = new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)))
      return {
        child: c,
        output: () => output,
        exited,
        async banner() {
          await waitFor(
            'the whole banner',
            async () => output.includes('Ctrl-C stops everything.') || undefined,
            180_000,
            200,
            () => output.slice(-3000),
          )
          return output
        },
      }
    },
  }
}

/** The first seeded Stacks NFT of a dev run once the Hiro surface serves it with its metadata. */
export function waitForHiroToken(api: string, nft: string, diagnostic?: () => string): Promise<{ metadata: { name: string } }> {
  return waitFor(
    'a Stacks token with metadata',
    async () => {
      const res = await fetch(`${api}/metadata/v1/nft/${nft}/1`)
      return res.status === 200 ? ((await res.json()) as { metadata: { name: string } }) : undefined
    },
    120_000,
    500,
    diagnostic,
  )
}
