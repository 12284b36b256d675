import fs from 'node:fs'
import path from 'node:path'

/**
 * The package's root folder: the nearest folder above this file that holds a package.json.
 * Searched for, not assumed at a fixed depth, because the same source runs from src/ (vitest),
 * from lib/ (tsc) and from the benchmarks' and drills' own builds (.cache/<tool>/src/).
 */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) throw new Error(`no package.json in any folder above ${__dirname}`)
  }
}

/** The package's name and version, from its package.json. */
export function packageJson(): { name: string; version: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { name?: string; version?: string }
  return { name: pkg.name ?? 'token-metadata-squid', version: pkg.version ?? '0.0.0' }
}
