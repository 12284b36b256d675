import { mkdir, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { MediaStorage } from './storage'

/**
 * Files under one directory. Writes go to a temporary name and are renamed into place, so a
 * reader (the API) never sees half a file and a crash leaves no partial file under a real key.
 */
export class LocalMediaStorage implements MediaStorage {
  readonly name = 'local' as const
  constructor(readonly dir: string) {}

  pathOf(key: string): string {
    return path.join(this.dir, ...key.split('/'))
  }

  async put(key: string, body: Buffer): Promise<void> {
    const target = this.pathOf(key)
    await mkdir(path.dirname(target), { recursive: true })
    const tmp = `${target}.${randomBytes(4).toString('hex')}.tmp`
    await writeFile(tmp, body)
    await rename(tmp, target)
  }
}
