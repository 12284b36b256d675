import fs from 'node:fs'
import path from 'node:path'
import { spawnNode, type NodeProcess } from '../src/lib/nodeProcess'
import { packageRoot } from '../src/lib/packageRoot'

export interface RoleSpec {
  name: string
  script: string
  args?: string[]
  env: Record<string, string>
}

export interface SupervisorOptions {
  /** Where each role's output goes when not passed through (`<dir>/<role>.log`). */
  logDir: string
  /** Pass child output through to our stdout (JSON logs when not on a terminal). */
  passThrough: boolean
  onExit?: (role: string, code: number | null, signal: NodeJS.Signals | null) => void
}

/**
 * Runs one child process per role (`node lib/main/<script>.js`) the way an orchestrator would:
 * restarts a role that exits unexpectedly (a processor exits on a fatal error by design), and
 * stops them all with SIGTERM, then SIGKILL after a grace period. The roles are the production
 * build in lib/ (found from the package root), not a copy compiled beside this file: the devnet
 * runs from its own build (.cache/devnet), which holds only what dev.ts imports.
 */
export class Supervisor {
  private readonly children = new Map<string, NodeProcess>()
  private stopping = false

  constructor(private readonly opts: SupervisorOptions) {
    fs.mkdirSync(opts.logDir, { recursive: true })
  }

  start(role: RoleSpec, restarts = 0): void {
    const sink = this.opts.passThrough ? process.stdout : fs.createWriteStream(path.join(this.opts.logDir, `${role.name}.log`), { flags: 'a' })
    const child = spawnNode(path.join(packageRoot(), 'lib', 'main', `${role.script}.js`), role.args ?? [], {
      env: { ...process.env, ...role.env },
      onOutput: (chunk) => sink.write(chunk),
      keepLines: 0,
    })
    this.children.set(role.name, child)
    child.child.on('exit', (code, signal) => {
      this.children.delete(role.name)
      this.opts.onExit?.(role.name, code, signal)
      if (this.stopping) return
      const delay = Math.min(10_000, 500 * 2 ** Math.min(restarts, 5))
      setTimeout(() => !this.stopping && this.start(role, restarts + 1), delay)
    })
  }

  get pids(): number[] {
    return [...this.children.values()].map((c) => c.pid).filter((pid) => pid > 0)
  }

  async stopAll(graceMs = 8000): Promise<void> {
    this.stopping = true
    await Promise.all([...this.children.values()].map((c) => c.stop('SIGTERM', graceMs)))
  }
}
