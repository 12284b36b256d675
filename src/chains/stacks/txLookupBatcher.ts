import type { RequestBudget } from '../../lib/requestBudget'
import type { ApiTxMultiple, ApiTxMultipleEntry } from './apiTypes'

/**
 * Sends one `/extended/v1/tx/multiple` request for ids queued so far. `priority` is the lowest
 * block of the batch; `tokenTaken` says the batcher already took the first attempt's token.
 */
export type TxMultipleFetch = (ids: string[], priority: number, tokenTaken: boolean) => Promise<ApiTxMultiple>

interface Waiting {
  id: string
  priority: number
  settle: (r: { entry?: ApiTxMultipleEntry; error?: unknown }) => void
}

/**
 * Transaction lookups (`/extended/v1/tx/multiple`) of every block being fetched, coalesced into
 * shared requests of up to `maxIds` ids, lowest blocks first. The batcher takes a budget token
 * before it forms a request, so while the budget has none the ids of many blocks queue up and
 * leave together: under a request limit, one lookup serves several blocks instead of one each.
 * Without a limit, the ids asked for in the same turn of the event loop share a request.
 *
 * Each caller gets the entries of its own ids (or the request's error) and checks them itself:
 * a block that does not add up fails alone.
 */
export class TxLookupBatcher {
  private readonly queue: Waiting[] = []
  private draining = false

  constructor(
    private readonly fetchMany: TxMultipleFetch,
    private readonly maxIds: number,
    private readonly budget?: RequestBudget,
  ) {
    if (!Number.isSafeInteger(maxIds) || maxIds < 1) throw new RangeError(`a lookup needs room for one id at least: ${maxIds}`)
  }

  /** The API's entry for each id (undefined: absent from the answer). Rejects with the request's error. */
  async lookup(ids: string[], priority: number): Promise<Map<string, ApiTxMultipleEntry | undefined>> {
    const answers = ids.map((id) => new Promise<{ entry?: ApiTxMultipleEntry; error?: unknown }>((settle) => this.queue.push({ id, priority, settle })))
    if (!this.draining) void this.drain()
    const settled = await Promise.all(answers)
    const failed = settled.find((s) => s.error !== undefined)
    if (failed) throw failed.error
    return new Map(ids.map((id, i) => [id, settled[i].entry]))
  }

  private async drain(): Promise<void> {
    this.draining = true
    try {
      while (this.queue.length > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve)) // ids of this turn join
        const priority = Math.min(...this.queue.map((w) => w.priority))
        await this.budget?.take(priority) // while waiting, more ids join
        this.queue.sort((a, b) => a.priority - b.priority)
        const batch = this.takeBatch()
        void this.send(batch, priority)
      }
    } finally {
      this.draining = false
    }
  }

  /** Up to maxIds distinct ids from the front of the queue, with every waiter for them. */
  private takeBatch(): Waiting[] {
    const ids = new Set<string>()
    const batch: Waiting[] = []
    const rest: Waiting[] = []
    for (const w of this.queue) {
      if (ids.has(w.id) || ids.size < this.maxIds) {
        ids.add(w.id)
        batch.push(w)
      } else rest.push(w)
    }
    this.queue.splice(0, this.queue.length, ...rest)
    return batch
  }

  private async send(batch: Waiting[], priority: number): Promise<void> {
    try {
      const answer = await this.fetchMany([...new Set(batch.map((w) => w.id))], priority, this.budget !== undefined)
      for (const w of batch) w.settle({ entry: answer[w.id] })
    } catch (error) {
      for (const w of batch) w.settle({ error })
    }
  }
}
