import fs from 'node:fs'
import path from 'node:path'

/** The package's version; package.json sits two levels above both src/cli and lib/cli. */
export function packageVersion(): string {
  const file = path.resolve(__dirname, '../../package.json')
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version
}
