import type { Token } from '../model'
import { SqlExecutor } from '../store/sql'

export interface RangeRequest {
  contractId: string
  from: bigint
  to: bigint
}

/**
 * The existing tokens of each range, in one query for the whole batch, capped per range: a
 * BatchMetadataUpdate(0, 2^256-1) means "the whole collection" and must never become a loop
 * over the range. Tokens created earlier in the same batch (not yet in the table, and before the
 * notice) are added;
 * SIP-019 frozen tokens are left out.
 */
export async function resolveRanges<R extends RangeRequest>(db: SqlExecutor, ranges: R[], cap: number, batchTokensBefore: (r: R) => Token[]): Promise<string[][]> {
  const rows: { i: number; id: string }[] = await db.query(
    `SELECT r.i::int AS i, x.id
       FROM unnest($1::text[], $2::numeric[], $3::numeric[]) WITH ORDINALITY AS r(contract_id, lo, hi, i)
       CROSS JOIN LATERAL (
         SELECT t.id FROM token t
          WHERE t.contract_id = r.contract_id AND t.token_id BETWEEN r.lo AND r.hi AND t.update_mode <> 'FROZEN'
          ORDER BY t.token_id LIMIT $4) x`,
    [ranges.map((r) => r.contractId), ranges.map((r) => r.from.toString()), ranges.map((r) => r.to.toString()), cap],
  )
  const out = ranges.map(() => new Set<string>())
  for (const row of rows) out[row.i - 1].add(row.id)
  ranges.forEach((r, i) => {
    for (const t of batchTokensBefore(r)) {
      if (out[i].size >= cap) break
      if (t.contract.id === r.contractId && t.tokenId >= r.from && t.tokenId <= r.to && t.updateMode !== 'FROZEN') out[i].add(t.id)
    }
  })
  return out.map((s) => [...s])
}
