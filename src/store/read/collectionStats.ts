import type { ReadDb } from './readDb'
import { traitSetCounts, type FacetCount, type FacetFilter } from './traitSets'

export type { FacetCount, FacetFilter } from './traitSets'

/**
 * Per-collection figures kept by triggers (db/migrations/*-ExplorerQueries.js): token and holder
 * counts, token jobs by the status readers see, and counts per trait value. Each read sums the
 * folded totals and the deltas not folded yet, for the asked contracts only: no COUNT over tokens.
 */
export interface MetadataCounts {
  available: number
  pending: number
  stale: number
  failed: number
  invalid: number
}

export interface CollectionStats {
  tokenCount: number
  holderCount: number
  metadataCounts: MetadataCounts
}

const STATS_SQL = `
SELECT chain AS contract_id, scope, name, sum(total)::text AS total
  FROM (SELECT scope, chain, name, total FROM counter WHERE scope IN ('ctoken', 'holders', 'cmeta') AND chain = ANY($1::text[])
        UNION ALL
        SELECT scope, chain, name, delta FROM counter_delta WHERE scope IN ('ctoken', 'holders', 'cmeta') AND chain = ANY($1::text[])) x
 GROUP BY 1, 2, 3`

/** Stats of each contract, in the order asked. */
export async function collectionStats(db: ReadDb, contractIds: readonly string[]): Promise<CollectionStats[]> {
  if (contractIds.length === 0) return []
  const rows = await db.query<{ contract_id: string; scope: string; name: string; total: string }>(STATS_SQL, [contractIds])
  const byContract = new Map(contractIds.map((id) => [id, emptyStats()]))
  for (const r of rows) {
    const s = byContract.get(r.contract_id)!
    const n = Number(r.total)
    if (r.scope === 'ctoken') s.tokenCount = n
    else if (r.scope === 'holders') s.holderCount = n
    else if (r.name in s.metadataCounts) s.metadataCounts[r.name as keyof MetadataCounts] = n
  }
  return contractIds.map((id) => byContract.get(id)!)
}

function emptyStats(): CollectionStats {
  return { tokenCount: 0, holderCount: 0, metadataCounts: { available: 0, pending: 0, stale: 0, failed: 0, invalid: 0 } }
}

export interface TraitFacet {
  traitType: string
  values: { value: string; count: number }[]
}

/** The counter name of a trait value: trait type and value joined by the unit separator. */
const SEP = '\u001f'

const TRAITS_SQL = `
SELECT name, sum(total)::text AS total
  FROM (SELECT name, total FROM counter WHERE scope = 'trait' AND chain = $1
        UNION ALL SELECT name, delta FROM counter_delta WHERE scope = 'trait' AND chain = $1) x
 GROUP BY name HAVING sum(total) > 0`

/** Counts per trait value of a whole collection, trait types and values sorted by name, then count. */
export async function traitCounts(db: ReadDb, contractId: string): Promise<TraitFacet[]> {
  const rows = await db.query<{ name: string; total: string }>(TRAITS_SQL, [contractId])
  return facets(
    rows.map((r) => {
      const at = r.name.indexOf(SEP)
      return { traitType: r.name.slice(0, at), value: r.name.slice(at + 1), count: Number(r.total) }
    }),
  )
}

/**
 * Facet counts given the active filters, as a marketplace sidebar shows them: each trait type's
 * values are counted over the tokens that match every filter on the other trait types (so a
 * filtered trait still shows its alternatives). From the collection's trait token sets when they
 * are current (bitmap intersections, traitSets.ts), else by the exact scan of attribute rows.
 */
export async function filteredTraitCounts(db: ReadDb, contractId: string, filters: readonly FacetFilter[]): Promise<TraitFacet[]> {
  if (filters.length === 0) return traitCounts(db, contractId)
  const fromSets = await traitSetCounts(db, contractId, filters)
  return facets(fromSets ?? (await scannedTraitCounts(db, contractId, filters)))
}

/**
 * The same counts from the attribute rows: one index range per filter, one scan of the matching
 * tokens' attribute rows per filtered trait type plus one for the rest.
 */
export async function scannedTraitCounts(db: ReadDb, contractId: string, filters: readonly FacetFilter[]): Promise<FacetCount[]> {
  const params: unknown[] = [contractId]
  const matching = (except?: string) => {
    const sets = filters
      .filter((f) => f.traitType !== except)
      .map((f) => {
        params.push(f.traitType, f.values)
        return `SELECT token_id FROM token_attribute WHERE contract_id = $1 AND trait_type = $${params.length - 1} AND value = ANY($${params.length}::text[])`
      })
    return sets.length === 0 ? `SELECT id FROM token WHERE contract_id = $1` : sets.join(' INTERSECT ')
  }
  const filteredTypes = [...new Set(filters.map((f) => f.traitType))]
  params.push(filteredTypes)
  const others = `SELECT a.trait_type, a.value, count(*) AS n FROM token_attribute a
      WHERE a.contract_id = $1 AND NOT (a.trait_type = ANY($${params.length}::text[])) AND a.token_id IN (${matching()})
      GROUP BY 1, 2`
  const perFiltered = filteredTypes.map((t) => {
    const inner = matching(t)
    params.push(t)
    return `SELECT a.trait_type, a.value, count(*) AS n FROM token_attribute a
      WHERE a.contract_id = $1 AND a.trait_type = $${params.length} AND a.token_id IN (${inner})
      GROUP BY 1, 2`
  })
  const text = [others, ...perFiltered].join('\nUNION ALL\n')
  const rows = await db.query<{ trait_type: string | null; value: string | null; n: string }>(text, params)
  return rows.map((r) => ({ traitType: r.trait_type ?? '', value: r.value ?? '', count: Number(r.n) }))
}

function facets(counts: FacetCount[]): TraitFacet[] {
  const byType = new Map<string, { value: string; count: number }[]>()
  for (const c of counts) {
    let list = byType.get(c.traitType)
    if (!list) byType.set(c.traitType, (list = []))
    list.push({ value: c.value, count: c.count })
  }
  return [...byType.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([traitType, values]) => ({ traitType, values: values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)) }))
}
