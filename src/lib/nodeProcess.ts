import { spawn, type ChildProcess } from 'node:child_process'

export interface NodeProcessOptions {
  /** The child's whole environment: nothing of ours is inherited that is not in here. */
  env: NodeJS.ProcessEnv
  cwd?: string
  /** Node flags before the script (`--cpu-prof`, `-r <preload>`). */
  nodeFlags?: string[]
  /** Every chunk of stdout and stderr, as it arrives (a log file, a pass-through). */
  onOutput?: (chunk: Buffer) => void
  /** How many recent output lines `lines()` keeps (default 400). */
  keepLines?: number
}

export interface NodeProcess {
  child: ChildProcess
  /** -1 when the spawn failed (the `exited` promise then resolves with null). */
  pid: number
  /** The most recent complete output lines of stdout and stderr, oldest first. */
  lines(): string[]
  output(): string
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>
  readonly running: boolean
  /** `signal` (SIGTERM), then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>
}

/**
 * Runs `node [flags] <script> [args]`, the one way a role process is started by `npm run dev`,
 * the tests, the drills and the benchmarks. Output is split into lines across chunk boundaries
 * (a line written in two chunks is one line).
 */
export function spawnNode(script: string, args: string[], opts: NodeProcessOptions): NodeProcess {
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), script, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] })
  const keep = opts.keepLines ?? 400
  const recent: string[] = []
  const partial = { stdout: '', stderr: '' }
  const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    opts.onOutput?.(chunk)
    const parts = (partial[stream] + chunk.toString()).split('\n')
    partial[stream] = parts.pop() ?? ''
    recent.push(...parts.filter(Boolean))
    if (recent.length > keep) recent.splice(0, recent.length - keep)
  }
  child.stdout!.on('data', collect('stdout'))
  child.stderr!.on('data', collect('stderr'))
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code))
    child.on('error', (e) => {
      recent.push(`${script} could not be started: ${e.message}`)
      resolve(null)
    })
  })
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined
  const lines = () => [...recent, ...[partial.stdout, partial.stderr].filter(Boolean)]
  return {
    child,
    pid: child.pid ?? -1,
    lines,
    output: () => lines().join('\n'),
    exited,
    get running() {
      return running()
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (!running()) return child.exitCode
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}
