import type { ReadDb } from './readDb'

/** One active filter of a marketplace sidebar: the token has this trait with one of the values. */
export interface FacetFilter {
  traitType: string
  values: readonly string[]
}

/** One trait value's count ('' stands for a missing trait type or value). */
export interface FacetCount {
  traitType: string
  value: string
  count: number
}

/**
 * Filtered facet counts from the trait token sets (migration 1797000000700): a collection's
 * sets are bit strings of equal length, one bit per token. Each filter is the OR of its values'
 * sets; a value of trait type T is counted over the AND of every filter on a type other than T
 * (a filter on T itself does not narrow T's alternatives), as the exact scan counts them. Trait
 * rows without a trait type are not counted under filters (the scan's NOT (type = ANY) drops
 * them too). The sentinel row (count -1) says the sets are current: the collection has exact
 * sets and no change mark waits for a rebuild, checked in the same snapshot as the counts.
 */
function traitSetsSql(filterCount: number): string {
  const masks = Array.from(
    { length: filterCount },
    (_, k) => `coalesce((SELECT bit_or(s.tokens) FROM s WHERE s.trait_type = $${2 + 2 * k} AND s.value = ANY($${3 + 2 * k}::text[])), z.none) AS m${k}`,
  )
  const narrowed = Array.from({ length: filterCount }, (_, k) => `(CASE WHEN s.trait_type = $${2 + 2 * k} THEN ~z.none ELSE f.m${k} END)`)
  return `
WITH cur AS (SELECT 1 FROM trait_set_contract st
              WHERE st.contract_id = $1 AND st.exact AND NOT EXISTS (SELECT 1 FROM trait_set_dirty d WHERE d.contract_id = $1)),
     s AS MATERIALIZED (SELECT trait_type, value, tokens FROM trait_token_set WHERE contract_id = $1 AND EXISTS (SELECT 1 FROM cur)),
     z AS (SELECT tokens # tokens AS none FROM s LIMIT 1),
     f AS MATERIALIZED (SELECT ${masks.join(',\n                  ')} FROM z),
     counted AS (SELECT s.trait_type, s.value, bit_count(s.tokens & ${narrowed.join(' & ')}) AS n FROM s, z, f WHERE s.trait_type IS NOT NULL)
SELECT trait_type, value, n::int AS n FROM counted WHERE n > 0
UNION ALL SELECT NULL, NULL, -1 FROM cur`
}

/** Counts per trait value under the filters, or null when the collection's sets are not current (the caller scans instead). */
export async function traitSetCounts(db: ReadDb, contractId: string, filters: readonly FacetFilter[]): Promise<FacetCount[] | null> {
  const params: unknown[] = [contractId, ...filters.flatMap((f) => [f.traitType, f.values])]
  const rows = await db.query<{ trait_type: string | null; value: string | null; n: number }>(traitSetsSql(filters.length), params)
  if (!rows.some((r) => r.n === -1)) return null
  return rows.filter((r) => r.n >= 0).map((r) => ({ traitType: r.trait_type ?? '', value: r.value ?? '', count: r.n }))
}
