/**
 * Abuse drill. The real API process (node lib/main/api.js) behind a trusted proxy address
 * (API_TRUST_PROXY=127.0.0.1, so X-Forwarded-For names the client) takes, all at once:
 * - hostile GraphQL documents: deep introspection, 10,000 aliases, fragment cycles, huge lists,
 *   oversized bodies (each from an address of its own, so the document limits answer, not the
 *   rate limit);
 * - Sequence reads of made-up token ids of an indexed contract (each could queue a fetch);
 * - a burst over the read limit from many client addresses.
 * Meanwhile a normal client (its own API key) reads one token at a time.
 *
 * Checks: every refusal within 50 ms with the right status (400/413 for documents, 429 past the
 * limit); no 5xx; the job queue grows by at most the on-demand budget (ON_DEMAND_FETCHES_PER_MINUTE
 * for each minute the attack spans); the normal client's single-token p99 during the attack within
 * 2x of its p99 at rest.
 */
import { newKeyAt } from '../helpers/refreshApi'
import { freePort } from '../../src/lib/net'
import { EVM_CHAIN } from './chains'
import type { DrillContext } from './context'
import type { DrillDb } from './postgres'
import { Fleet } from './processes'
import { check, type Check, type DrillResult } from './report'
import { deploymentEnv, startApiRole } from './roles'
import { fmt, seconds, sleep, type Rng } from './runtime'

export interface AbuseOptions {
  graphqlDocs: number
  madeUpReads: number
  burstClients: number
  concurrency: number
  /** attack requests started per second (open loop, at most `concurrency` in flight); 0 = as fast as `concurrency` allows */
  attackPerSecond: number
  restReads: number
  readLimitPerIp: number
  onDemandPerMinute: number
  refusalWithinMs: number
}

export const ABUSE_PROFILES: Record<'full' | 'quick' | 'test', AbuseOptions> = {
  full: {
    graphqlDocs: 10_000,
    madeUpReads: 10_000,
    burstClients: 200,
    concurrency: 16,
    attackPerSecond: 250,
    restReads: 400,
    readLimitPerIp: 120,
    onDemandPerMinute: 600,
    refusalWithinMs: 50,
  },
  quick: {
    graphqlDocs: 2_000,
    madeUpReads: 2_000,
    burstClients: 40,
    concurrency: 16,
    attackPerSecond: 250,
    restReads: 200,
    readLimitPerIp: 120,
    onDemandPerMinute: 600,
    refusalWithinMs: 50,
  },
  test: {
    graphqlDocs: 200,
    madeUpReads: 200,
    burstClients: 5,
    concurrency: 4,
    attackPerSecond: 0,
    restReads: 100,
    readLimitPerIp: 20,
    onDemandPerMinute: 100,
    refusalWithinMs: 50,
  },
}

const CONTRACT = '0xabababababababababababababababababababab'
const TOKENS = 50
const BODY_LIMIT = 1024 * 1024
const NORMAL_EVERY_MS = 20

interface Attack {
  kind: string
  expect: number[]
  method: 'POST' | 'GET'
  path: string
  body: string
  xff: string
}

/** The hostile GraphQL documents, cycling through the kinds. */
function hostileDocument(i: number, r: Rng): { kind: string; body: string; expect: number[] } {
  const q = (query: string) => JSON.stringify({ query })
  switch (i % 6) {
    case 0: {
      let inner = 'name'
      for (let l = 0; l < r.int(12, 40); l++) inner = `fields { type { ${inner} } }`
      return { kind: 'deep introspection', body: q(`{ __schema { types { ${inner} } } }`), expect: [400] }
    }
    case 1:
      // 413: past GRAPHQL_MAX_BODY_BYTES (fewer aliases meet the token limit, 400)
      return { kind: '10,000 aliases', body: q(`{ ${Array.from({ length: 10_000 }, (_, k) => `a${k}: status { version }`).join(' ')} }`), expect: [413] }
    case 2:
      return { kind: 'fragment cycle', body: q('query { status { ...A } } fragment A on Status { version ...B } fragment B on Status { ...A }'), expect: [400] }
    case 3:
      return {
        kind: 'huge list',
        body: q(
          `{ contracts(first: 200) { nodes { tokens(first: 200) { nodes { id owner metadata { name attributes { traitType value } } balances(first: 200) { nodes { account } } } } } } }`,
        ),
        expect: [400],
      }
    case 4: {
      let inner = 'id'
      for (let l = 0; l < r.int(3, 30); l++) inner = `contract { tokens(first: 1) { nodes { ${inner} } } }`
      return { kind: 'deep nesting', body: q(`{ token(chain: "eip155:31337", contract: "0x1", tokenId: "1") { ${inner} } }`), expect: [400] }
    }
    default:
      // oversized: past the body limit (one in six would be 1.7 GB for 10,000; every 6th of those)
      return i % 36 === 5
        ? { kind: 'oversized body', body: q(`{ status { version } } # ${'x'.repeat(BODY_LIMIT)}`), expect: [413] }
        : { kind: 'many directives', body: q(`{ status { ${'version @include(if: true) '.repeat(r.int(21, 400))} } }`), expect: [400] }
  }
}

interface Timed {
  status: number
  ms: number
}

async function timed(base: string, a: { method: string; path: string; body?: string; headers: Record<string, string> }): Promise<Timed> {
  const t = performance.now()
  try {
    const res = await fetch(`${base}${a.path}`, {
      method: a.method,
      headers: { ...(a.body ? { 'content-type': 'application/json' } : {}), ...a.headers },
      body: a.body,
      signal: AbortSignal.timeout(20_000),
    })
    await res.arrayBuffer()
    return { status: res.status, ms: performance.now() - t }
  } catch {
    return { status: 0, ms: performance.now() - t }
  }
}

function p(values: number[], q: number): number {
  if (values.length === 0) return 0
  const s = [...values].sort((x, y) => x - y)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}

/** From the API's /metrics: the share of 4xx answers its own histogram puts within 50 ms, event-loop lag, GC time. */
function serverSide(text: string): { refusals: number; within50: number; lagMaxMs: number; gcMs: number } {
  let refusals = 0
  let within = 0
  let gc = 0
  let lag = 0
  for (const line of text.split('\n')) {
    const m = /^tms_api_request_duration_seconds_bucket\{(.*)\} (\S+)$/.exec(line)
    if (m && /status="4\d\d"/.test(m[1])) {
      if (/le="0\.05"/.test(m[1])) within += Number(m[2])
      if (/le="\+Inf"/.test(m[1])) refusals += Number(m[2])
    }
    const g = /^tms_process_nodejs_gc_duration_seconds_sum\{.*\} (\S+)$/.exec(line)
    if (g) gc += Number(g[1]) * 1000
    const l = /^tms_process_nodejs_eventloop_lag_max_seconds(?:\{.*\})? (\S+)$/.exec(line)
    if (l) lag = Number(l[1]) * 1000
  }
  return { refusals, within50: refusals > 0 ? within / refusals : 0, lagMaxMs: lag, gcMs: gc }
}

async function seed(db: DrillDb): Promise<void> {
  const cid = `${EVM_CHAIN}:${CONTRACT}`
  await db.q(`INSERT INTO contract (id, chain, address, standard, first_seen_block, update_mode, created_at) VALUES ($1, $2, $3, 'ERC721', 1, 'STANDARD', now())`, [
    cid,
    EVM_CHAIN,
    CONTRACT,
  ])
  await db.q(
    `INSERT INTO token (id, chain, contract_id, token_id, standard, owner, supply, burned, mint_block, update_mode)
     SELECT $1 || ':' || i, $2, $1, i, 'ERC721', '0x0000000000000000000000000000000000000001', 1, false, 1, 'STANDARD' FROM generate_series(1, $3) i`,
    [cid, EVM_CHAIN, TOKENS],
  )
  await db.q(
    `INSERT INTO token_metadata (id, token_id, contract_id, status, name, image, normalized, raw, last_fetched_at, updated_at)
     SELECT $1 || ':' || i, $1 || ':' || i, $1, 'AVAILABLE', 'Token ' || i, 'https://img.example/' || i, jsonb_build_object('name', 'Token ' || i), jsonb_build_object('name', 'Token ' || i), now(), now()
       FROM generate_series(1, $2) i`,
    [cid, TOKENS],
  )
}

export async function runAbuseDrill(ctx: DrillContext, opt: AbuseOptions): Promise<DrillResult> {
  const started = Date.now()
  const log = (m: string) => ctx.log(`[abuse] ${m}`)
  const checks: Check[] = []
  const logDir = ctx.logDir('abuse')
  const fleet = new Fleet(logDir, log)
  let db: DrillDb | undefined
  try {
    db = await ctx.pg.createDatabase('drill_abuse')
    await seed(db)
    const key = await newKeyAt(db.url, `drill abuse ${Date.now()}`)

    const port = await freePort()
    const env = deploymentEnv({
      databaseUrl: db.url,
      evmChains: JSON.stringify([{ chain: EVM_CHAIN, rpcUrl: 'http://127.0.0.1:9' }]),
      allowHosts: [],
      extra: {
        API_TRUST_PROXY: '127.0.0.1',
        // on, so deep introspection meets the depth and cost limits rather than the switch
        GRAPHQL_INTROSPECTION: 'true',
        READ_LIMIT_PER_IP: String(opt.readLimitPerIp),
        READ_LIMIT_PER_KEY: '100000000',
        ON_DEMAND_FETCHES_PER_MINUTE: String(opt.onDemandPerMinute),
        DB_POOL_SIZE: '10',
      },
    })
    const { api, base } = await startApiRole(fleet, env, port)

    const chainID = EVM_CHAIN.split(':')[1]
    const normal = (i: number) => ({
      method: 'POST',
      path: '/rpc/Metadata/GetTokenMetadata',
      body: JSON.stringify({ chainID, contractAddress: CONTRACT, tokenIDs: [String((i % TOKENS) + 1)] }),
      headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': '198.51.100.1' },
    })
    // A normal client: one read every NORMAL_EVERY_MS (50/s), at rest and during the attack alike.
    const normalRun = async (n: number, until?: () => boolean): Promise<Timed[]> => {
      const out: Timed[] = []
      for (let i = 0; i < n || (until !== undefined && !until()); i++) {
        const t = Date.now()
        out.push(await timed(base, normal(i)))
        await sleep(NORMAL_EVERY_MS - (Date.now() - t))
      }
      return out
    }
    await normalRun(50) // warm-up
    const rest = await normalRun(opt.restReads)

    const [{ n: jobsBefore }] = await db.q<{ n: number }>(`SELECT count(*)::int AS n FROM metadata_job`)
    const r = ctx.rng('abuse')
    const attacks: Attack[] = []
    let addr = 0
    const fresh = () => `10.${(++addr >> 16) & 255}.${(addr >> 8) & 255}.${addr & 255}`
    for (let i = 0; i < opt.graphqlDocs; i++) {
      const d = hostileDocument(i, r)
      attacks.push({ kind: `graphql: ${d.kind}`, expect: d.expect, method: 'POST', path: '/graphql', body: d.body, xff: fresh() })
    }
    for (let i = 0; i < opt.madeUpReads; i++) {
      const tokenIDs = Array.from({ length: 50 }, () => String(r.int(1_000_000, 2_000_000_000)))
      attacks.push({
        kind: 'sequence: made-up ids',
        expect: [200],
        method: 'POST',
        path: '/rpc/Metadata/GetTokenMetadata',
        body: JSON.stringify({ chainID, contractAddress: CONTRACT, tokenIDs }),
        xff: fresh(),
      })
    }
    const burstPerClient = opt.readLimitPerIp + 30
    for (let c = 0; c < opt.burstClients; c++) {
      const xff = `172.16.${c >> 8}.${c & 255}`
      for (let i = 0; i < burstPerClient; i++) attacks.push({ kind: 'burst', expect: [200, 429], method: 'GET', path: '/status', body: '', xff })
    }
    // interleave the kinds (a burst client's requests stay together, as a burst does)
    const order = attacks
      .map((a, i) => ({ a, k: a.kind === 'burst' ? i / attacks.length : r.next() }))
      .sort((x, y) => x.k - y.k)
      .map((x) => x.a)

    const results: { a: Attack; t: Timed }[] = []
    let next = 0
    let attacking = true
    const attackStart = Date.now()
    const during = normalRun(0, () => !attacking)
    // Open loop when paced: request k is due at k / attackPerSecond, whatever the answers' speed.
    const dueAt = (k: number) => (opt.attackPerSecond > 0 ? attackStart + (k * 1000) / opt.attackPerSecond : 0)
    await Promise.all(
      Array.from({ length: opt.concurrency }, async () => {
        while (next < order.length) {
          const k = next++
          const a = order[k]
          const wait = dueAt(k) - Date.now()
          if (wait > 0) await sleep(wait)
          results.push({ a, t: await timed(base, { method: a.method, path: a.path, body: a.body || undefined, headers: { 'x-forwarded-for': a.xff } }) })
        }
      }),
    )
    attacking = false
    const attackMs = Date.now() - attackStart
    const duringReads = await during
    const [{ n: jobsAfter }] = await db.q<{ n: number }>(`SELECT count(*)::int AS n FROM metadata_job`)
    const budgetRows = await db.q<{ count: number }>(`SELECT count FROM rate_limit_window WHERE kind = 'on_demand_fetch'`)
    const server = serverSide(
      await fetch(`${base}/metrics`).then(
        (x) => x.text(),
        () => '',
      ),
    )
    const health = await fetch(`${base}/health`).then(
      (x) => x.status,
      () => 0,
    )
    const exits = api.exits.length
    await fleet.stopAll()

    const fiveXX = results.filter((x) => x.t.status >= 500 || x.t.status === 0)
    check(
      checks,
      `${fmt(results.length)} hostile requests: no 5xx and no dropped connection`,
      fiveXX.length === 0,
      fiveXX.length === 0
        ? 'none'
        : `${fiveXX.length}: ${fiveXX
            .slice(0, 5)
            .map((x) => `${x.a.kind} -> ${x.t.status}`)
            .join(' / ')}`,
    )
    const wrong = results.filter((x) => !x.a.expect.includes(x.t.status))
    check(
      checks,
      'each answered with the right status (400/413 documents, 200 made-up reads, 429 past the limit)',
      wrong.length === 0,
      wrong.length === 0
        ? 'all'
        : `${wrong.length} wrong: ${wrong
            .slice(0, 5)
            .map((x) => `${x.a.kind} expected ${x.a.expect.join('/')} got ${x.t.status}`)
            .join(' / ')}`,
    )
    // A burst client gets exactly its limit per minute window the attack touched, the rest 429.
    const windows = Math.floor(Date.now() / 60_000) - Math.floor(attackStart / 60_000) + 1
    const perClient = new Map<string, number>()
    for (const x of results) if (x.a.kind === 'burst' && x.t.status === 200) perClient.set(x.a.xff, (perClient.get(x.a.xff) ?? 0) + 1)
    const offLimit = [...Array(opt.burstClients).keys()]
      .map((c) => perClient.get(`172.16.${c >> 8}.${c & 255}`) ?? 0)
      .filter((n) => n < opt.readLimitPerIp || n > opt.readLimitPerIp * windows)
    check(
      checks,
      `each bursting client gets its limit (${opt.readLimitPerIp}/min) and 429 past it`,
      offLimit.length === 0,
      offLimit.length === 0
        ? `${opt.burstClients} clients x ${burstPerClient} reads over ${windows} minute window(s)`
        : `${offLimit.length} clients off: ${offLimit.slice(0, 5).join(', ')} allowed`,
    )
    const refusals = results.filter((x) => x.t.status >= 400 && x.t.status < 500)
    const slow = refusals.filter((x) => x.t.ms > opt.refusalWithinMs)
    check(
      checks,
      `every refusal answered within ${opt.refusalWithinMs} ms`,
      slow.length === 0,
      `${fmt(slow.length)} of ${fmt(refusals.length)} slower; refusal p50 ${fmt(
        p(
          refusals.map((x) => x.t.ms),
          0.5,
        ),
        1,
      )} ms, p99 ${fmt(
        p(
          refusals.map((x) => x.t.ms),
          0.99,
        ),
        1,
      )} ms, max ${fmt(
        p(
          refusals.map((x) => x.t.ms),
          1,
        ),
        1,
      )} ms`,
    )
    const budget = opt.onDemandPerMinute * Math.max(1, budgetRows.length)
    const grown = jobsAfter - jobsBefore
    check(
      checks,
      'the job queue grows by at most the on-demand budget',
      grown <= budget,
      `${fmt(grown)} jobs queued for ${fmt(opt.madeUpReads * 50)} made-up ids; budget ${fmt(opt.onDemandPerMinute)}/min over ${budgetRows.length} minute window(s)`,
    )
    const restP99 = p(
      rest.map((x) => x.ms),
      0.99,
    )
    const duringP99 = p(
      duringReads.map((x) => x.ms),
      0.99,
    )
    check(
      checks,
      "a normal client's single-token p99 during the attack within 2x of its p99 at rest",
      duringP99 <= 2 * restP99,
      `${fmt(duringP99, 1)} ms during vs ${fmt(restP99, 1)} ms at rest (ratio ${fmt(duringP99 / restP99, 2)})`,
    )
    const normalFailed = duringReads.filter((x) => x.status !== 200).length
    check(checks, 'the normal client (its own API key) is never refused', normalFailed === 0, `${normalFailed} of ${duringReads.length} not 200`)
    check(checks, 'the API process is up and healthy afterwards', exits === 0 && health === 200, `exits ${exits}, /health ${health}`)

    const figures: DrillResult['figures'] = []
    figures.push([
      'attack',
      fmt(results.length),
      `${opt.attackPerSecond > 0 ? `paced at ${opt.attackPerSecond}/s, ` : ''}at most ${opt.concurrency} in flight, ${seconds(attackMs)} (${fmt(results.length / (attackMs / 1000))} req/s)`,
    ])
    const kinds = new Map<string, number[]>()
    for (const x of results) kinds.set(x.a.kind, [...(kinds.get(x.a.kind) ?? []), x.t.ms])
    for (const [k, ms] of [...kinds].sort()) figures.push([k, fmt(ms.length), `p50 ${fmt(p(ms, 0.5), 1)} ms, p99 ${fmt(p(ms, 0.99), 1)} ms`])
    figures.push([
      'server side',
      `${fmt(server.within50 * 100, 1)}% of 4xx within 50 ms`,
      `of ${fmt(server.refusals)} 4xx answers timed by the API itself (request histogram); event-loop lag max ${fmt(server.lagMaxMs, 1)} ms; GC ${fmt(server.gcMs)} ms in all: the rest of a client-side time is the shared machine and the drill's own process`,
    ])
    figures.push([
      'normal client at rest',
      fmt(rest.length),
      `p50 ${fmt(
        p(
          rest.map((x) => x.ms),
          0.5,
        ),
        1,
      )} ms, p99 ${fmt(restP99, 1)} ms`,
    ])
    figures.push([
      'normal client during',
      fmt(duringReads.length),
      `p50 ${fmt(
        p(
          duringReads.map((x) => x.ms),
          0.5,
        ),
        1,
      )} ms, p99 ${fmt(duringP99, 1)} ms`,
    ])
    return {
      drill: 'abuse',
      setup: `The API process behind a trusted proxy (X-Forwarded-For), READ_LIMIT_PER_IP ${opt.readLimitPerIp}/min, ON_DEMAND_FETCHES_PER_MINUTE ${opt.onDemandPerMinute}; ${fmt(opt.graphqlDocs)} hostile GraphQL documents, ${fmt(opt.madeUpReads)} Sequence reads of 50 made-up ids, ${opt.burstClients} clients bursting ${burstPerClient} reads each; a normal client with its own key reading one token every ${NORMAL_EVERY_MS} ms.`,
      durationMs: Date.now() - started,
      figures,
      faults: [`${fmt(results.length)} hostile requests`],
      checks,
      lost: 'n/a (read surfaces)',
      logDir,
    }
  } finally {
    await fleet.stopAll().catch(() => undefined)
    await db?.close()
  }
}
