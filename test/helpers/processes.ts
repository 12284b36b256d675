// Part of the harness shared by the tests, the drills and the benchmarks: no vitest imports here.
import path from 'node:path'
import { spawnNode, type NodeProcess } from '../../src/lib/nodeProcess'
import { packageRoot } from '../../src/lib/packageRoot'

export interface RunningProcess extends NodeProcess {
  kill(): Promise<void>
}

export interface StartProcessOptions {
  /** Run it from another copy of the package (a production install) instead of this one. */
  root?: string
  /** Node flags before the script (`--cpu-prof`, `-r <preload>`). */
  nodeFlags?: string[]
  /** How many recent output lines `output()` keeps (default 400). */
  keepLines?: number
  /** Every chunk of stdout and stderr, as it arrives. */
  onOutput?: (chunk: Buffer) => void
}

/** The environment every role process starts from; `env` is laid over it. */
export function roleEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', SQD_LOG_LEVEL: 'WARN', ...env }
}

/**
 * Starts `node lib/main/<entry>.js` (compiled by the global setup, or by the bench and drill
 * scripts) with the given environment on top of a minimal one: nothing from the runner's own
 * environment leaks into the process.
 */
export function startProcess(entry: string, args: string[], env: Record<string, string>, opts: StartProcessOptions = {}): RunningProcess {
  const root = opts.root ?? packageRoot()
  const p = spawnNode(path.join(root, 'lib/main', `${entry}.js`), args, { ...opts, cwd: root, env: roleEnv(env) })
  return Object.assign(p, {
    kill: async () => {
      await p.stop('SIGKILL')
    },
  })
}

export { waitFor } from './waitFor'
