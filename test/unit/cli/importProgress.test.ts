// The progress line of `stacks import-events` on a terminal.
import { describe, expect, it } from 'vitest'
import { ImportProgress, progressLine } from '../../../src/cli/importProgress'

describe('import progress', () => {
  it('shows requests, blocks, rate, share of the file read and the time left', () => {
    expect(progressLine({ requests: 12_345, blocks: 4_000 }, 250, 1000, 20)).toBe('requests 12,345 · blocks 4,000 · 200 blocks/s · 25.0% · ETA 1m00s')
    expect(progressLine({ requests: 10, blocks: 5 }, 0, 1000, 0)).toBe('requests 10 · blocks 5 · 0 blocks/s · 0.0% · ETA 0s')
  })

  it('writes nothing when stderr is not a terminal', () => {
    let written = ''
    const p = new ImportProgress({ write: (s: string) => (written += s) }, { bytesRead: () => 1, totalBytes: 2, requests: (async function* () {})() })
    p.update({ requests: 1, blocks: 1 })
    p.stop()
    expect(written).toBe('')
  })

  it('redraws one line in place on a terminal and ends it on stop', () => {
    let written = ''
    const p = new ImportProgress({ write: (s: string) => (written += s), isTTY: true } as { write(s: string): void; isTTY: boolean }, {
      bytesRead: () => 1,
      totalBytes: 2,
      requests: (async function* () {})(),
    })
    p.update({ requests: 3, blocks: 2 })
    p.stop()
    expect(written.startsWith('\r\x1b[2Krequests 3 · blocks 2 · ')).toBe(true)
    expect(written.endsWith('\n')).toBe(true)
  })
})
