import type { ChainReaders } from '../../core/chainReader'

/**
 * Collection owners as their contracts report them (`owner()`, OpenZeppelin Ownable), read
 * through the chain readers and remembered in this process's memory for `ttlMs` (answers
 * "no owner" included, failures not). Memory, not Postgres: a read costs one eth_call, every API
 * process may hold its own copy, and an ownership transfer is honoured within the ttl.
 */
export class CollectionOwners {
  private readonly cache = new Map<string, { owner: string | null; until: number }>()

  constructor(
    private readonly readers: ChainReaders,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The lowercase owner address, or null when the contract has no owner() (or the chain has no
   * reader that can ask). Throws the reader's RetryableError when the node is unavailable.
   */
  async ownerOf(chain: string, address: string): Promise<string | null> {
    const key = `${chain}:${address.toLowerCase()}`
    const now = this.clock()
    const hit = this.cache.get(key)
    if (hit && hit.until > now) return hit.owner
    const reader = this.readers.get(chain)
    const owner = reader?.contractOwner ? await reader.contractOwner(address) : null
    if (this.ttlMs > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!)
      this.cache.set(key, { owner: owner?.toLowerCase() ?? null, until: now + this.ttlMs })
    }
    return owner?.toLowerCase() ?? null
  }
}

/** Bounds the memory a stream of signed requests for made-up collections can take. */
const MAX_ENTRIES = 10_000
