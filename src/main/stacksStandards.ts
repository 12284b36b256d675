import type { TokenStandardName } from '../core/standards'
import type { ContractInterface } from '../chains/stacks/apiTypes'
import { detectStandard } from '../chains/stacks/detectStandard'
import type { SqlExecutor } from '../store/sql'
import { storeAssetNames } from '../store/contracts'

interface Known {
  standard: TokenStandardName | null
  /** The asset the contract defines (Hiro's asset_identifier is `<principal>::<assetName>`). */
  assetName: string | null
}

/**
 * Token standards and asset names of Stacks contracts: known contracts from the store, others
 * detected once from their interface (a negative answer is remembered too, so a busy non-token
 * contract costs one interface lookup per process, not one per event; the interfaces themselves
 * come from the shared Postgres cache, one API request per contract ever). A known token contract
 * without a stored asset name (indexed before names were kept) has its interface read once, and
 * `writeAssetNames` stores the name in the batch's transaction.
 *
 * An interface comes from the batch itself when the block source carries it (the node's
 * `contract_abi` on a deployment), else from the API when one is configured. With neither, the
 * contract is unresolved: `isUnresolved` says so and its events are kept (pendingEvents.ts).
 */
export class StacksStandards {
  private readonly cache = new Map<string, Known>()
  /** Contract ids (chain-qualified) whose asset name is known here but not stored yet. */
  private readonly unstored = new Set<string>()
  /** Contract ids with no interface source in this process (no API, not deployed in a read block). */
  private readonly unresolved = new Set<string>()

  constructor(
    private readonly chain: string,
    /** Where interfaces come from when the batch does not carry one: the shared Postgres cache (over the API when one is configured). */
    private readonly interfaceOf: (contractId: string) => Promise<ContractInterface | undefined>,
    /** Whether a missing interface can be asked of an API; without one, a contract with none known is unresolved. */
    private readonly canFetch: boolean,
  ) {}

  /** Resolves every contract id the batch mentions; afterwards `get` answers synchronously. */
  async prepare(db: SqlExecutor, contractIds: Iterable<string>, local: ReadonlyMap<string, ContractInterface> = new Map()): Promise<void> {
    const missing = [...new Set(contractIds)].filter((id) => !this.cache.has(id) || (this.unresolved.has(id) && local.has(id)))
    if (missing.length === 0) return
    const known: { address: string; standard: TokenStandardName; asset_name: string | null }[] = await db.query(
      `SELECT address, standard, asset_name FROM contract WHERE id = ANY($1::text[])`,
      [missing.map((a) => `${this.chain}:${a}`)],
    )
    const named = new Set<string>()
    for (const k of known) {
      this.cache.set(k.address, { standard: k.standard, assetName: k.asset_name })
      if (k.asset_name !== null) named.add(k.address)
    }
    const unknown = missing.filter((id) => !named.has(id))
    await Promise.all(
      unknown.map(async (id) => {
        const iface = local.get(id) ?? (await this.interfaceOf(id))
        if (!iface && !this.canFetch && !this.cache.has(id)) this.unresolved.add(id)
        else this.unresolved.delete(id)
        const standard = this.cache.get(id)?.standard ?? (iface ? (detectStandard(iface) ?? null) : null)
        const assetName = iface && standard ? assetNameOf(iface, standard) : null
        this.cache.set(id, { standard, assetName })
        if (assetName !== null) this.unstored.add(`${this.chain}:${id}`)
      }),
    )
  }

  /** True for a contract whose interface could not be had (its events are to be kept). */
  isUnresolved(contractId: string): boolean {
    return this.unresolved.has(contractId)
  }

  /** Forgets what is known of these contracts, so the next `prepare` asks again. */
  forget(contractIds: Iterable<string>): void {
    for (const id of contractIds) {
      this.cache.delete(id)
      this.unresolved.delete(id)
    }
  }

  get(contractId: string): TokenStandardName | undefined {
    return this.cache.get(contractId)?.standard ?? undefined
  }

  /**
   * Stores the asset names learnt since the last call on the contract rows that exist now (call
   * after the batch's events are applied, in its transaction). Names of contracts without a row
   * yet stay pending for a later batch.
   */
  async writeAssetNames(db: SqlExecutor): Promise<void> {
    if (this.unstored.size === 0) return
    const ids = [...this.unstored]
    const names = ids.map((id) => this.cache.get(id.slice(this.chain.length + 1))!.assetName)
    for (const id of await storeAssetNames(db, ids, names)) this.unstored.delete(id)
  }
}

/** The asset a token contract defines: its fungible token for SIP-010, its NFT for SIP-009; SIP-013 keeps balances in a fungible token. */
export function assetNameOf(iface: ContractInterface, standard: TokenStandardName): string | null {
  const ft = iface.fungible_tokens[0]?.name ?? null
  const nft = iface.non_fungible_tokens[0]?.name ?? null
  if (standard === 'SIP009') return nft
  if (standard === 'SIP010') return ft
  if (standard === 'SIP013') return ft ?? nft
  return null
}
