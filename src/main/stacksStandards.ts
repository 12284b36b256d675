import type { TokenStandardName } from '../core/standards'
import { detectStandard } from '../chains/stacks/detectStandard'
import { getContractInterface } from '../chains/stacks/readOnly'
import type { SqlExecutor } from '../store/sql'

/**
 * Token standards of Stacks contracts: known contracts from the store, others detected once from
 * their interface (a negative answer is remembered too, so a busy non-token contract costs one
 * interface request per process, not one per event).
 */
export class StacksStandards {
  private readonly cache = new Map<string, TokenStandardName | null>()

  constructor(
    private readonly chain: string,
    private readonly apiUrl: string,
  ) {}

  /** Resolves every contract id the batch mentions; afterwards `get` answers synchronously. */
  async prepare(db: SqlExecutor, contractIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(contractIds)].filter((id) => !this.cache.has(id))
    if (missing.length === 0) return
    const known: { address: string; standard: TokenStandardName }[] = await db.query(
      `SELECT address, standard FROM contract WHERE id = ANY($1::text[])`,
      [missing.map((a) => `${this.chain}:${a}`)],
    )
    for (const k of known) this.cache.set(k.address, k.standard)
    const unknown = missing.filter((id) => !this.cache.has(id))
    await Promise.all(
      unknown.map(async (id) => {
        const iface = await getContractInterface(this.apiUrl, id)
        this.cache.set(id, iface ? (detectStandard(iface) ?? null) : null)
      }),
    )
  }

  get(contractId: string): TokenStandardName | undefined {
    return this.cache.get(contractId) ?? undefined
  }
}
