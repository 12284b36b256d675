// Read rate limits over real HTTP: RateLimit-* headers, each surface's 429 shape, client
// addresses from X-Forwarded-For only behind a trusted proxy, API keys with their own budget,
// and one budget shared by two API processes through Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { READ_WINDOW_MS } from '../../../src/api/limits/readLimiter'
import { EVM, STX, seedApiFixtures } from '../../helpers/apiFixtures'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'
import { waitFor } from '../../helpers/processes'
import { newKey } from '../../helpers/refreshApi'

const db = useTestDatabase()
const LIMIT = 3
let api: RunningApi

beforeAll(async () => {
  await seedApiFixtures(db.ds)
  api = await startApiServer(db, { env: { READ_LIMIT_PER_IP: String(LIMIT), READ_LIMIT_PER_KEY: '6', API_TRUST_PROXY: '127.0.0.1' } })
})
afterAll(async () => api?.close())

let nextClient = 1
/** A client address of its own (the trusted proxy at 127.0.0.1 forwards it). */
const client = () => ({ 'x-forwarded-for': `203.0.113.${nextClient++}` })

interface Probe {
  method: 'GET' | 'POST'
  path: string
  body?: unknown
}

const SURFACES: Record<string, Probe> = {
  hiro: { method: 'GET', path: `/metadata/v1/nft/${STX.nft}/1` },
  sequence: { method: 'POST', path: '/rpc/Metadata/GetTokenMetadata', body: { chainID: '1', contractAddress: EVM.axes, tokenIDs: ['1'] } },
  graphql: { method: 'POST', path: '/graphql', body: { query: '{ status { version } }' } },
  immutable: { method: 'GET', path: '/v1/metadata-refreshes' },
}

async function send(target: RunningApi, p: Probe, headers: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }> {
  const r = await fetch(`${target.url}${p.path}`, {
    method: p.method,
    headers: { ...headers, ...(p.body ? { 'content-type': 'application/json' } : {}) },
    body: p.body ? JSON.stringify(p.body) : undefined,
  })
  return { status: r.status, headers: r.headers, body: await r.json().catch(() => undefined) }
}

/**
 * Read limits count in fixed one-minute windows of the clock. A test that relies on counts
 * reaching a limit runs once more (with fresh clients) when a window ended while it ran: its
 * counts started over, which is the limiter working, not failing. Any other failure stands.
 */
async function inOneWindow(run: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const window = Math.floor(Date.now() / READ_WINDOW_MS)
    try {
      return await run()
    } catch (e) {
      if (attempt === 2 || Math.floor(Date.now() / READ_WINDOW_MS) === window) throw e
    }
  }
}

async function exhaust(target: RunningApi, p: Probe, headers: Record<string, string>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect((await send(target, p, headers)).status).not.toBe(429)
}

/** A fresh client spends its budget on `p`; the next read is refused with a 429, returned. */
async function pastTheLimit(p: Probe): Promise<Awaited<ReturnType<typeof send>>> {
  const who = client()
  await exhaust(api, p, who, LIMIT)
  const r = await send(api, p, who)
  expect(r.status).toBe(429)
  return r
}

describe('read rate limits', () => {
  it('answers RateLimit-Limit, -Remaining, -Reset and -Policy on every read', async () => {
    const r = await send(api, SURFACES.hiro, client())
    expect(r.status).toBe(200)
    expect(r.headers.get('ratelimit-limit')).toBe(String(LIMIT))
    expect(r.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1))
    const reset = Number(r.headers.get('ratelimit-reset'))
    expect(reset).toBeGreaterThanOrEqual(1)
    expect(reset).toBeLessThanOrEqual(60)
    expect(r.headers.get('ratelimit-policy')).toBe(`${LIMIT};w=60`)
  })

  it('refuses a Hiro read past the limit with 429, Retry-After and Fastify error body', () =>
    inOneWindow(async () => {
      const r = await pastTheLimit(SURFACES.hiro)
      expect(r.headers.get('ratelimit-remaining')).toBe('0')
      expect(r.headers.get('retry-after')).toBe(r.headers.get('ratelimit-reset'))
      expect(r.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/^Rate limit exceeded, retry in \d+ seconds?$/) })
    }))

  it('refuses a Sequence read past the limit with the webrpc RateLimited error', () =>
    inOneWindow(async () => {
      const r = await pastTheLimit(SURFACES.sequence)
      expect(r.body).toMatchObject({ error: 'RateLimited', code: 2005, msg: 'Rate limited', status: 429 })
    }))

  it('refuses a GraphQL request past the limit with a RATE_LIMITED GraphQL error', () =>
    inOneWindow(async () => {
      const r = await pastTheLimit(SURFACES.graphql)
      expect(r.body.errors).toEqual([{ message: expect.stringMatching(/^Rate limit exceeded/), extensions: { code: 'RATE_LIMITED' } }])
    }))

  it('refuses an Immutable refresh listing past the limit with an Immutable {code, message} error', () =>
    inOneWindow(async () => {
      const who = client()
      for (let i = 0; i < LIMIT; i++) await send(api, SURFACES.immutable, who)
      const r = await send(api, SURFACES.immutable, who)
      expect(r.status).toBe(429)
      expect(r.body).toEqual({ code: 'too_many_requests', message: expect.stringMatching(/^Rate limit exceeded/) })
    }))

  it('counts each forwarded client address on its own behind the trusted proxy', () =>
    inOneWindow(async () => {
      const first = client()
      await exhaust(api, SURFACES.hiro, first, LIMIT)
      expect((await send(api, SURFACES.hiro, first)).status).toBe(429)
      expect((await send(api, SURFACES.hiro, client())).status).toBe(200)
    }))

  it('counts IPv6 clients per /64: two addresses of one /64 share a budget, another /64 has its own', () =>
    inOneWindow(async () => {
      for (let i = 1; i <= LIMIT; i++) expect((await send(api, SURFACES.hiro, { 'x-forwarded-for': `2001:db8:0:1::${i}` })).status).toBe(200)
      expect((await send(api, SURFACES.hiro, { 'x-forwarded-for': '2001:db8:0:1:ffff::9' })).status).toBe(429)
      expect((await send(api, SURFACES.hiro, { 'x-forwarded-for': '2001:db8:0:2::1' })).status).toBe(200)
    }))

  it('ignores X-Forwarded-For when the peer is not a trusted proxy', () =>
    inOneWindow(async () => {
      const untrusting = await startApiServer(db, { env: { READ_LIMIT_PER_IP: String(LIMIT) } })
      try {
        for (let i = 0; i < LIMIT; i++) expect((await send(untrusting, SURFACES.hiro, client())).status).toBe(200)
        // a new forwarded address does not buy a new budget: the socket address is the client
        expect((await send(untrusting, SURFACES.hiro, client())).status).toBe(429)
      } finally {
        await untrusting.close()
      }
    }))

  it('counts a read with a live API key against the key, past the address limit', async () => {
    const key = await newKey(db.ds, 'reader')
    const who = { ...client(), authorization: `Bearer ${key}` }
    const statuses: number[] = []
    const limits: (string | null)[] = []
    for (let i = 0; i < 6; i++) {
      const r = await send(api, SURFACES.graphql, who)
      statuses.push(r.status)
      limits.push(r.headers.get('ratelimit-limit'))
    }
    // the first read verifies the key (charged to the address), the rest use the key's budget of 6
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200])
    expect(limits.slice(1)).toEqual(['6', '6', '6', '6', '6'])
  })

  it('does not count health and metrics against the read limit', async () => {
    const who = client()
    for (let i = 0; i < LIMIT + 2; i++) expect((await fetch(`${api.url}/health`, { headers: who })).status).toBe(200)
    expect((await send(api, SURFACES.hiro, who)).headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1))
  })

  it('shares one budget between two API processes through Postgres', () =>
    inOneWindow(async () => {
      const env = { READ_LIMIT_PER_IP: '10', API_TRUST_PROXY: '127.0.0.1', READ_LIMIT_SYNC_MS: '50' }
      const a = await startApiServer(db, { env })
      const b = await startApiServer(db, { env })
      try {
        const who = client()
        await exhaust(a, SURFACES.hiro, who, 10)
        const bucket = `ip/${who['x-forwarded-for']}:read:%`
        await waitFor('process A to share its count', async () => {
          const [row] = (await db.ds.query(`SELECT sum(count)::int AS n FROM rate_limit_window WHERE id LIKE $1`, [bucket])) as { n: number | null }[]
          return row.n === 10
        })
        // B learns A's count at its first sync after it meets this client: it refuses well before a second budget of 10
        let allowedAtB = 0
        await waitFor('process B to refuse the client', async () => {
          const r = await send(b, SURFACES.hiro, who)
          if (r.status !== 429) allowedAtB++
          return r.status === 429
        })
        expect(allowedAtB).toBeLessThan(10)
      } finally {
        await a.close()
        await b.close()
      }
    }))
})

describe('read rate limits: cost', () => {
  it('writes no rate-limit row per read: counts reach Postgres at the sync, here at shutdown', () =>
    inOneWindow(async () => {
      const quiet = await startApiServer(db, { env: { READ_LIMIT_PER_IP: '100', API_TRUST_PROXY: '127.0.0.1', READ_LIMIT_SYNC_MS: '60000' } })
      const who = client()
      const bucket = `ip/${who['x-forwarded-for']}:read:%`
      const rowsFor = async () => (await db.ds.query(`SELECT count FROM rate_limit_window WHERE id LIKE $1`, [bucket])) as { count: number }[]
      for (let i = 0; i < 20; i++) expect((await send(quiet, SURFACES.hiro, who)).status).toBe(200)
      expect(await rowsFor()).toEqual([])
      await quiet.close()
      expect(await rowsFor()).toEqual([{ count: 20 }])
    }))
})
