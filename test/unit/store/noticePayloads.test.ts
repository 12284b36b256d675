import { describe, expect, it } from 'vitest'
import { MAX_NOTICE_PAYLOAD, noticePayloads, type ChangeNotice } from '../../../src/store/notificationEvents'

const notice = (i: number): ChangeNotice => ({ t: 'metadata.updated', c: 'eip155:1', k: 'eip155:1:0xabc', r: `eip155:1:0xabc:${i}` })

describe('noticePayloads', () => {
  it('packs notices in order into JSON arrays no longer than MAX_NOTICE_PAYLOAD bytes', () => {
    const notices = Array.from({ length: 500 }, (_, i) => notice(i))
    const payloads = noticePayloads(notices)
    expect(payloads.length).toBeGreaterThan(1)
    expect(payloads.length).toBeLessThan(20)
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_NOTICE_PAYLOAD)
    expect(payloads.flatMap((p) => JSON.parse(p) as ChangeNotice[])).toEqual(notices)
  })

  it('sends nothing for no notices and one array for a few', () => {
    expect(noticePayloads([])).toEqual([])
    expect(noticePayloads([notice(1), notice(2)])).toEqual([JSON.stringify([notice(1), notice(2)])])
  })
})
