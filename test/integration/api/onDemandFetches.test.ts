// On-demand fetches of never-seen tokens (Sequence reads): one global budget per minute shared
// by every API process, and the placeholder rows such fetches create stay out of lists and
// counters until the processor writes the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertTokens } from '../../../src/store/tokens'
import { Contract, Token, TokenStandard, UpdateMode } from '../../../src/model'
import { writeTokenResults } from '../../../src/store/metadataWriter'
import { CHAIN, EVM, seedApiFixtures } from '../../helpers/apiFixtures'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'

const db = useTestDatabase()
const BUDGET = 30
let a: RunningApi
let b: RunningApi
const axesId = `${CHAIN.eth}:${EVM.axes}`

beforeAll(async () => {
  await seedApiFixtures(db.ds)
  const env = { ON_DEMAND_FETCHES_PER_MINUTE: String(BUDGET) }
  a = await startApiServer(db, { env })
  b = await startApiServer(db, { env })
})
afterAll(async () => {
  await a?.close()
  await b?.close()
})

async function sequenceRead(api: RunningApi, tokenIDs: string[]): Promise<{ status: string; queuedAt?: string }[]> {
  const r = await fetch(`${api.url}/rpc/Metadata/GetTokenMetadata`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chainID: '1', contractAddress: EVM.axes, tokenIDs }),
  })
  expect(r.status).toBe(200)
  return ((await r.json()) as { tokenMetadata: { status: string; queuedAt?: string }[] }).tokenMetadata
}

async function gql(query: string): Promise<any> {
  const r = await fetch(`${a.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  return r.json()
}

/** Tokens counted for eip155:1 (the status counters: folded totals plus pending deltas). */
async function countedTokens(): Promise<number> {
  const [{ n }] = (await db.ds.query(
    `SELECT (coalesce((SELECT sum(total) FROM counter WHERE scope = 'token' AND chain = $1), 0)
           + coalesce((SELECT sum(delta) FROM counter_delta WHERE scope = 'token' AND chain = $1), 0))::int AS n`,
    [CHAIN.eth],
  )) as { n: number }[]
  return n
}

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(from + i))

describe('on-demand fetches of never-seen tokens', () => {
  it('queues at most ON_DEMAND_FETCHES_PER_MINUTE fetches across all API processes', async () => {
    const first = await sequenceRead(a, ids(100_000, 50))
    const second = await sequenceRead(b, ids(200_000, 50))
    const queued = [...first, ...second].filter((t) => t.queuedAt).length
    const [{ jobs }] = (await db.ds.query(`SELECT count(*)::int AS jobs FROM metadata_job WHERE contract_id = $1 AND token_ref LIKE $2`, [axesId, `${axesId}:_00___`])) as {
      jobs: number
    }[]
    const windows = (await db.ds.query(`SELECT count FROM rate_limit_window WHERE kind = 'on_demand_fetch'`)) as { count: number }[]
    // Each minute's budget row is never passed, and every queued job was paid from one.
    for (const w of windows) expect(w.count).toBeLessThanOrEqual(BUDGET)
    expect(jobs).toBe(queued)
    expect(jobs).toBe(windows.reduce((s, w) => s + w.count, 0))
    // Both reads fall in one minute unless a minute boundary passed between them.
    expect(jobs).toBe(BUDGET * windows.length)
    expect(first.every((t) => t.status === 'NOT_AVAILABLE') && second.every((t) => t.status === 'NOT_AVAILABLE')).toBe(true)
  })

  it('keeps a placeholder row out of tokens(contract), attribute lists and counters until the processor writes the token', async () => {
    const ref = `${axesId}:900000`
    const before = await countedTokens()
    // the worker's write of a fetched token the processor has not seen creates the placeholder
    await writeTokenResults(
      db.ds.manager,
      [
        {
          tokenRef: ref,
          contractId: axesId,
          result: {
            uri: 'https://axes.example/900000',
            resolvedUrl: 'https://axes.example/900000',
            contentHash: 'h',
            metadata: { name: 'Ghost axe' },
            normalized: { name: 'Ghost axe', attributes: [{ trait_type: 'Color', value: 'Ghost' }] },
            raw: { name: 'Ghost axe' },
            attributes: [{ traitType: 'Color', value: 'Ghost', valueNumber: null, valueJson: 'Ghost', displayType: null, maxValue: null }],
            locales: [],
            failedLocales: [],
            warnings: [],
          },
        },
      ],
      new Date(),
    )
    const listQuery = `{ tokens(chain: "eip155:1", contract: "${EVM.axes}", first: 200) { nodes { tokenId } } }`
    const ghostQuery = `{ tokens(chain: "eip155:1", contract: "${EVM.axes}", first: 10, attributes: [{ traitType: "Color", value: "Ghost" }]) { nodes { tokenId } } }`
    const listed = async () => ((await gql(listQuery)).data.tokens.nodes as { tokenId: string }[]).map((n) => n.tokenId)

    expect(await listed()).not.toContain('900000')
    expect((await gql(ghostQuery)).data.tokens.nodes).toEqual([])
    expect(await countedTokens()).toBe(before)
    // a lookup by id still answers it with its metadata
    const single = await gql(`{ token(chain: "eip155:1", contract: "${EVM.axes}", tokenId: "900000") { tokenId metadata { name } } }`)
    expect(single.data.token).toEqual({ tokenId: '900000', metadata: { name: 'Ghost axe' } })

    // the processor sees the token on chain (its batch writes it as a new token)
    const [c] = (await db.ds.getRepository(Contract).findBy({ id: axesId })) as Contract[]
    const seen = new Token({
      id: ref,
      chain: CHAIN.eth,
      contract: c,
      tokenId: 900000n,
      standard: c.standard as TokenStandard,
      owner: '0x0000000000000000000000000000000000000009',
      supply: 1n,
      burned: false,
      mintBlock: 50,
      mintTx: '0xtx',
      mintedAt: new Date(),
      updateMode: UpdateMode.STANDARD,
      seenOnChain: true,
    })
    await db.ds.transaction('READ COMMITTED', (em) => upsertTokens(em, undefined, [seen], []))

    expect(await listed()).toContain('900000')
    expect((await gql(ghostQuery)).data.tokens.nodes).toEqual([{ tokenId: '900000' }])
    expect(await countedTokens()).toBe(before + 1)
  })
})
