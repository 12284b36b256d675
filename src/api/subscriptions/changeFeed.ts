import type { Logger } from '../../lib/logger'
import { PgListener } from '../../lib/pgListener'
import { CHANGE_CHANNEL, type ChangeNotice } from '../../store/notificationEvents'

/** What a subscriber wants: one contract's changes, or one token's. */
export interface ChangeFilter {
  contractId: string
  /** A token ref, or undefined for every change of the contract. */
  tokenRef?: string
}

/** The subscriber read too slowly: more than its buffer of changes waited. */
export class SubscriberTooSlowError extends Error {
  constructor(buffer: number) {
    super(`more than ${buffer} changes waited for this subscription: it was ended (read faster, or subscribe to fewer changes)`)
    this.name = 'SubscriberTooSlowError'
  }
}

interface Subscriber {
  filter: ChangeFilter
  queue: ChangeNotice[]
  wake: (() => void) | undefined
  failed: boolean
}

/**
 * The API process's one LISTEN on the change channel (src/store/notificationEvents.ts),
 * fanned out in memory to the GraphQL subscriptions it serves: any API process serves any
 * subscriber, since every change is NOTIFYed to all of them at commit.
 *
 * A bulk notice (a backfill batch announced once per contract) reaches the contract's token
 * subscribers too; contract-level events (refresh.completed) reach contract subscribers only. Each subscriber has a bounded queue: a client that falls
 * `buffer` changes behind is ended with SubscriberTooSlowError rather than buffered without end.
 */
export class ChangeFeed {
  private readonly listener: PgListener
  private readonly subscribers = new Set<Subscriber>()

  constructor(
    url: string,
    private readonly buffer: number,
    private readonly log?: Logger,
    /** Told the number of subscribers whenever it changes (a gauge). */
    private readonly onSize?: (n: number) => void,
  ) {
    this.listener = new PgListener(url, CHANGE_CHANNEL, (payload) => this.dispatch(payload), log)
  }

  start(): Promise<void> {
    return this.listener.start()
  }

  async stop(): Promise<void> {
    await this.listener.stop()
    const open = [...this.subscribers]
    this.subscribers.clear()
    for (const s of open) s.wake?.()
    this.onSize?.(0)
  }

  get size(): number {
    return this.subscribers.size
  }

  /** Changes matching `filter` from now on, until the iterator is returned (the client went away). */
  subscribe(filter: ChangeFilter): AsyncIterableIterator<ChangeNotice> {
    const sub: Subscriber = { filter, queue: [], wake: undefined, failed: false }
    this.subscribers.add(sub)
    this.onSize?.(this.subscribers.size)
    const buffer = this.buffer
    const subscribers = this.subscribers
    const leave = () => {
      if (subscribers.delete(sub)) this.onSize?.(subscribers.size)
    }
    const iterator: AsyncIterableIterator<ChangeNotice> = {
      [Symbol.asyncIterator]: () => iterator,
      async next(): Promise<IteratorResult<ChangeNotice>> {
        for (;;) {
          if (sub.failed) {
            leave()
            throw new SubscriberTooSlowError(buffer)
          }
          const value = sub.queue.shift()
          if (value) return { value, done: false }
          if (!subscribers.has(sub)) return { value: undefined, done: true }
          await new Promise<void>((resolve) => (sub.wake = resolve))
          sub.wake = undefined
        }
      },
      async return(): Promise<IteratorResult<ChangeNotice>> {
        leave()
        sub.wake?.()
        return { value: undefined, done: true }
      },
    }
    return iterator
  }

  /** A payload is a JSON array of notices (noticePayloads), or one notice. */
  private dispatch(payload: string | undefined): void {
    if (!payload) return
    let notices: ChangeNotice[]
    try {
      const parsed = JSON.parse(payload) as ChangeNotice | ChangeNotice[]
      notices = Array.isArray(parsed) ? parsed : [parsed]
    } catch (err) {
      this.log?.warn({ err }, 'unreadable change notice ignored')
      return
    }
    for (const notice of notices) this.deliver(notice)
  }

  private deliver(notice: ChangeNotice): void {
    for (const s of this.subscribers) {
      if (s.filter.contractId !== notice.k) continue
      if (s.filter.tokenRef !== undefined && notice.r !== s.filter.tokenRef && !notice.b) continue
      if (s.queue.length >= this.buffer) s.failed = true
      else s.queue.push(notice)
      s.wake?.()
    }
  }
}
