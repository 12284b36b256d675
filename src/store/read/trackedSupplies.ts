import type { SqlExecutor } from '../sql'
import { stateSchemaFor } from '../processorSchema'

/** SIP-010 / ERC-20 supplies the processor tracks from mint and burn events, for one chain. */
export async function trackedSupplies(db: SqlExecutor, chain: string, standard: 'SIP010' | 'ERC20'): Promise<{ contractId: string; address: string; supply: bigint }[]> {
  const rows: { id: string; address: string; supply: string }[] = await db.query(
    `SELECT id, address, total_supply::text AS supply FROM contract WHERE chain = $1 AND standard = $2 AND total_supply IS NOT NULL ORDER BY id`,
    [chain, standard],
  )
  return rows.map((r) => ({ contractId: r.id, address: r.address, supply: BigInt(r.supply) }))
}

/** Highest block the chain's processor has written (final or hot); -1 before its first batch. */
export async function processorHeight(db: SqlExecutor, chain: string): Promise<number> {
  const schema = `"${stateSchemaFor(chain)}"`
  try {
    const [row]: { h: number | null }[] = await db.query(
      `SELECT greatest((SELECT height FROM ${schema}.status WHERE id = 0), (SELECT max(height) FROM ${schema}.hot_block))::int AS h`,
    )
    return row?.h ?? -1
  } catch (e) {
    if ((e as { code?: string }).code === '42P01') return -1 // the schema's tables do not exist until the processor connects
    throw e
  }
}
