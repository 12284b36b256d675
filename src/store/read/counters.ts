import type { ReadDb } from './readDb'

/**
 * Counts kept by triggers (db/migrations/*-Infrastructure.js): per chain, jobs by status
 * (scope 'job'), tokens by standard ('token'), contracts by standard ('contract'). Reading them
 * sums the compacted totals and the deltas not yet compacted: no COUNT(*) over big tables.
 */
export interface CounterRow {
  scope: string
  chain: string
  name: string
  total: number
}

// Only the per-chain scopes: the per-collection ones (collectionStats.ts) are many and read per contract.
const COUNTERS_SQL = `
SELECT scope, chain, name, sum(total)::text AS total
  FROM (SELECT scope, chain, name, total FROM counter WHERE scope IN ('job', 'token', 'contract')
        UNION ALL SELECT scope, chain, name, delta FROM counter_delta WHERE scope IN ('job', 'token', 'contract')) x
 GROUP BY scope, chain, name`

export async function readCounters(db: ReadDb): Promise<CounterRow[]> {
  const rows = await db.query<{ scope: string; chain: string; name: string; total: string }>(COUNTERS_SQL)
  return rows.map((r) => ({ scope: r.scope, chain: r.chain, name: r.name, total: Number(r.total) }))
}

/** scope -> chain -> name -> total. */
export type CounterIndex = Map<string, Map<string, Map<string, number>>>

export function indexCounters(rows: readonly CounterRow[]): CounterIndex {
  const index: CounterIndex = new Map()
  for (const r of rows) {
    let byChain = index.get(r.scope)
    if (!byChain) index.set(r.scope, (byChain = new Map()))
    let byName = byChain.get(r.chain)
    if (!byName) byChain.set(r.chain, (byName = new Map()))
    byName.set(r.name, (byName.get(r.name) ?? 0) + r.total)
  }
  return index
}

export function counterValue(index: CounterIndex, scope: string, chain: string, name: string): number {
  return index.get(scope)?.get(chain)?.get(name) ?? 0
}
