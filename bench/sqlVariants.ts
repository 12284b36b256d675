/**
 * Statement-level measurements behind the ingest and queue fix proposals (not part of
 * `npm run bench`; run after `npm run bench:ingest` has built it):
 *
 *   node .cache/bench/bench/sqlVariants.js [--tokens 20000] [--batch 5300] [--queue 100000]
 *
 * On a fresh migrated database (same schema, indexes and triggers as production), for the rows
 * one processor batch writes (default 5,300 = 10 blocks of ~530 mints, Subsquid's split size):
 *   - token rows: TypeORM upsert through typeorm-store's Store (applyEvents before 71cb477) vs
 *     one `INSERT … SELECT unnest() ON CONFLICT DO UPDATE` (writeRows.ts now) vs a plain unnest
 *     INSERT for rows known to be new;
 *   - job rows: enqueueJobs (lib/, with RETURNING) vs the same statement counting server side vs
 *     the same without the redundant (status, priority, run_at) index;
 *   - the worker's claim query on a queue of --queue jobs: EXPLAIN ANALYZE when the queue is
 *     fresh and after half of it went RUNNING -> DONE (dead index entries at the queue head).
 */
import type { Client } from 'pg'
import type * as EnqueueModule from '../src/queue/enqueue'
import type * as ModelModule from '../src/model'
import type * as DataSourceModule from '../src/store/dataSource'
import { appendBenchmarks, commandLine, connect, createDatabase, dropDatabase, fmt, fromLib, intArg, log, machine, machineTable, mdTable, parseArgs, startPostgres, type PgServer } from './common'

const CHAIN = 'eip155:31337'
const CONTRACT = `${CHAIN}:0x00000000000000000000000000000000000000aa`

interface Timing {
  name: string
  seconds: number
  perRowUs: number
  medianUs: number
}

async function freshDb(pg: PgServer): Promise<{ url: string; c: Client }> {
  const url = await createDatabase(pg, 'tms_bench_sql')
  const c = await connect(url)
  await c.query(`INSERT INTO contract (id, chain, address, standard, first_seen_block, update_mode, created_at) VALUES ($1, $2, '0x00000000000000000000000000000000000000aa', 'ERC721', 1, 'STANDARD', now())`, [CONTRACT, CHAIN])
  return { url, c }
}

function tokenEntities(model: typeof ModelModule, from: number, n: number): InstanceType<typeof ModelModule.Token>[] {
  const contract = new model.Contract({ id: CONTRACT })
  return Array.from({ length: n }, (_, i) => {
    const id = BigInt(from + i)
    return new model.Token({
      id: `${CONTRACT}:${id}`,
      chain: CHAIN,
      contract,
      tokenId: id,
      standard: model.TokenStandard.ERC721,
      owner: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
      supply: 1n,
      burned: false,
      mintBlock: 5,
      mintTx: '0x' + 'ab'.repeat(32),
      mintedAt: new Date(),
      updateMode: model.UpdateMode.STANDARD,
    })
  })
}

async function timeTokens(pg: PgServer, tokens: number, batch: number): Promise<Timing[]> {
  const model = fromLib<typeof ModelModule>('model/index')
  const { openDataSource } = fromLib<typeof DataSourceModule>('store/dataSource')
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Store } = require('@subsquid/typeorm-store/lib/store') as { Store: new (em: () => unknown) => { upsert(e: unknown[]): Promise<void> } }
  const out: Timing[] = []
  const variants: [string, (c: Client, em: unknown, rows: InstanceType<typeof ModelModule.Token>[]) => Promise<void>][] = [
    ['TypeORM upsert via Store.upsert (applyEvents before 71cb477)', async (_c, em, rows) => new Store(() => em).upsert(rows)],
    [
      'INSERT … SELECT unnest() ON CONFLICT (id) DO UPDATE (src/ingest/writeRows.ts since 71cb477)',
      async (c, _em, rows) => {
        await c.query(
          `INSERT INTO token (id, chain, token_id, standard, owner, supply, burned, chain_uri, mint_block, mint_tx, minted_at, burn_block, update_mode, update_ttl, contract_id)
           SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[], $5::text[], $6::numeric[], $7::bool[], $8::text[], $9::int[],
                                $10::text[], $11::timestamptz[], $12::int[], $13::text[], $14::int[], $15::text[])
           ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, supply = excluded.supply, burned = excluded.burned, chain_uri = excluded.chain_uri,
             mint_block = excluded.mint_block, mint_tx = excluded.mint_tx, minted_at = excluded.minted_at, burn_block = excluded.burn_block,
             update_mode = excluded.update_mode, update_ttl = excluded.update_ttl`,
          [
            rows.map((t) => t.id),
            rows.map((t) => t.chain),
            rows.map((t) => t.tokenId.toString()),
            rows.map((t) => t.standard),
            rows.map((t) => t.owner ?? null),
            rows.map((t) => t.supply.toString()),
            rows.map((t) => t.burned),
            rows.map((t) => t.chainUri ?? null),
            rows.map((t) => t.mintBlock ?? null),
            rows.map((t) => t.mintTx ?? null),
            rows.map((t) => t.mintedAt ?? null),
            rows.map((t) => t.burnBlock ?? null),
            rows.map((t) => t.updateMode),
            rows.map((t) => t.updateTtl ?? null),
            rows.map((t) => t.contract.id),
          ],
        )
      },
    ],
    [
      'plain INSERT … SELECT unnest() for rows known to be new (BatchState.newTokens)',
      async (c, _em, rows) => {
        await c.query(
          `INSERT INTO token (id, chain, token_id, standard, owner, supply, burned, chain_uri, mint_block, mint_tx, minted_at, burn_block, update_mode, update_ttl, contract_id)
           SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[], $5::text[], $6::numeric[], $7::bool[], $8::text[], $9::int[],
                                $10::text[], $11::timestamptz[], $12::int[], $13::text[], $14::int[], $15::text[])`,
          [
            rows.map((t) => t.id),
            rows.map((t) => t.chain),
            rows.map((t) => t.tokenId.toString()),
            rows.map((t) => t.standard),
            rows.map((t) => t.owner ?? null),
            rows.map((t) => t.supply.toString()),
            rows.map((t) => t.burned),
            rows.map((t) => t.chainUri ?? null),
            rows.map((t) => t.mintBlock ?? null),
            rows.map((t) => t.mintTx ?? null),
            rows.map((t) => t.mintedAt ?? null),
            rows.map((t) => t.burnBlock ?? null),
            rows.map((t) => t.updateMode),
            rows.map((t) => t.updateTtl ?? null),
            rows.map((t) => t.contract.id),
          ],
        )
      },
    ],
  ]
  variants.push(['same ON CONFLICT statement with the counter triggers on token disabled (their cost)', variants[1][1]])
  const best = new Map<string, number[]>()
  for (let round = 0; round < ROUNDS; round++)
  for (const [name, run] of variants) {
    const { url, c } = await freshDb(pg)
    if (name.includes('triggers on token disabled')) await c.query('ALTER TABLE token DISABLE TRIGGER USER')
    const ds = await openDataSource(url, 2)
    let seconds = 0
    for (let i = 0; i < tokens; i += batch) {
      const rows = tokenEntities(model, i, Math.min(batch, tokens - i))
      const t = performance.now()
      await ds.transaction('READ COMMITTED', async (em) => {
        if (name.startsWith('TypeORM')) await run(c, em, rows)
        else await run({ query: (sql: string, p: unknown[]) => em.query(sql, p) } as unknown as Client, em, rows)
      })
      seconds += (performance.now() - t) / 1000
    }
    await ds.destroy()
    await c.end()
    best.set(name, [...(best.get(name) ?? []), seconds])
  }
  for (const [name, runs] of best) out.push(timing(name, runs, tokens))
  return out
}

const ROUNDS = 3

/** best and median of the rounds (the machine is shared: the best is the least disturbed) */
function timing(name: string, runs: number[], rows: number): Timing {
  const sorted = [...runs].sort((a, b) => a - b)
  return { name, seconds: sorted[0], perRowUs: (sorted[0] * 1e6) / rows, medianUs: (sorted[Math.floor(sorted.length / 2)] * 1e6) / rows }
}

async function timeJobs(pg: PgServer, tokens: number, batch: number): Promise<Timing[]> {
  const { enqueueJobs, mergeRequests } = fromLib<typeof EnqueueModule>('queue/enqueue')
  const out: Timing[] = []
  const reqs = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'TOKEN' as const, chain: CHAIN, contractId: CONTRACT, tokenRef: `${CONTRACT}:${from + i}`, priority: 10 }))
  const countOnly = async (c: Client, requests: ReturnType<typeof reqs>, now: Date) => {
    const merged = mergeRequests(requests)
    await c.query(
      `WITH u AS (
         INSERT INTO metadata_job AS j (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version, queued_at, created_at, updated_at)
         SELECT id, kind, chain, contract_id, token_ref, 'QUEUED', priority, run_at, 0, 1, $8, $8, $8
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::timestamptz[]) AS r(id, kind, chain, contract_id, token_ref, priority, run_at)
          ORDER BY id
         ON CONFLICT (id) DO UPDATE SET
           priority = CASE WHEN j.status IN ('QUEUED', 'RUNNING') THEN greatest(j.priority, excluded.priority) ELSE excluded.priority END,
           run_at = CASE WHEN j.status = 'QUEUED' THEN least(j.run_at, excluded.run_at) ELSE excluded.run_at END,
           attempts = CASE WHEN j.status IN ('QUEUED', 'RUNNING') THEN j.attempts ELSE 0 END,
           queued_at = CASE WHEN j.status IN ('QUEUED', 'RUNNING') THEN j.queued_at ELSE excluded.queued_at END,
           status = CASE WHEN j.status = 'RUNNING' THEN 'RUNNING' ELSE 'QUEUED' END,
           request_version = j.request_version + 1, updated_at = excluded.updated_at
         RETURNING 1)
       SELECT count(*)::int AS n FROM u`,
      [merged.map((r) => r.id), merged.map((r) => r.kind), merged.map((r) => r.chain), merged.map((r) => r.contractId), merged.map((r) => r.tokenRef ?? null), merged.map((r) => r.priority), merged.map((r) => r.runAt ?? now), now],
    )
  }
  const variants: [string, (c: Client, r: ReturnType<typeof reqs>) => Promise<void>, string?][] = [
    ['enqueueJobs (shipped: RETURNING id, request_version of every row)', async (c, r) => void (await enqueueJobs({ query: async (sql: string, p?: unknown[]) => (await c.query(sql, p)).rows }, r, new Date()))],
    ['same statement, counted server side (proposed for the processor)', (c, r) => countOnly(c, r, new Date())],
    ['counted server side, without index IDX_212901d8… (status, priority, run_at)', (c, r) => countOnly(c, r, new Date()), 'DROP INDEX "IDX_212901d8990bdce2bba7bd547f"'],
    ['counted server side, counter + NOTIFY triggers on metadata_job disabled (their cost)', (c, r) => countOnly(c, r, new Date()), 'ALTER TABLE metadata_job DISABLE TRIGGER USER'],
  ]
  const best = new Map<string, number[]>()
  for (let round = 0; round < ROUNDS; round++)
  for (const [name, run, setup] of variants) {
    const { c } = await freshDb(pg)
    if (setup) await c.query(setup)
    let seconds = 0
    for (let i = 0; i < tokens; i += batch) {
      const r = reqs(i, Math.min(batch, tokens - i))
      const t = performance.now()
      await c.query('BEGIN')
      await run(c, r)
      await c.query('COMMIT')
      seconds += (performance.now() - t) / 1000
    }
    await c.end()
    best.set(name, [...(best.get(name) ?? []), seconds])
  }
  for (const [name, runs] of best) out.push(timing(name, runs, tokens))
  return out
}

async function claimPlans(pg: PgServer, queue: number): Promise<{ when: string; ms: number; plan: string }[]> {
  const { c } = await freshDb(pg)
  await c.query(
    `INSERT INTO metadata_job (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version, queued_at, created_at, updated_at)
     SELECT 'token:' || $1 || ':' || g, 'TOKEN', $2, $1, $1 || ':' || g, 'QUEUED', 10, now() - interval '1 hour' + g * interval '1 ms', 0, 1, now(), now(), now()
       FROM generate_series(0, $3 - 1) AS g`,
    [CONTRACT, CHAIN, queue],
  )
  await c.query('VACUUM ANALYZE metadata_job')
  const claimSql = `WITH picked AS (
       SELECT id FROM metadata_job
        WHERE status = 'QUEUED' AND run_at <= now()
          AND (host IS NULL OR NOT EXISTS (SELECT 1 FROM host_state h WHERE h.id = metadata_job.host AND h.cooldown_until > now()))
        ORDER BY priority DESC, run_at LIMIT 50 FOR UPDATE SKIP LOCKED),
     claimed AS (
       UPDATE metadata_job j SET status = 'RUNNING', locked_by = 'w', locked_until = now() + interval '60 s',
              claimed_version = j.request_version, attempts = j.attempts + 1, updated_at = now()
         FROM picked WHERE j.id = picked.id
       RETURNING j.id, (SELECT c.standard FROM contract c WHERE c.id = j.contract_id) AS standard)
     SELECT * FROM claimed`
  const explain = async (when: string) => {
    await c.query('BEGIN')
    const t = performance.now()
    const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY ON) ${claimSql}`)
    const ms = performance.now() - t
    await c.query('ROLLBACK')
    const plan = (rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).filter((l) => /Index|Buffers|Execution|Rows Removed|Heap/.test(l)).slice(0, 6).join('; ')
    return { when, ms, plan }
  }
  const out = [await explain(`fresh queue of ${fmt(queue)} jobs`)]
  // half of the queue claimed and completed the way workers do it (50 per claim, settled DONE), no vacuum in between
  const t = performance.now()
  let claims = 0
  for (let done = 0; done < queue / 2 && performance.now() - t < 120_000; done += 50) {
    await c.query(claimSql.replace('SELECT * FROM claimed', 'SELECT count(*) FROM claimed'))
    await c.query(`UPDATE metadata_job SET status = 'DONE', locked_by = NULL, locked_until = NULL, finished_at = now() WHERE status = 'RUNNING'`)
    claims++
  }
  const perClaim = (performance.now() - t) / claims
  out.push(await explain(`after ${fmt(claims * 50)} jobs claimed + settled DONE (${claims} claims, no VACUUM in between; mean claim+settle ${perClaim.toFixed(2)} ms)`))
  await c.end()
  return out
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2))
  const tokens = intArg(a, 'tokens', 20_000)
  const batch = intArg(a, 'batch', 5_300)
  const queue = intArg(a, 'queue', 100_000)
  const pg = await startPostgres()
  try {
    log(`token writes, ${fmt(tokens)} rows in batches of ${fmt(batch)}…`)
    const t = await timeTokens(pg, tokens, batch)
    log('job writes…')
    const j = await timeJobs(pg, tokens, batch)
    log('claim query plans…')
    const plans = await claimPlans(pg, queue)
    const md = [
      machineTable(machine(), commandLine()),
      '',
      `${fmt(tokens)} rows in transactions of ${fmt(batch)} (one processor batch), fresh migrated database each, 3 rounds interleaved; claim plans on a queue of ${fmt(queue)}.`,
      '',
      mdTable(['token rows', 'best s', 'µs per row (best of 3)', 'µs per row (median)'], t.map((x) => [x.name, x.seconds.toFixed(2), x.perRowUs.toFixed(1), x.medianUs.toFixed(1)])),
      '',
      mdTable(['job rows', 'best s', 'µs per row (best of 3)', 'µs per row (median)'], j.map((x) => [x.name, x.seconds.toFixed(2), x.perRowUs.toFixed(1), x.medianUs.toFixed(1)])),
      '',
      mdTable(['claim of 50 (EXPLAIN ANALYZE)', 'ms', 'plan excerpt'], plans.map((p) => [p.when, p.ms.toFixed(1), p.plan])),
    ].join('\n')
    process.stdout.write(`\n${md}\n`)
    if (!a.flags.has('no-md')) appendBenchmarks('SQL variants behind the fix proposals', md)
  } finally {
    await dropDatabase(pg, 'tms_bench_sql')
    await pg.stop()
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(1)
  },
)
