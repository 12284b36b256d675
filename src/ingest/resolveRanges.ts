import type { Token } from '../model'
import { SqlExecutor } from '../store/sql'

export interface RangeRequest {
  contractId: string
  from: bigint
  to: bigint
}

export interface ResolvedRanges {
  /** Per range: the first chunk of its tokens (table rows up to the chunk, plus the batch's own). */
  ids: string[][]
  /** Per range: the last token id of a full table chunk (more may follow, see rangeChunkAfter), else null. */
  continueAfter: (bigint | null)[]
}

/**
 * The existing tokens of each range, in one query for the whole batch, a chunk per range: a
 * BatchMetadataUpdate(0, 2^256-1) means "the whole collection" and must never become a loop
 * over the range, only over the tokens that exist. A range whose chunk is full continues with
 * rangeChunkAfter. Tokens created earlier in the same batch (not yet in the table, and before
 * the notice) are added; SIP-019 frozen tokens are left out.
 */
export async function resolveRanges<R extends RangeRequest>(db: SqlExecutor, ranges: R[], chunk: number, batchTokensBefore: (r: R) => Token[]): Promise<ResolvedRanges> {
  const rows: { i: number; id: string; token_id: string }[] = await db.query(
    `SELECT r.i::int AS i, x.id, x.token_id::text AS token_id
       FROM unnest($1::text[], $2::numeric[], $3::numeric[]) WITH ORDINALITY AS r(contract_id, lo, hi, i)
       CROSS JOIN LATERAL (
         SELECT t.id, t.token_id FROM token t
          WHERE t.contract_id = r.contract_id AND t.token_id BETWEEN r.lo AND r.hi AND t.update_mode <> 'FROZEN'
          ORDER BY t.token_id LIMIT $4) x`,
    [ranges.map((r) => r.contractId), ranges.map((r) => r.from.toString()), ranges.map((r) => r.to.toString()), chunk],
  )
  const out = ranges.map(() => new Set<string>())
  const counts = ranges.map(() => 0)
  const last: (bigint | null)[] = ranges.map(() => null)
  for (const row of rows) {
    out[row.i - 1].add(row.id)
    counts[row.i - 1]++
    last[row.i - 1] = BigInt(row.token_id)
  }
  ranges.forEach((r, i) => {
    for (const t of batchTokensBefore(r)) {
      if (t.contract.id === r.contractId && t.tokenId >= r.from && t.tokenId <= r.to && t.updateMode !== 'FROZEN') out[i].add(t.id)
    }
  })
  return { ids: out.map((s) => [...s]), continueAfter: counts.map((n, i) => (n === chunk ? last[i] : null)) }
}

/** The next chunk of a range's existing, non-frozen tokens after token id `after`, in token id order. */
export async function rangeChunkAfter(db: SqlExecutor, r: RangeRequest, after: bigint, chunk: number): Promise<{ id: string; tokenId: bigint }[]> {
  const rows: { id: string; token_id: string }[] = await db.query(
    `SELECT t.id, t.token_id::text AS token_id FROM token t
      WHERE t.contract_id = $1 AND t.token_id > $2::numeric AND t.token_id <= $3::numeric AND t.update_mode <> 'FROZEN'
      ORDER BY t.token_id LIMIT $4`,
    [r.contractId, after.toString(), r.to.toString(), chunk],
  )
  return rows.map((x) => ({ id: x.id, tokenId: BigInt(x.token_id) }))
}
