/**
 * Exit codes of `token-metadata`, and the errors that choose them. Errors of these classes are
 * expected: the CLI prints their message alone (never a stack trace) and exits with the code.
 */
export const EXIT = {
  OK: 0,
  /** The command ran and failed: a metadata error, a key not found, a database unreachable. */
  FAILURE: 1,
  /** The command line or the configuration is wrong; nothing was attempted. */
  USAGE: 2,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Something expected went wrong; `exitCode` says what kind. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.FAILURE,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** A bad argument or option value; the message names the value. */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.USAGE, options)
  }
}
