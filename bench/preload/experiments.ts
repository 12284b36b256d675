/**
 * Bench-only experiments, loaded into a worker with `node -r` when a benchmark is run with
 * `--experiments <names>` (never by the product, never by default). Each one replaces a method of
 * the compiled lib/ with a candidate fix, so the gain of a proposed change to src/ can be measured
 * before anyone edits src/. $BENCH_EXPERIMENTS is a comma-separated list of names:
 *
 *   runner-refill        (worker) JobRunner.loop(): after a claim, claim again at once when slots
 *                        were freed while the claim was in flight (the shipped loop then sleeps
 *                        until the next job completion: the completions that arrived during the
 *                        claim are lost wakeups).
 *   claim-skip-refresh   (worker) JobRunner.claim(): call startRefreshes only for claimed jobs at
 *                        USER_REFRESH priority (a refresh request always raises its job to it),
 *                        instead of one UPDATE … refresh round trip after every claim.
 *   ingest-token-unnest  (processor) Store.upsert of Token rows as one `INSERT … SELECT FROM
 *                        unnest(…) ON CONFLICT (id) DO UPDATE` per 10,000 rows (hot-block change
 *                        tracking kept), instead of TypeORM's upsert in 1,000-row chunks.
 *                        (Applied to src/ in 71cb477, src/ingest/writeRows.ts: a no-op since.)
 *   ingest-find-any      (processor) Store.findBy(Token|Contract, { id: In(ids) }) as
 *                        `SELECT * … WHERE id = ANY($1::text[])`, hydrated from the entity metadata.
 *   (enqueue-count-only was applied to src/ as enqueueJobsCount in src/queue/enqueue.ts and removed.)
 */
import path from 'node:path'

const LIB = path.resolve(__dirname, '../../../../lib')
const wanted = new Set((process.env.BENCH_EXPERIMENTS ?? '').split(',').map((s) => s.trim()).filter(Boolean))

interface RunnerLike {
  running: boolean
  active: Map<string, unknown>
  opts: { concurrency: number; pollMs: number }
  claim(free: number): Promise<unknown[]>
  run(job: unknown): void
  sleep(ms: number, untilSlotFree: boolean): Promise<void>
}

if (wanted.has('runner-refill')) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JobRunner } = require(path.join(LIB, 'queue/runner.js')) as { JobRunner: { prototype: Record<string, unknown> } }
  JobRunner.prototype.loop = async function loop(this: RunnerLike): Promise<void> {
    while (this.running) {
      const free = this.opts.concurrency - this.active.size
      let claimed: unknown[] = []
      if (free > 0) {
        claimed = await this.claim(free)
        for (const job of claimed) this.run(job)
      }
      if (!this.running) break
      if (claimed.length === 0) await this.sleep(this.opts.pollMs, false)
      else if (this.active.size >= this.opts.concurrency) await this.sleep(this.opts.pollMs, true)
      // else: slots freed while the claim was in flight (or fewer due jobs than slots): claim again
    }
  }
}

if (wanted.has('claim-skip-refresh')) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JobRunner } = require(path.join(LIB, 'queue/runner.js')) as { JobRunner: { prototype: Record<string, unknown> } }
  const claimMod = require(path.join(LIB, 'queue/claim.js')) as { claimJobs: (...a: unknown[]) => Promise<{ tokenRef: string | null; priority: number }[]> } // eslint-disable-line @typescript-eslint/no-require-imports
  const refreshMod = require(path.join(LIB, 'store/refreshItems.js')) as { startRefreshes: (...a: unknown[]) => Promise<void> } // eslint-disable-line @typescript-eslint/no-require-imports
  const USER_REFRESH = 100
  type R = { ds: { manager: unknown }; opts: { workerId: string; leaseMs: number }; log: { warn(o: unknown, m: string): void } }
  JobRunner.prototype.claim = async function claim(this: R, free: number) {
    try {
      const jobs = await claimMod.claimJobs(this.ds.manager, this.opts.workerId, Math.min(free, 500), this.opts.leaseMs)
      const refs = jobs.filter((j) => j.tokenRef && j.priority >= USER_REFRESH).map((j) => j.tokenRef!)
      if (refs.length > 0) await refreshMod.startRefreshes(this.ds.manager, refs, new Date())
      return jobs
    } catch (err) {
      this.log.warn({ err }, 'claim failed; retrying')
      await new Promise((r) => setTimeout(r, 500))
      return []
    }
  }
}

// ---------------------------------------------------------------------------------------------
// processor

type Rec = Record<string, unknown>
interface StoreLike {
  em(): { query(sql: string, params?: unknown[]): Promise<Rec[]>; connection: { getMetadata(cls: unknown): EntityMeta } }
  changes?: { trackUpsert(cls: unknown, e: unknown[]): Promise<void> }
}
interface EntityMeta {
  tableName: string
  columns: { propertyName: string; databaseName: string; relationMetadata?: unknown; transformer?: { from(v: unknown): unknown } }[]
}

function model(): Rec {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(LIB, 'model/index.js')) as Rec
}

function storeProto(): Rec {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@subsquid/typeorm-store/lib/store') as { Store: { prototype: Rec } }).Store.prototype
}

if (wanted.has('ingest-token-unnest')) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('reflect-metadata')
  const Token = model().Token as new () => object
  const proto = storeProto()
  const orig = proto.upsert as (this: StoreLike, e: unknown) => Promise<void>
  proto.upsert = async function upsert(this: StoreLike, e: unknown): Promise<void> {
    if (!Array.isArray(e) || e.length === 0 || !(e[0] instanceof Token)) return orig.call(this, e)
    await this.changes?.trackUpsert(Token, e)
    const em = this.em()
    type T = { id: string; chain: string; contract?: { id: string } | null; tokenId: bigint; standard: string; owner?: string | null; supply: bigint; burned: boolean; chainUri?: string | null; mintBlock?: number | null; mintTx?: string | null; mintedAt?: Date | null; burnBlock?: number | null; updateMode: string; updateTtl?: number | null }
    const rows = e as T[]
    for (let i = 0; i < rows.length; i += 10_000) {
      const b = rows.slice(i, i + 10_000)
      await em.query(
        `INSERT INTO token (id, chain, token_id, standard, owner, supply, burned, chain_uri, mint_block, mint_tx, minted_at, burn_block, update_mode, update_ttl, contract_id)
         SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[], $5::text[], $6::numeric[], $7::bool[], $8::text[], $9::int[],
                              $10::text[], $11::timestamptz[], $12::int[], $13::text[], $14::int[], $15::text[])
         ON CONFLICT (id) DO UPDATE SET chain = excluded.chain, token_id = excluded.token_id, standard = excluded.standard,
           owner = excluded.owner, supply = excluded.supply, burned = excluded.burned, chain_uri = excluded.chain_uri,
           mint_block = excluded.mint_block, mint_tx = excluded.mint_tx, minted_at = excluded.minted_at, burn_block = excluded.burn_block,
           update_mode = excluded.update_mode, update_ttl = excluded.update_ttl, contract_id = excluded.contract_id`,
        [
          b.map((t) => t.id),
          b.map((t) => t.chain),
          b.map((t) => t.tokenId.toString()),
          b.map((t) => t.standard),
          b.map((t) => t.owner ?? null),
          b.map((t) => t.supply.toString()),
          b.map((t) => t.burned),
          b.map((t) => t.chainUri ?? null),
          b.map((t) => t.mintBlock ?? null),
          b.map((t) => t.mintTx ?? null),
          b.map((t) => t.mintedAt ?? null),
          b.map((t) => t.burnBlock ?? null),
          b.map((t) => t.updateMode),
          b.map((t) => t.updateTtl ?? null),
          b.map((t) => t.contract?.id ?? null),
        ],
      )
    }
  }
}

if (wanted.has('ingest-find-any')) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('reflect-metadata')
  const m = model()
  const classes = new Set([m.Token, m.Contract])
  const proto = storeProto()
  const orig = proto.findBy as (this: StoreLike, cls: unknown, where: unknown) => Promise<unknown[]>
  proto.findBy = async function findBy(this: StoreLike, cls: unknown, where: unknown): Promise<unknown[]> {
    const op = (where as { id?: { type?: string; value?: unknown } } | undefined)?.id
    if (!classes.has(cls) || !op || op.type !== 'in' || !Array.isArray(op.value) || Object.keys(where as object).length !== 1) return orig.call(this, cls, where)
    const em = this.em()
    const meta = em.connection.getMetadata(cls)
    const cols = meta.columns.filter((c) => !c.relationMetadata)
    const rows = await em.query(`SELECT ${cols.map((c) => `"${c.databaseName}"`).join(', ')} FROM "${meta.tableName}" WHERE id = ANY($1::text[])`, [op.value])
    const Cls = cls as new () => Rec
    return rows.map((r) => {
      const o = new Cls()
      for (const c of cols) o[c.propertyName] = c.transformer ? c.transformer.from(r[c.databaseName]) : r[c.databaseName]
      return o
    })
  }
}

const KNOWN = new Set(['runner-refill', 'claim-skip-refresh', 'ingest-token-unnest', 'ingest-find-any'])
for (const w of wanted) if (!KNOWN.has(w)) process.stderr.write(`[bench experiments] unknown experiment ${w}\n`)
