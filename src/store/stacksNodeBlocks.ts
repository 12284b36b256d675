import { promisify } from 'node:util'
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib'
import type { DataSource } from 'typeorm'
import type { SqlExecutor } from './sql'

const gzip = promisify(gzipCb)
const gunzip = promisify(gunzipCb)

/**
 * Blocks received from a Stacks node's event observer (`/new_block`) or imported from an archive,
 * stored as received, and which of them form the canonical chain. Owner of `stacks_node_block`.
 *
 * Canonical chain, as the Stacks Blockchain API decides it: a block higher than the canonical tip
 * becomes the tip, and its ancestors become canonical down to the first one that already was
 * (blocks they replace at those heights stop being canonical). A block at or below the tip's
 * height is stored but not canonical until a descendant outgrows the tip: at equal height the
 * block seen first stays. Writers are serialised per chain by an advisory lock, so the node's
 * requests and an import can run at the same time.
 *
 * Bodies are stored gzipped (level 1, compressed on libuv's thread pool before the transaction
 * starts): Postgres's pglz took most of an import's time on 40 KB mainnet blocks.
 */

export interface NodeBlockHeader {
  indexBlockHash: string
  height: number
  parentIndexBlockHash: string
}

export interface NodeBlockToStore extends NodeBlockHeader {
  blockHash: string
  /** the request body exactly as received */
  payload: string
}

export interface StoredBlocks {
  stored: number
  /** already there (a node retry, an archive imported again) */
  duplicates: number
}

interface Ref {
  height: number
  hash: string
}

/** Stores the blocks in one transaction, in order; a block already stored is skipped. */
export async function storeNodeBlocks(ds: DataSource, chain: string, blocks: readonly NodeBlockToStore[]): Promise<StoredBlocks> {
  if (blocks.length === 0) return { stored: 0, duplicates: 0 }
  // a resumed import meets whole batches already stored: those are neither compressed nor sent
  const before = await storedAmong(ds, chain, blocks)
  const fresh = blocks.filter((b) => !before.has(b.indexBlockHash))
  if (fresh.length === 0) return { stored: 0, duplicates: blocks.length }
  const packed = await Promise.all(fresh.map(async (b) => ({ ...b, packed: await gzip(b.payload, { level: 1 }) })))
  return ds.transaction(async (em) => {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('stacks_node_block:' || $1))`, [chain])
    let tip = await canonicalTipRef(em, chain)
    const out = { stored: 0, duplicates: blocks.length - fresh.length }
    // again under the lock: another writer may have stored some since
    const stored = await storedAmong(em, chain, fresh)
    // blocks extending the tip (nearly all of them) go in one multi-row insert; a fork block
    // first writes those before it, then walks its ancestors
    let run: PackedBlock[] = []
    const flush = async () => {
      if (run.length > 0) await insertBlocks(em, chain, run, true)
      run = []
    }
    for (const b of packed) {
      if (stored.has(b.indexBlockHash)) {
        out.duplicates++
        continue
      }
      stored.add(b.indexBlockHash)
      out.stored++
      if (tip === undefined || (b.height > tip.height && b.parentIndexBlockHash === tip.hash)) {
        run.push(b)
        tip = { height: b.height, hash: b.indexBlockHash }
        continue
      }
      await flush()
      await insertBlocks(em, chain, [b], false)
      if (b.height > tip.height) {
        await makeCanonical(em, chain, b)
        tip = { height: b.height, hash: b.indexBlockHash }
      }
    }
    await flush()
    return out
  })
}

type PackedBlock = NodeBlockToStore & { packed: Buffer }

async function storedAmong(db: SqlExecutor, chain: string, blocks: readonly NodeBlockHeader[]): Promise<Set<string>> {
  if (blocks.length === 0) return new Set()
  const rows: { h: string }[] = await db.query(`SELECT index_block_hash AS h FROM stacks_node_block WHERE chain = $1 AND index_block_hash = ANY($2::text[])`, [
    chain,
    blocks.map((b) => b.indexBlockHash),
  ])
  return new Set(rows.map((r) => r.h))
}

async function insertBlocks(db: SqlExecutor, chain: string, blocks: readonly PackedBlock[], canonical: boolean): Promise<void> {
  await db.query(
    `INSERT INTO stacks_node_block (chain, index_block_hash, block_hash, height, parent_index_block_hash, canonical, payload)
     SELECT $1, h, bh, height, parent, $6::boolean, payload FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $7::bytea[]) AS v(h, bh, height, parent, payload)`,
    [
      chain,
      blocks.map((b) => b.indexBlockHash),
      blocks.map((b) => b.blockHash),
      blocks.map((b) => b.height),
      blocks.map((b) => b.parentIndexBlockHash),
      canonical,
      blocks.map((b) => b.packed),
    ],
  )
}

/** Marks `b` and its ancestors canonical, down to the first ancestor that already is (or is unknown). */
async function makeCanonical(db: SqlExecutor, chain: string, b: NodeBlockHeader): Promise<void> {
  let cur: NodeBlockHeader | undefined = b
  while (cur) {
    await db.query(`UPDATE stacks_node_block SET canonical = false WHERE chain = $1 AND height = $2 AND canonical`, [chain, cur.height])
    await db.query(`UPDATE stacks_node_block SET canonical = true WHERE chain = $1 AND index_block_hash = $2`, [chain, cur.indexBlockHash])
    const [parent]: (NodeBlockHeader & { canonical: boolean })[] = await db.query(
      `SELECT index_block_hash AS "indexBlockHash", height, parent_index_block_hash AS "parentIndexBlockHash", canonical
         FROM stacks_node_block WHERE chain = $1 AND index_block_hash = $2`,
      [chain, cur.parentIndexBlockHash],
    )
    cur = parent && !parent.canonical ? parent : undefined
  }
}

async function canonicalTipRef(db: SqlExecutor, chain: string): Promise<Ref | undefined> {
  const [row]: { height: number; hash: string }[] = await db.query(
    `SELECT height, index_block_hash AS hash FROM stacks_node_block WHERE chain = $1 AND canonical ORDER BY height DESC LIMIT 1`,
    [chain],
  )
  return row
}

/** The canonical tip, or undefined while nothing is stored. */
export async function canonicalTip(db: SqlExecutor, chain: string): Promise<{ height: number; hash: string; indexBlockHash: string } | undefined> {
  const [row]: { height: number; hash: string; indexBlockHash: string }[] = await db.query(
    `SELECT height, block_hash AS hash, index_block_hash AS "indexBlockHash" FROM stacks_node_block
      WHERE chain = $1 AND canonical ORDER BY height DESC LIMIT 1`,
    [chain],
  )
  return row
}

/** The lowest stored height, or undefined while nothing is stored. */
export async function lowestStoredHeight(db: SqlExecutor, chain: string): Promise<number | undefined> {
  const [row]: { h: number | null }[] = await db.query(`SELECT min(height) AS h FROM stacks_node_block WHERE chain = $1`, [chain])
  return row?.h ?? undefined
}

/** Canonical blocks with heights in [from, to], lowest first, with their bodies as received. */
export async function canonicalBlocks(db: SqlExecutor, chain: string, from: number, to: number): Promise<(NodeBlockHeader & { payload: string })[]> {
  const rows: (NodeBlockHeader & { payload: Buffer })[] = await db.query(
    `SELECT index_block_hash AS "indexBlockHash", height, parent_index_block_hash AS "parentIndexBlockHash", payload
       FROM stacks_node_block WHERE chain = $1 AND canonical AND height BETWEEN $2 AND $3 ORDER BY height`,
    [chain, from, to],
  )
  return Promise.all(rows.map(async (r) => ({ ...r, payload: (await gunzip(r.payload)).toString('utf8') })))
}

/** Every stored block (canonical or not) with its body as received, lowest first: for checks and exports. */
export async function storedBlocks(db: SqlExecutor, chain: string): Promise<(NodeBlockHeader & { canonical: boolean; payload: string })[]> {
  const rows: (NodeBlockHeader & { canonical: boolean; payload: Buffer })[] = await db.query(
    `SELECT index_block_hash AS "indexBlockHash", height, parent_index_block_hash AS "parentIndexBlockHash", canonical, payload
       FROM stacks_node_block WHERE chain = $1 ORDER BY height, index_block_hash`,
    [chain],
  )
  return Promise.all(rows.map(async (r) => ({ ...r, payload: (await gunzip(r.payload)).toString('utf8') })))
}

/** Whether a block with this index hash is stored and canonical now. */
export async function canonicalHashes(db: SqlExecutor, chain: string, hashes: readonly string[]): Promise<Set<string>> {
  const rows: { h: string }[] = await db.query(`SELECT index_block_hash AS h FROM stacks_node_block WHERE chain = $1 AND canonical AND index_block_hash = ANY($2::text[])`, [
    chain,
    hashes,
  ])
  return new Set(rows.map((r) => r.h))
}

/** Stored block counts: every block, and the canonical ones. */
export async function storedBlockCounts(db: SqlExecutor, chain: string): Promise<{ blocks: number; canonical: number }> {
  const [row]: { blocks: number; canonical: number }[] = await db.query(
    `SELECT count(*)::int AS blocks, (count(*) FILTER (WHERE canonical))::int AS canonical FROM stacks_node_block WHERE chain = $1`,
    [chain],
  )
  return row
}
