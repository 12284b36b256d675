import type { StacksBlock, StacksBlockHeader, StacksBlockSource } from './blockSource'
import type { StacksLog } from './http'
import { API_LIMITS } from './apiTypes'

type Slot = { state: 'pending' } | { state: 'ready'; block: StacksBlock } | { state: 'failed'; error: unknown }

interface Entry {
  slot: Slot
  /** resolves (never rejects) once the slot is ready or failed */
  settled: Promise<void>
}

interface HeaderPage {
  /** highest height the page was asked for */
  to: number
  headers: Promise<Map<number, StacksBlockHeader> | undefined>
}

/** Headers are read in pages of the block list's size, aligned on multiples of it. */
const PAGE = API_LIMITS.blocks.max

/**
 * The blocks the processor applies next, fetched ahead: heights `next .. next + size - 1` (up to
 * the tip) are in flight or ready at all times, so fetching never waits for the database or for
 * the slowest block of a batch. Blocks leave in height order through `take`. A block whose fetch
 * failed is fetched again on the next `take`; the blocks around it are kept.
 *
 * When the source can list headers (`getHeaders`), a page of them is read once for up to 30
 * blocks and each block's fetch starts from its header; a height the page lacks (the chain moved)
 * or a page that failed falls back to the block's own header read.
 */
export class PrefetchWindow {
  private next: number
  private tip: number
  private readonly entries = new Map<number, Entry>()
  private readonly pages = new Map<number, HeaderPage>()

  constructor(
    private readonly source: StacksBlockSource,
    private readonly size: number,
    from: number,
    tip: number,
    private readonly log?: StacksLog,
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`prefetch window must hold at least one block: ${size}`)
    this.next = from
    this.tip = tip
  }

  /** The height `take` hands out next. */
  get nextHeight(): number {
    return this.next
  }

  /** Blocks fetched or being fetched. */
  get inFlight(): number {
    return this.entries.size
  }

  /** Starts over at `from` (a fork, or blocks handed out that were not applied): what was fetched is dropped. */
  restart(from: number): void {
    this.entries.clear()
    this.pages.clear()
    this.next = from
    this.fill()
  }

  /** Puts blocks that were taken but not applied back at the front, ready (they need no fetch). */
  putBack(blocks: StacksBlock[]): void {
    if (blocks.length === 0) return
    if (blocks[blocks.length - 1].height + 1 !== this.next) {
      this.restart(blocks[0].height)
      return
    }
    for (const block of blocks) this.entries.set(block.height, { slot: { state: 'ready', block }, settled: Promise.resolve() })
    this.next = blocks[0].height
  }

  /** The tip moved: fetch up to it. Fetches above a lower tip are kept (the processor's fork check judges them). */
  setTip(height: number): void {
    this.tip = height
    this.fill()
  }

  /**
   * Waits for the next block and returns it with the ready blocks that follow it (at most `max`
   * in all); empty when the next height is above the tip. Throws the next block's fetch error
   * (that block is fetched again on the next call).
   */
  async take(max: number): Promise<StacksBlock[]> {
    this.fill()
    const first = this.entries.get(this.next)
    if (!first) return []
    await first.settled
    const out: StacksBlock[] = []
    for (let h = this.next; out.length < max; h++) {
      const slot = this.entries.get(h)?.slot
      if (slot?.state === 'failed' && out.length === 0) {
        this.entries.delete(h)
        throw slot.error
      }
      if (slot?.state !== 'ready') break
      out.push(slot.block)
      this.entries.delete(h)
    }
    this.next += out.length
    for (const start of this.pages.keys()) if (start + PAGE <= this.next) this.pages.delete(start)
    this.fill()
    return out
  }

  private fill(): void {
    const end = Math.min(this.tip, this.next + this.size - 1)
    for (let h = this.next; h <= end; h++) if (!this.entries.has(h)) this.start(h)
  }

  private start(height: number): void {
    const entry: Entry = { slot: { state: 'pending' }, settled: Promise.resolve() }
    entry.settled = this.fetch(height).then(
      (block) => {
        entry.slot = { state: 'ready', block }
      },
      (error: unknown) => {
        entry.slot = { state: 'failed', error }
      },
    )
    this.entries.set(height, entry)
  }

  private async fetch(height: number): Promise<StacksBlock> {
    const header = await this.headerOf(height)
    return this.source.getBlockWithEvents(height, header)
  }

  private async headerOf(height: number): Promise<StacksBlockHeader | undefined> {
    const getHeaders = this.source.getHeaders?.bind(this.source)
    if (!getHeaders) return undefined
    const start = Math.floor(height / PAGE) * PAGE
    let page = this.pages.get(start)
    if (!page || page.to < height) {
      const to = Math.min(start + PAGE - 1, Math.max(height, this.tip))
      const from = page ? page.to + 1 : Math.max(start, height)
      const tip = this.tip
      page = {
        to,
        headers: getHeaders(from, to, tip).then(
          (list) => new Map(list.map((h) => [h.height, h])),
          (err: unknown) => {
            // the blocks of this page read their own headers instead; the page is asked again later
            this.log?.('warn', 'stacks header page failed; reading headers one by one', { from, to, error: String(err) })
            if (this.pages.get(start) === page) this.pages.delete(start)
            return undefined
          },
        ),
      }
      this.pages.set(start, page)
    }
    const headers = await page.headers
    return headers?.get(height)
  }
}
