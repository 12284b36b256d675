import { loadConfig } from '../config'
import { EXIT, type ExitCode } from './cliErrors'
import { writeLine, type CliIo } from './cliIo'
import { parseInspectOptions, type RawInspectOptions } from './inspectOptions'
import { inspectToken } from './inspectToken'
import { metadataLoaderOptions } from './metadataLoaderOptions'

/**
 * `token-metadata inspect`: prints one JSON report on stdout (also on failure, so scripts can
 * read `error.code`), plus a one-line summary of a failure on stderr for people.
 * Exit 0 = metadata loaded, 1 = metadata error, 2 = usage or configuration error (thrown).
 */
export async function inspectCommand(uri: string | undefined, raw: RawInspectOptions, io: CliIo): Promise<ExitCode> {
  const opts = parseInspectOptions(uri, raw)
  const config = loadConfig(io.env)
  const { options, agent } = metadataLoaderOptions(config, { allow: opts.allow, timeoutMs: opts.timeoutMs })
  try {
    const report = await inspectToken(opts, options)
    writeLine(io.stdout, JSON.stringify(report, null, 2))
    if (!report.error) return EXIT.OK
    const where = report.error.url ? ` (${report.error.url})` : ''
    writeLine(io.stderr, `error: ${report.error.code}: ${report.error.message}${where}`)
    return EXIT.FAILURE
  } finally {
    await agent.destroy()
  }
}
