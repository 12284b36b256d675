import { Token } from '../model'
import { upsertRows, type Column, type HotChanges } from './processorRows'
import type { SqlExecutor } from './sql'

/**
 * Owns the `token` table: every statement that writes it, and the processors' range reads.
 * Lock order: a chain's processor is the one writer of its tokens' chain facts, in its batch
 * transaction; a worker only inserts placeholder rows for tokens the processor has not seen yet
 * (ON CONFLICT DO NOTHING, in id order), whose chain facts the processor's next upsert replaces.
 */

const TOKEN_COLUMNS: Column<Token>[] = [
  ['id', 'text', (t) => t.id],
  ['chain', 'text', (t) => t.chain],
  ['contract_id', 'text', (t) => t.contract.id],
  ['token_id', 'numeric', (t) => t.tokenId],
  ['standard', 'text', (t) => t.standard],
  ['owner', 'text', (t) => t.owner ?? null, 'mutable'],
  ['supply', 'numeric', (t) => t.supply, 'mutable'],
  ['burned', 'bool', (t) => t.burned, 'mutable'],
  ['chain_uri', 'text', (t) => t.chainUri ?? null, 'mutable'],
  ['mint_block', 'int', (t) => t.mintBlock ?? null, 'fill'],
  ['mint_tx', 'text', (t) => t.mintTx ?? null, 'fill'],
  ['minted_at', 'timestamptz', (t) => t.mintedAt ?? null, 'fill'],
  ['burn_block', 'int', (t) => t.burnBlock ?? null, 'mutable'],
  ['update_mode', 'text', (t) => t.updateMode, 'mutable'],
  ['update_ttl', 'int', (t) => t.updateTtl ?? null, 'mutable'],
  ['seen_on_chain', 'bool', (t) => t.seenOnChain !== false, 'mutable'],
]

/** Tokens the batch created (`created`) and tokens it loaded and changed (`loaded`). */
export async function upsertTokens(db: SqlExecutor, hot: HotChanges | undefined, created: Token[], loaded: Token[]): Promise<void> {
  await upsertRows(db, hot, Token, 'token', TOKEN_COLUMNS, created, 'all')
  await upsertRows(db, hot, Token, 'token', TOKEN_COLUMNS, loaded, 'mutable')
}

/**
 * A token asked for before the processor saw it (a Sequence lookup of an id it has not indexed
 * yet) gets a placeholder row once its metadata is fetched, so the metadata has a home; the
 * processor's next write of that token replaces every chain fact. Only for indexed contracts.
 * The row is marked `seen_on_chain = false`: lists and counters skip it (a made-up id must not
 * appear as a token of the collection) until the processor's write of that token clears the mark.
 */
export async function insertPlaceholderTokens(db: SqlExecutor, refs: string[]): Promise<void> {
  if (refs.length === 0) return
  await db.query(
    `INSERT INTO token (id, chain, contract_id, token_id, standard, owner, supply, burned, update_mode, seen_on_chain)
     SELECT r.ref, c.chain, c.id, substring(r.ref FROM length(c.id) + 2)::numeric, c.standard, NULL, 0, false, 'STANDARD', false
       FROM unnest($1::text[]) AS r(ref)
       JOIN contract c ON c.id = left(r.ref, length(r.ref) - position(':' IN reverse(r.ref)))
      ORDER BY r.ref
     ON CONFLICT (id) DO NOTHING`,
    [refs],
  )
}

// ---------------------------------------------------------------------------------------------
// The processors' range reads (BatchMetadataUpdate and its kin)

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
