/**
 * bench:peers, part 3: GraphQL reads on one database of N tokens (bench/apiFixture.ts fill):
 * our API (bench/apiServer.ts) against @subsquid/graphql-server, the server squid users get by
 * default, generated from our schema.graphql (the one our tables are generated from, so both read
 * the same rows). Each side gets the same two queries for the same fields, with the same random
 * ids, at the same concurrency, pool size 10 on both: one token by id (with its metadata and its
 * contract's name), and a 50-token page of one contract ordered by token id. Each is measured with
 * autocannon after a warm-up, as bench/api.ts does.
 */
import { fillDatabase, shapeFor } from '../apiFixture'
import { httpRate, startApiServer, type AutocannonRequest, type HttpRate } from '../httpLoad'
import { ROOT, createDatabase, dropDatabase, fmt, log, sleep, startScript, treeCpu, type Child, type PgServer } from '../common'
import { peerBin } from './install'

const POOL_SIZE = 10
const CONNECTIONS = 32
const DATABASE = 'tms_peers_api'

export interface ReadRow {
  query: string
  ours: ReadRate
  peer: ReadRate
}

export interface GraphqlPart {
  tokens: number
  seconds: number
  fillSeconds: number
  rows: ReadRow[]
}

const rnd = (n: number) => Math.floor(Math.random() * n)
const evmAddress = (c: number) => `0x${c.toString(16).padStart(40, '0')}`

interface Queries {
  token: string
  page: string
  tokenVars(contract: string, tokenId: string): Record<string, string>
  pageVars(contract: string): Record<string, string>
}

const OURS: Queries = {
  token: `query($contract: String!, $tokenId: BigInt!) { token(chain: "eip155:1", contract: $contract, tokenId: $tokenId) {
    id tokenId owner status metadata { name image } contract { name standard } } }`,
  page: `query($contract: String!) { tokens(chain: "eip155:1", contract: $contract, first: 50) {
    nodes { id tokenId owner status metadata { name image } } pageInfo { hasNextPage endCursor } } }`,
  tokenVars: (contract, tokenId) => ({ contract, tokenId }),
  pageVars: (contract) => ({ contract }),
}

/** openreader's generated queries over the same entities (Token, TokenMetadata, Contract, ContractMetadata). */
const SQUID: Queries = {
  token: `query($id: String!) { tokenById(id: $id) {
    id tokenId owner metadata { status name image } contract { standard metadata { name } } } }`,
  page: `query($contract: String!) { tokensConnection(where: { contract: { id_eq: $contract } }, orderBy: tokenId_ASC, first: 50) {
    edges { node { id tokenId owner metadata { status name image } } } pageInfo { hasNextPage endCursor } } }`,
  tokenVars: (contract, tokenId) => ({ id: `eip155:1:${contract}:${tokenId}` }),
  pageVars: (contract) => ({ contract: `eip155:1:${contract}` }),
}

function post(body: () => unknown): AutocannonRequest {
  return { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: JSON.stringify(body()) }) }
}

function requests(q: Queries, contracts: number, perContract: number): { token: AutocannonRequest; page: AutocannonRequest } {
  return {
    token: post(() => ({ query: q.token, variables: q.tokenVars(evmAddress(1 + rnd(contracts)), String(rnd(perContract))) })),
    page: post(() => ({ query: q.page, variables: q.pageVars(evmAddress(1 + rnd(contracts))) })),
  }
}

/** One query against a server, answered with data and no errors (checked before the load). */
async function probe(url: string, query: string, variables: Record<string, string>): Promise<void> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
  const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] }
  if (!res.ok || body.errors || !body.data || Object.values(body.data).some((v) => v === null)) throw new Error(`${url}: ${res.status} ${JSON.stringify(body).slice(0, 500)}`)
}

async function startSquidServer(url: string, port: number): Promise<Child> {
  const env = { DB_URL: url, GQL_PORT: String(port), GQL_DB_CONNECTION_POOL_SIZE: String(POOL_SIZE), SQD_LOG_LEVEL: 'WARN' }
  const child = startScript(peerBin('@subsquid/graphql-server', 'bin/run.js'), [], env, ROOT)
  const end = Date.now() + 60_000
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}' })
      .then((r) => r.ok)
      .catch(() => false)
    if (up) return child
    if (child.child.exitCode !== null || Date.now() > end) {
      await child.stop('SIGKILL')
      throw new Error(`graphql-server did not start:\n${child.output()}`)
    }
    await sleep(100)
  }
}

/** A measured query with the CPU it cost per request: the server process and Postgres. */
export interface ReadRate extends HttpRate {
  cpuMs: { server: number; postgres: number }
}

async function measureOne(url: string, request: AutocannonRequest, seconds: number, pids: { server: number; postgres?: number }): Promise<ReadRate> {
  const cpu = () => ({ server: treeCpu(pids.server, 0), postgres: pids.postgres ? treeCpu(pids.postgres) : 0 })
  // httpRate warms up for 2 s before measuring: take the CPU over the measured part only
  await httpRate(url, { connections: CONNECTIONS, request }, 1)
  const before = cpu()
  const r = await httpRate(url, { connections: CONNECTIONS, request }, seconds)
  const after = cpu()
  // the warm-up inside httpRate ran between the two samples too: count its requests (2 s) as well
  const requests = r.perSecond * (seconds + 2)
  return { ...r, cpuMs: { server: ((after.server - before.server) * 1000) / requests, postgres: ((after.postgres - before.postgres) * 1000) / requests } }
}

async function measure(url: string, reqs: { token: AutocannonRequest; page: AutocannonRequest }, seconds: number, pids: { server: number; postgres?: number }) {
  return { token: await measureOne(url, reqs.token, seconds, pids), page: await measureOne(url, reqs.page, seconds, pids) }
}

export async function runGraphqlPart(pg: PgServer, tokens: number, seconds: number, squidPort = 42170): Promise<GraphqlPart> {
  const shape = shapeFor(tokens)
  const url = await createDatabase(pg, DATABASE)
  try {
    log(`graphql: filling ${fmt(tokens)} tokens…`)
    const t0 = performance.now()
    const n = await fillDatabase(url, shape)
    const fillSeconds = (performance.now() - t0) / 1000
    log(`  ${fmt(n)} tokens in ${fillSeconds.toFixed(0)} s`)
    const sample = evmAddress(1)
    const ours = await startApiServer(url, 0, POOL_SIZE)
    let oursRates
    try {
      await probe(ours.url, OURS.token, OURS.tokenVars(sample, '1'))
      await probe(ours.url, OURS.page, OURS.pageVars(sample))
      log('  ours:')
      oursRates = await measure(ours.url, requests(OURS, shape.evmContracts, shape.tokensPerContract), seconds, { server: ours.child.pid ?? -1, postgres: pg.pid })
    } finally {
      await ours.stop()
    }
    const squid = await startSquidServer(url, squidPort)
    let squidRates
    try {
      const squidUrl = `http://127.0.0.1:${squidPort}`
      await probe(squidUrl, SQUID.token, SQUID.tokenVars(sample, '1'))
      await probe(squidUrl, SQUID.page, SQUID.pageVars(sample))
      log('  @subsquid/graphql-server:')
      squidRates = await measure(squidUrl, requests(SQUID, shape.evmContracts, shape.tokensPerContract), seconds, { server: squid.pid, postgres: pg.pid })
    } finally {
      await squid.stop()
    }
    return {
      tokens: n,
      seconds,
      fillSeconds,
      rows: [
        { query: 'one token by id, with metadata and contract name', ours: oursRates.token, peer: squidRates.token },
        { query: '50 tokens of one contract by token id, first page', ours: oursRates.page, peer: squidRates.page },
      ],
    }
  } finally {
    await dropDatabase(pg, DATABASE)
  }
}
