import type { Logger } from 'pino'

type Step = { name: string; run: () => Promise<void> | void }

/**
 * Graceful shutdown: components register a step as they start; on SIGINT/SIGTERM (or an explicit
 * call) the steps run in reverse order of registration, each bounded by a timeout, so the last
 * thing started (e.g. the API server) stops first and the database stops last.
 */
export class Shutdown {
  private readonly steps: Step[] = []
  private running: Promise<void> | undefined
  private readonly handlers = new Map<NodeJS.Signals, () => void>()

  constructor(
    private readonly log: Logger,
    private readonly stepTimeoutMs = 10_000,
  ) {}

  register(name: string, run: Step['run']): void {
    this.steps.push({ name, run })
  }

  get stopping(): boolean {
    return this.running !== undefined
  }

  /** Installs signal handlers; the process exits with `exitCode` once every step has run. */
  installSignalHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const handler = () => {
        this.log.info({ signal }, 'shutting down')
        void this.run().then(
          () => exit(0),
          () => exit(1),
        )
      }
      this.handlers.set(signal, handler)
      process.once(signal, handler)
    }
  }

  run(): Promise<void> {
    this.running ??= this.runSteps()
    return this.running
  }

  private async runSteps(): Promise<void> {
    let failed = false
    for (const step of [...this.steps].reverse()) {
      try {
        await withTimeout(Promise.resolve().then(step.run), this.stepTimeoutMs, step.name)
        this.log.debug({ step: step.name }, 'stopped')
      } catch (err) {
        failed = true
        this.log.error({ err, step: step.name }, 'shutdown step failed')
      }
    }
    for (const [signal, handler] of this.handlers) process.removeListener(signal, handler)
    if (failed) throw new Error('shutdown finished with errors')
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not stop within ${ms} ms`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}
