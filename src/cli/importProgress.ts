import type { ArchiveReader } from '../chains/stacks/node/eventArchive'
import type { TextSink } from './cliIo'

interface Counts {
  requests: number
  blocks: number
}

/**
 * One self-rewriting progress line on a terminal (requests, blocks, rate, share of the file read
 * and ETA), redrawn at most twice a second; nothing when stderr is not a terminal.
 */
export class ImportProgress {
  private readonly started = Date.now()
  private last = 0
  private drawn = false
  private readonly tty: boolean

  constructor(
    private readonly out: TextSink,
    private readonly archive: ArchiveReader,
  ) {
    this.tty = (out as { isTTY?: boolean }).isTTY === true
  }

  update(c: Counts): void {
    if (!this.tty) return
    const now = Date.now()
    if (now - this.last < 500) return
    this.last = now
    this.drawn = true
    this.out.write(`\r\x1b[2K${progressLine(c, this.archive.bytesRead(), this.archive.totalBytes, (now - this.started) / 1000)}`)
  }

  stop(): void {
    if (this.drawn) this.out.write('\n')
  }
}

export function progressLine(c: Counts, bytesRead: number, totalBytes: number, seconds: number): string {
  const share = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 0
  const rate = seconds > 0 ? c.blocks / seconds : 0
  const eta = share > 0 && share < 1 ? (seconds * (1 - share)) / share : 0
  return `requests ${c.requests.toLocaleString('en-US')} · blocks ${c.blocks.toLocaleString('en-US')} · ${rate.toFixed(0)} blocks/s · ${(share * 100).toFixed(1)}% · ETA ${duration(eta)}`
}

function duration(s: number): string {
  if (s < 60) return `${Math.round(s)}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
