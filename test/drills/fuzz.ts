/**
 * API fuzz drill. The real API process (node lib/main/api.js) over a database with real tokens
 * (the reorg drill's, when it ran: both chain families, metadata, jobs) takes a seeded stream of
 * malformed requests across every surface: GraphQL, Hiro, Sequence (reads and refresh methods),
 * status, health, docs, metrics, and the refresh surfaces (Immutable X /v1/metadata-refreshes,
 * Immutable zkEVM /v1/chains/…/refresh-metadata, Mavis /mavis-market-partner/…), with no key,
 * junk keys and a valid admin key; plus raw malformed HTTP on a socket. None may be answered with
 * a 5xx, hang, or leak a stack trace; the process must stay up and healthy.
 */
import { newKeyAt } from '../helpers/refreshApi'
import { freePort } from '../../src/lib/net'
import { EVM_CHAIN, STACKS_CHAIN } from './chains'
import type { DrillContext } from './context'
import type { DrillDb } from './postgres'
import { Fleet } from './processes'
import { REORG_DB } from './reorgs'
import { check, type Check, type DrillResult } from './report'
import { deploymentEnv, startApiRole } from './roles'
import { fuzzFailure, fuzzGenerator, sendFuzzRequest, STACK_TRACE } from '../helpers/fuzzRequests'
import { fmt, seconds } from './runtime'

/** The API's zkEVM chain names in this drill. */
const CHAIN_NAMES = { 'drill-local': EVM_CHAIN, 'imtbl-zkevm-mainnet': 'eip155:13371', ethereum: 'eip155:1' }

export interface FuzzOptions {
  requests: number
  concurrency: number
  /** a request without an answer after this long counts as hanging */
  answerWithinMs: number
}

export const FUZZ_PROFILES: Record<'full' | 'quick' | 'test', FuzzOptions> = {
  full: { requests: 10_000, concurrency: 16, answerWithinMs: 20_000 },
  quick: { requests: 10_000, concurrency: 16, answerWithinMs: 20_000 },
  // npm test runs beside other test files on 2 cores
  test: { requests: 1_000, concurrency: 8, answerWithinMs: 60_000 },
}

export async function runFuzzDrill(ctx: DrillContext, opt: FuzzOptions): Promise<DrillResult> {
  const started = Date.now()
  const log = (m: string) => ctx.log(`[fuzz] ${m}`)
  const checks: Check[] = []
  const logDir = ctx.logDir('fuzz')
  const fleet = new Fleet(logDir, log)
  let db: DrillDb | undefined
  try {
    // The reorg drill's database when it ran (real tokens of both chain families), else an empty one.
    const exists = await (async () => {
      const admin = ctx.pg.open('postgres')
      try {
        return (await admin.q(`SELECT 1 FROM pg_database WHERE datname = $1`, [REORG_DB])).length > 0
      } finally {
        await admin.close()
      }
    })()
    db = exists ? ctx.pg.open(REORG_DB) : await ctx.pg.createDatabase('drill_fuzz')
    const pick1 = async (sql: string, params: unknown[] = []) => (await db!.q<{ v: string }>(sql, params)).map((x) => x.v)
    const evmContract =
      (await pick1(`SELECT address AS v FROM contract WHERE chain = $1 AND standard = 'ERC721' ORDER BY id LIMIT 1`, [EVM_CHAIN]))[0] ??
      '0x5fbdb2315678afecb367f032d93f642f64180aa3'
    const evmTokens = await pick1(`SELECT token_id::text AS v FROM token WHERE chain = $1 ORDER BY id LIMIT 50`, [EVM_CHAIN])
    const stx = async (standard: string, fallback: string) =>
      (await pick1(`SELECT address AS v FROM contract WHERE chain = $1 AND standard = $2 ORDER BY id LIMIT 1`, [STACKS_CHAIN, standard]))[0] ?? fallback
    const stxNft = await stx('SIP009', 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.sample-nft')
    const stxFt = await stx('SIP010', 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.sample-ft')
    const stxSft = await stx('SIP013', 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.sample-sft')
    const stxTokens = await pick1(`SELECT token_id::text AS v FROM token WHERE chain = $1 ORDER BY id LIMIT 30`, [STACKS_CHAIN])
    const [{ n: tokensInDb }] = await db.q<{ n: number }>(`SELECT count(*)::int AS n FROM token`)

    // An admin API key, so the authenticated paths of the refresh surfaces are fuzzed too.
    const key = await newKeyAt(db.url, `drill fuzz ${Date.now()}`)

    const port = await freePort()
    const env = deploymentEnv({
      databaseUrl: db.url,
      evmChains: JSON.stringify([{ chain: EVM_CHAIN, rpcUrl: 'http://127.0.0.1:9' }]),
      stacksChain: STACKS_CHAIN,
      allowHosts: [],
      extra: {
        CHAIN_NAMES: JSON.stringify(CHAIN_NAMES),
        REFRESH_DEFAULT_CHAIN: EVM_CHAIN,
        MAVIS_CHAIN: EVM_CHAIN,
        REFRESH_REQUESTS_PER_SECOND: '50',
      },
    })
    const { api, base } = await startApiRole(fleet, env, port)

    const next = fuzzGenerator(ctx.rng('fuzz'), {
      evmChain: EVM_CHAIN,
      stacksChain: STACKS_CHAIN,
      chainNames: Object.keys(CHAIN_NAMES),
      evmContract,
      evmTokens: evmTokens.length ? evmTokens : ['0'],
      stxNft,
      stxFt,
      stxSft,
      stxTokens: stxTokens.length ? stxTokens : ['0'],
      key,
    })
    const requests = Array.from({ length: opt.requests }, next)
    const statuses = new Map<string, number>()
    const bySurface = new Map<string, { n: number; s2: number; s4: number; other: number }>()
    const failures: string[] = []
    let clientRefused = 0
    let waitingForBody = 0
    let closed = 0
    let i = 0
    const fuzzStart = Date.now()
    await Promise.all(
      Array.from({ length: opt.concurrency }, async () => {
        while (i < requests.length) {
          const q = requests[i++]
          const o = await sendFuzzRequest(base, q, opt.answerWithinMs)
          const key2 = String(o.status)
          statuses.set(key2, (statuses.get(key2) ?? 0) + 1)
          const s = bySurface.get(q.surface) ?? { n: 0, s2: 0, s4: 0, other: 0 }
          s.n++
          if (typeof o.status === 'number' && o.status < 400) s.s2++
          else if (typeof o.status === 'number' && o.status < 500) s.s4++
          else s.other++
          bySurface.set(q.surface, s)
          if (o.status === 'error') clientRefused++
          if (o.status === 'closed') closed++
          const failure = fuzzFailure(q, o)
          if (o.status === 'timeout' && q.incomplete) waitingForBody++
          if (failure) failures.push(failures.length < 25 ? failure : '…')
        }
      }),
    )
    const fuzzMs = Date.now() - fuzzStart
    const health = await fetch(`${base}/health`).then(
      (x) => x.status,
      () => 0,
    )
    const rss = api.peakRssKb() / 1024
    const exits = api.exits.length
    await fleet.stopAll()

    const fiveXX = [...statuses].filter(([s]) => /^5\d\d$/.test(s)).reduce((n, [, c]) => n + c, 0)
    check(
      checks,
      `${fmt(opt.requests)} malformed requests: no 5xx`,
      fiveXX === 0,
      fiveXX === 0
        ? 'none'
        : failures
            .filter((f) => /^5/.test(f))
            .slice(0, 8)
            .join(' / '),
    )
    const hangs = (statuses.get('timeout') ?? 0) - waitingForBody
    check(
      checks,
      `no request left unanswered (${seconds(opt.answerWithinMs)}; 5 s on raw sockets)`,
      hangs === 0,
      `${hangs} timeouts ${failures
        .filter((f) => f.startsWith('timeout'))
        .slice(0, 4)
        .join(' / ')}; ${waitingForBody} raw requests that announce a longer body than they send were (rightly) still waiting for it after 5 s`,
    )
    const stack = failures.filter((f) => STACK_TRACE.test(f))
    check(checks, 'no stack trace in any response', stack.length === 0, stack.slice(0, 3).join(' / ') || 'none')
    const droppedFetch = failures.filter((f) => f.startsWith('closed'))
    check(checks, 'no connection dropped without an answer (HTTP requests)', droppedFetch.length === 0, droppedFetch.slice(0, 4).join(' / ') || 'none')
    check(checks, 'the API process is up and healthy afterwards', exits === 0 && health === 200, `exits ${exits}, /health ${health}, peak RSS ${fmt(rss)} MB`)

    const figures: DrillResult['figures'] = []
    figures.push([
      'requests',
      fmt(opt.requests),
      `${opt.concurrency} in flight, ${seconds(fuzzMs)} (${fmt(opt.requests / (fuzzMs / 1000))} req/s); database: ${exists ? `the reorg drill's (${fmt(tokensInDb)} tokens)` : 'empty'}; an admin API key for the refresh surfaces`,
    ])
    for (const [s, v] of [...bySurface].sort()) figures.push([`surface ${s}`, fmt(v.n), `${fmt(v.s2)} 2xx/3xx, ${fmt(v.s4)} 4xx, ${fmt(v.other)} other`])
    figures.push([
      'statuses',
      [...statuses]
        .sort()
        .map(([s, c]) => `${s}: ${fmt(c)}`)
        .join(', '),
      `"error" = refused by the HTTP client before sending (${clientRefused}); "closed" = raw socket closed by the server without an answer (${closed})`,
    ])
    return {
      drill: 'fuzz',
      setup: `The API process (lib/main/api.js) over ${exists ? "the reorg drill's database" : 'an empty database'}; a seeded stream of malformed requests across GraphQL, Hiro, Sequence (reads and refresh methods), status, health, docs, metrics, the Immutable X, zkEVM and Mavis refresh surfaces (no key, junk keys, a valid key) and raw malformed HTTP.`,
      durationMs: Date.now() - started,
      figures,
      faults: [`${fmt(opt.requests)} malformed requests`],
      checks,
      lost: 'n/a (read-mostly surfaces; refreshes the fuzz created stay queued)',
      logDir,
    }
  } finally {
    await fleet.stopAll().catch(() => undefined)
    await db?.close()
  }
}
