import type { DataSource, EntityManager } from 'typeorm'
import type { SqlExecutor } from './sql'

/** Asks the API for a contract's interface; undefined when there is no such contract (or no API to ask). */
export type InterfaceFetcher<I> = (contractId: string) => Promise<I | undefined>

/**
 * Stacks contract interfaces stored in Postgres (`stacks_contract_interface`, this module's
 * table): one API request per contract, ever, shared by the processor, the workers and the API.
 *
 * A deployed Clarity contract cannot change, so a stored interface is served for good. A process
 * that misses takes a transaction-scoped advisory lock on the contract, reads again, and only then
 * asks the API, so processes that miss at the same moment still make one request between them;
 * concurrent misses inside one process share one promise. "No such contract" is not stored: the
 * contract may be deployed later, or the API may lag behind the chain.
 *
 * The interface is stored as the JSON the API answered (`I` is its type, which the chain code
 * owns: the store does not look inside).
 *
 * Limit: a contract id deployed in a block that is then orphaned, and deployed again with other
 * code on the canonical chain, keeps the interface first stored (an id is its deployer's address
 * and a name, so only the same deployer can do this).
 */
export class StacksContractInterfaces<I> {
  private readonly inFlight = new Map<string, Promise<I | undefined>>()

  constructor(
    private readonly ds: DataSource,
    private readonly chain: string,
    private readonly fetchInterface: InterfaceFetcher<I>,
  ) {}

  /** The contract's interface (stored, else fetched once and stored), or undefined when it does not exist. */
  get(contractId: string): Promise<I | undefined> {
    let pending = this.inFlight.get(contractId)
    if (!pending) {
      pending = this.load(contractId).finally(() => this.inFlight.delete(contractId))
      this.inFlight.set(contractId, pending)
    }
    return pending
  }

  private async load(contractId: string): Promise<I | undefined> {
    const stored = await this.stored(this.ds.manager, contractId)
    if (stored) return stored
    return this.ds.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`stacks_contract_interface:${this.chain}:${contractId}`])
      const raced = await this.stored(tx, contractId)
      if (raced) return raced
      const iface = await this.fetchInterface(contractId)
      if (iface) {
        await tx.query(`INSERT INTO stacks_contract_interface (chain, contract_id, interface) VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING`, [
          this.chain,
          contractId,
          JSON.stringify(iface),
        ])
      }
      return iface
    })
  }

  /**
   * Stores interfaces learnt without a request (a deployment's `contract_abi` in the node's event
   * stream), in the caller's transaction, so a later process knows them with no API configured.
   * An interface already stored stays (a deployed contract cannot change).
   */
  async remember(db: SqlExecutor, interfaces: ReadonlyMap<string, I>): Promise<void> {
    if (interfaces.size === 0) return
    const ids = [...interfaces.keys()].sort()
    await db.query(
      `INSERT INTO stacks_contract_interface (chain, contract_id, interface)
       SELECT $1, id, iface FROM unnest($2::text[], $3::jsonb[]) AS i(id, iface)
       ON CONFLICT DO NOTHING`,
      [this.chain, ids, ids.map((id) => JSON.stringify(interfaces.get(id)))],
    )
  }

  private async stored(db: EntityManager, contractId: string): Promise<I | undefined> {
    const [row] = (await db.query(`SELECT interface FROM stacks_contract_interface WHERE chain = $1 AND contract_id = $2`, [this.chain, contractId])) as {
      interface: I
    }[]
    return row?.interface
  }
}
