import { ConfigError } from '../config'

/**
 * Runs a process's main: a configuration error exits 2 with its message (which names every bad
 * variable), anything else exits 1 with its stack.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(1)
  })
}
