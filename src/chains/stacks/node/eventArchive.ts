/**
 * Streamed reading of an event-observer archive: the Stacks Blockchain API's event export, one
 * request per line in Postgres `COPY … TO STDOUT` text format (`<id>\t<received-at>\t<path>\t<body>`,
 * backslash escapes in fields), plain or gzipped (told by the gzip magic bytes, not the name).
 * Memory is bounded by the longest line, whatever the file's size.
 */
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

export interface ArchiveRequest {
  /** 1-based line number in the (decompressed) file */
  line: number
  /** the request id the exporting API gave it */
  id: string
  path: string
  /** the JSON body, unescaped */
  body: string
}

export class ArchiveFormatError extends Error {}

export interface ArchiveReader {
  requests: AsyncGenerator<ArchiveRequest>
  /** file bytes read so far (compressed bytes for a .gz), for progress */
  bytesRead(): number
  totalBytes: number
}

export async function openEventArchive(file: string): Promise<ArchiveReader> {
  const { size } = await stat(file)
  const gzipped = await hasGzipMagic(file)
  const raw = createReadStream(file, { highWaterMark: 1 << 20 })
  const input: Readable = gzipped ? raw.pipe(createGunzip()) : raw
  raw.on('error', (e) => input.destroy(e))
  return { requests: parseLines(input, file), bytesRead: () => raw.bytesRead, totalBytes: size }
}

async function hasGzipMagic(file: string): Promise<boolean> {
  const fh = await open(file, 'r')
  try {
    const buf = Buffer.alloc(2)
    const { bytesRead } = await fh.read(buf, 0, 2, 0)
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b
  } finally {
    await fh.close()
  }
}

async function* parseLines(input: Readable, file: string): AsyncGenerator<ArchiveRequest> {
  const rl = createInterface({ input, crlfDelay: Infinity })
  let line = 0
  try {
    for await (const text of rl) {
      line++
      if (text.length === 0) continue
      yield parseLine(text, line, file)
    }
  } finally {
    rl.close()
    input.destroy()
  }
}

export function parseLine(text: string, line: number, file = 'archive'): ArchiveRequest {
  const a = text.indexOf('\t')
  const b = a < 0 ? -1 : text.indexOf('\t', a + 1)
  const c = b < 0 ? -1 : text.indexOf('\t', b + 1)
  if (c < 0) throw new ArchiveFormatError(`${file} line ${line}: expected 4 tab-separated fields (id, received-at, path, body)`)
  const path = unescapeCopyText(text.slice(b + 1, c))
  if (!path.startsWith('/')) throw new ArchiveFormatError(`${file} line ${line}: the path field ${JSON.stringify(path.slice(0, 40))} is not a request path`)
  return { line, id: text.slice(0, a), path, body: unescapeCopyText(text.slice(c + 1)) }
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

/** Undoes COPY text-format escaping: `\\`, `\n`, `\t`…, `\NNN` octal and `\xHH` hex. */
export function unescapeCopyText(s: string): string {
  if (!s.includes('\\')) return s
  return s.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|([\s\S]))/g, (_m, oct?: string, hex?: string, ch?: string) => {
    if (oct) return String.fromCharCode(parseInt(oct, 8))
    if (hex) return String.fromCharCode(parseInt(hex, 16))
    return ESCAPES[ch!] ?? ch!
  })
}
