import { ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '../..')

export interface RunningProcess {
  child: ChildProcess
  /** Recent output lines (stdout and stderr), for assertion messages. */
  output(): string
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>
  kill(): Promise<void>
}

/**
 * Starts `node lib/main/<entry>.js` (compiled by the global setup) with the given environment on
 * top of a minimal one: nothing from the test runner's own environment leaks into the process.
 * `root` runs it from another copy of the package (a production install) instead of this one.
 */
export function startProcess(entry: string, args: string[], env: Record<string, string>, opts: { root?: string } = {}): RunningProcess {
  const root = opts.root ?? ROOT
  const child = spawn(process.execPath, [path.join(root, 'lib/main', `${entry}.js`), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', SQD_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean))
    if (lines.length > 400) lines.splice(0, lines.length - 400)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  return {
    child,
    output: () => lines.join('\n'),
    exited,
    stop,
    kill: async () => {
      await stop('SIGKILL')
    },
  }
}

export { waitFor } from './waitFor'
