import fs from 'node:fs'
import path from 'node:path'

/** `token-metadata-squid v<version>`, from the package.json next to src/ or lib/. */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { name?: string; version?: string }
    return `${pkg.name ?? 'token-metadata-squid'} v${pkg.version ?? '0.0.0'}`
  } catch {
    return 'token-metadata-squid'
  }
}
