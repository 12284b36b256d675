/** Where a CLI run reads its environment and writes its output; injected so tests run in-process. */
export interface TextSink {
  write(text: string): unknown
}

export interface CliIo {
  stdout: TextSink
  stderr: TextSink
  /** Environment the configuration is parsed from (process.env in the real command). */
  env: Record<string, string | undefined>
  /** Clock for createdAt / revokedAt; default: the system clock. */
  now?: () => Date
}

export function nowOf(io: CliIo): Date {
  return io.now ? io.now() : new Date()
}

export function writeLine(sink: TextSink, text = ''): void {
  sink.write(`${text}\n`)
}
