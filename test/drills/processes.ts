/**
 * The processes under test, run the way production runs them: one `node lib/main/<role>.js` per
 * role, configured only through the environment. A small supervisor plays the orchestrator: it
 * restarts a role that exits (after a delay), and tells exits the drill caused (SIGKILL) from
 * exits nobody asked for, which a drill may treat as a failure (workers and the API must ride out
 * a database restart without one).
 */
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { startProcess, type RunningProcess } from '../helpers/processes'
import type { LogSink } from './runtime'

export type Script = 'evm-processor' | 'stacks-processor' | 'worker' | 'api'

export interface RoleSpec {
  name: string
  script: Script
  args?: string[]
  env: Record<string, string>
  /** Restart when it exits (default: always); the delay may depend on why it exited. */
  restart?: 'always' | 'never'
  restartDelayMs?: (reason: 'killed' | 'exited', restarts: number) => number
}

export interface ExitRecord {
  at: number
  code: number | null
  signal: NodeJS.Signals | null
  /** the drill killed it on purpose */
  expected: boolean
}

/** Every child a drill started and that is still running (for a last-resort cleanup). */
const liveChildren = new Set<ChildProcess>()

/** SIGKILLs every role process still running, by its own pid (the CLI's hard time limit). */
export function killAllRoleProcesses(): number {
  let n = 0
  for (const c of liveChildren) {
    if (c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')) n++
  }
  return n
}

export class RoleProcess {
  child: ChildProcess | undefined
  starts = 0
  readonly exits: ExitRecord[] = []
  /** the latest run's process (its recent output lines), and the last lines of the runs before it */
  private proc: RunningProcess | undefined
  private earlierLines: string[] = []
  private readonly logFile: string
  private expectKill = false
  private holdRestart = false
  private stopping = false
  private restartTimer: NodeJS.Timeout | undefined
  private exitWaiters: (() => void)[] = []

  constructor(
    readonly spec: RoleSpec,
    logDir: string,
    private readonly log: LogSink,
  ) {
    this.logFile = path.join(logDir, `${spec.name}.log`)
  }

  get name(): string {
    return this.spec.name
  }

  get alive(): boolean {
    return this.child !== undefined
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Exits nobody asked for. */
  get unexpectedExits(): ExitRecord[] {
    return this.exits.filter((e) => !e.expected)
  }

  start(): void {
    if (this.child || this.stopping) return
    clearTimeout(this.restartTimer)
    this.restartTimer = undefined
    const s = this.spec
    if (this.proc) this.earlierLines = [...this.earlierLines, ...this.proc.lines()].slice(-300)
    const file = fs.createWriteStream(this.logFile, { flags: 'a' })
    const proc = startProcess(s.script, s.args ?? [], s.env, { keepLines: 300, onOutput: (chunk) => !file.writableEnded && file.write(chunk) })
    const child = proc.child
    this.proc = proc
    this.child = child
    liveChildren.add(child)
    this.starts++
    file.write(`--- start #${this.starts} pid ${child.pid} at ${new Date().toISOString()}\n`)
    child.on('exit', (code, signal) => {
      liveChildren.delete(child)
      const expected = this.expectKill || this.stopping
      this.expectKill = false
      this.exits.push({ at: Date.now(), code, signal, expected })
      file.end(`--- exit code ${code} signal ${signal} (${expected ? 'expected' : 'UNEXPECTED'})\n`)
      this.child = undefined
      for (const w of this.exitWaiters.splice(0)) w()
      if (!expected) this.log(`${s.name} exited on its own (code ${code}, signal ${signal})`)
      if (this.stopping || s.restart === 'never' || this.holdRestart) {
        this.holdRestart = false
        return
      }
      const delay = s.restartDelayMs?.(expected ? 'killed' : 'exited', this.starts) ?? 500
      this.restartTimer = setTimeout(() => this.start(), delay)
    })
  }

  private waitExit(): Promise<void> {
    if (!this.child) return Promise.resolve()
    return new Promise((r) => this.exitWaiters.push(r))
  }

  /**
   * SIGKILL (or another signal) on purpose; resolves once it is gone. The supervisor restarts it,
   * unless `hold` (the drill then calls start() itself, e.g. after changing the world meanwhile).
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL', hold = false): Promise<void> {
    const c = this.child
    if (!c) return
    this.expectKill = true
    this.holdRestart = hold
    const gone = this.waitExit()
    c.kill(signal)
    await gone
  }

  /** SIGTERM, SIGKILL after `graceMs`; no restart afterwards. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true
    clearTimeout(this.restartTimer)
    const c = this.child
    if (!c) return
    const gone = this.waitExit()
    c.kill('SIGTERM')
    const t = setTimeout(() => c.kill('SIGKILL'), graceMs)
    await gone
    clearTimeout(t)
  }

  private lines(): string[] {
    return [...this.earlierLines, ...(this.proc?.lines() ?? [])].slice(-300)
  }

  /** Peak resident memory of the running process so far (VmHWM, kB; 0 when not running). */
  peakRssKb(): number {
    const pid = this.child?.pid
    if (!pid) return 0
    try {
      return Number(/^VmHWM:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
    } catch {
      return 0
    }
  }

  /** The last error the process printed (a fatal log record or an uncaught error), clipped. */
  lastError(): string | undefined {
    const lines = this.lines().slice(-150).reverse()
    for (const line of lines) {
      const m = /"(?:message|stack)":"([^"\\]*(?:\\.[^"\\]*)*)"/.exec(line)
      if (m && /"level":(5|6|"fatal"|"error")/.test(line)) return m[1].split('\\n')[0].slice(0, 200)
      if (/^(\w*Error|error): /.test(line)) return line.slice(0, 200)
    }
    return undefined
  }

  tail(n = 40): string {
    return this.lines().slice(-n).join('\n')
  }
}

export class Fleet {
  readonly roles = new Map<string, RoleProcess>()

  constructor(
    readonly logDir: string,
    private readonly log: LogSink,
  ) {
    fs.mkdirSync(logDir, { recursive: true })
  }

  add(spec: RoleSpec): RoleProcess {
    if (this.roles.has(spec.name)) throw new Error(`role ${spec.name} exists`)
    const p = new RoleProcess(spec, this.logDir, this.log)
    this.roles.set(spec.name, p)
    return p
  }

  get(name: string): RoleProcess {
    const p = this.roles.get(name)
    if (!p) throw new Error(`no role ${name}`)
    return p
  }

  startAll(): void {
    for (const p of this.roles.values()) p.start()
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.roles.values()].map((p) => p.stop()))
  }

  /** Last lines of every role's output, for failure messages. */
  tails(n = 15): string {
    return [...this.roles.values()].map((p) => `--- ${p.name} (starts ${p.starts}, exits ${p.exits.length})\n${p.tail(n)}`).join('\n')
  }
}
