// GraphQL over real HTTP: single and batch lookups, cursor pages by contract, owner and
// attributes (checked against SQL), contracts, holdings, limits and error codes; and a proof,
// by counting statements, that page size does not change the number of queries (no N+1).
import { graphql } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiContext } from '../../../src/api/context'
import { createGraphQLContext } from '../../../src/api/graphql/context'
import { buildGraphqlSchema } from '../../../src/api/graphql/schema'
import { ApiStore } from '../../../src/store/apiStore'
import { readDbFromDataSource, type ReadDb } from '../../../src/store/read/readDb'
import { CHAIN, EVM, OWNER, STX, UINT256_MAX, seedApiFixtures, type ApiFixture } from '../../helpers/apiFixtures'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'

const db = useTestDatabase()
let api: RunningApi
let fixture: ApiFixture

beforeAll(async () => {
  fixture = await seedApiFixtures(db.ds)
  api = await startApiServer(db)
})
afterAll(async () => api?.close())

interface GqlResult<T = Record<string, any>> {
  status: number
  data?: T
  errors?: { message: string; extensions?: { code?: string; argumentName?: string } }[]
}

async function gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
  const r = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
  return { status: r.status, ...((await r.json()) as object) }
}

const axesId = `${CHAIN.eth}:${EVM.axes}`

describe('GraphQL: tokens', () => {
  it('returns a token with normalised metadata, attributes, locale variants, owner and contract', async () => {
    const r = await gql(`{
      token(chain: "eip155:1", contract: "${EVM.axes.toUpperCase().replace('0X', '0x')}", tokenId: "2") {
        id chain contractAddress tokenId standard owner supply burned uri status error { code } lastFetchedAt
        metadata { name description image externalUrl properties attributes { traitType value displayType } }
        fr: metadata(locale: "fr") { name locale }
        de: metadata(locale: "de") { name }
        locales
        attributes { traitType value displayType }
        contract { id standard name symbol metadataStatus metadata { uri document } }
      }
    }`)
    expect(r.status).toBe(200)
    expect(r.data!.token).toEqual({
      id: `${axesId}:2`,
      chain: CHAIN.eth,
      contractAddress: EVM.axes,
      tokenId: '2',
      standard: 'ERC721',
      owner: OWNER.a,
      supply: '1',
      burned: false,
      uri: 'ipfs://meta/2.json',
      status: 'AVAILABLE',
      error: null,
      lastFetchedAt: '2026-01-02T03:04:05.000Z',
      metadata: {
        name: 'Axe #2',
        description: 'Axe number 2',
        image: 'ipfs://images/2.png',
        externalUrl: 'https://axes.example/2',
        properties: { rarity: 'common' },
        attributes: [
          { traitType: 'Color', value: 'Blue', displayType: null },
          { traitType: 'Level', value: 2, displayType: 'number' },
        ],
      },
      fr: { name: 'Hache #2', locale: 'fr' },
      de: null,
      locales: ['fr'],
      attributes: [
        { traitType: 'Color', value: 'Blue', displayType: null },
        { traitType: 'Level', value: 2, displayType: 'number' },
      ],
      contract: {
        id: axesId,
        standard: 'ERC721',
        name: 'Axes',
        symbol: 'AXE',
        metadataStatus: 'AVAILABLE',
        metadata: { uri: 'https://axes.example/contract.json', document: { name: 'Axes', description: 'A collection of axes' } },
      },
    })
  })

  it('looks up many tokens in one request, in order, with their derived status and errors', async () => {
    const ids = [...fixture.axesStatus.keys()]
    const r = await gql(`query($ids: [TokenKeyInput!]!) { tokensByIds(ids: $ids) { tokenId status queuedAt error { code message httpStatus } } }`, {
      ids: [...ids.map((tokenId) => ({ chain: CHAIN.eth, contract: EVM.axes, tokenId })), { chain: CHAIN.eth, contract: EVM.axes, tokenId: '999' }],
    })
    expect(r.errors).toBeUndefined()
    const got = r.data!.tokensByIds as ({ tokenId: string; status: string; queuedAt: string | null; error: unknown } | null)[]
    expect(got.slice(0, -1).map((t) => [t!.tokenId, t!.status])).toEqual(ids.map((id) => [id, fixture.axesStatus.get(id)]))
    expect(got.at(-1)).toBeNull()
    const byId = new Map(got.slice(0, -1).map((t) => [t!.tokenId, t!]))
    expect(byId.get('20')!.queuedAt).toBe('2026-01-01T00:00:01.000Z')
    expect(byId.get('22')!.error).toEqual({ code: 'timeout', message: 'slow host', httpStatus: null })
    expect(byId.get('24')!.error).toEqual({ code: 'token_not_found', message: 'HTTP 404', httpStatus: 404 })
    expect(byId.get(UINT256_MAX)!.status).toBe('AVAILABLE')
  })

  it('pages through a contract by token id with stable cursors', async () => {
    const expected = (await db.ds.query(`SELECT token_id::text AS id FROM token WHERE contract_id = $1 ORDER BY token_id`, [axesId])).map((r: { id: string }) => r.id)
    const seen: string[] = []
    let after: string | null = null
    for (let pages = 0; pages < 20; pages++) {
      const r: GqlResult = await gql(
        `query($after: String) { tokens(chain: "eip155:1", contract: "${EVM.axes}", first: 7, after: $after) { nodes { tokenId } pageInfo { hasNextPage endCursor } } }`,
        { after },
      )
      seen.push(...r.data!.tokens.nodes.map((n: { tokenId: string }) => n.tokenId))
      if (!r.data!.tokens.pageInfo.hasNextPage) break
      after = r.data!.tokens.pageInfo.endCursor
    }
    expect(seen).toEqual(expected)
    expect(seen.at(-1)).toBe(UINT256_MAX)
  })

  it("lists an owner's NFTs and semi-fungible balances across contracts", async () => {
    const expected = await db.ds.query(
      `SELECT contract_id, token_id::text AS token_id FROM (
         SELECT contract_id, token_id FROM token WHERE owner = $1 AND chain = $2
         UNION ALL SELECT t.contract_id, t.token_id FROM balance b JOIN token t ON t.id = b.token_id WHERE b.account = $1 AND b.amount > 0 AND t.chain = $2) x
       ORDER BY contract_id, token_id`,
      [OWNER.a, CHAIN.eth],
    )
    const seen: string[] = []
    let after: string | null = null
    do {
      const r: GqlResult = await gql(
        `query($after: String) { tokens(chain: "eip155:1", owner: "${OWNER.a.toUpperCase().replace('0X', '0x')}", first: 4, after: $after) { nodes { contractId tokenId } pageInfo { hasNextPage endCursor } } }`,
        { after },
      )
      seen.push(...r.data!.tokens.nodes.map((n: { contractId: string; tokenId: string }) => `${n.contractId}|${n.tokenId}`))
      after = r.data!.tokens.pageInfo.hasNextPage ? r.data!.tokens.pageInfo.endCursor : null
    } while (after)
    expect(seen).toEqual(expected.map((e: { contract_id: string; token_id: string }) => `${e.contract_id}|${e.token_id}`))
    expect(seen).toHaveLength(12)
  })

  it('filters a contract by attributes (AND across traits, OR within values, numeric ranges)', async () => {
    const sql = async (where: string, params: unknown[]) =>
      (await db.ds.query(`SELECT t.token_id::text AS id FROM token t WHERE t.contract_id = $1 AND ${where} ORDER BY t.token_id`, [axesId, ...params])).map(
        (r: { id: string }) => r.id,
      )
    const has = (n: number) => `EXISTS (SELECT 1 FROM token_attribute a WHERE a.token_id = t.id AND a.trait_type = $${n} AND `
    const red = await sql(`${has(2)} a.value = 'Red')`, ['Color'])
    const redOrBlueHighLevel = await sql(`${has(2)} a.value IN ('Red', 'Blue')) AND ${has(3)} a.value_number >= 3)`, ['Color', 'Level'])
    const q = (filters: string, first = 50) =>
      gql(`{ tokens(chain: "eip155:1", contract: "${EVM.axes}", first: ${first}, attributes: ${filters}) { nodes { tokenId } pageInfo { hasNextPage endCursor } } }`)
    const r1 = await q(`[{ traitType: "Color", value: "Red" }]`)
    expect(r1.data!.tokens.nodes.map((n: { tokenId: string }) => n.tokenId)).toEqual(red)
    expect(red.length).toBeGreaterThan(5)
    const r2 = await q(`[{ traitType: "Color", values: ["Red", "Blue"] }, { traitType: "Level", min: 3 }]`)
    expect(r2.data!.tokens.nodes.map((n: { tokenId: string }) => n.tokenId)).toEqual(redOrBlueHighLevel)
    const firstPage = await q(`[{ traitType: "Color", value: "Red" }]`, 3)
    expect(firstPage.data!.tokens.pageInfo.hasNextPage).toBe(true)
    const next = await gql(
      `query($after: String) { tokens(chain: "eip155:1", contract: "${EVM.axes}", first: 50, after: $after, attributes: [{ traitType: "Color", value: "Red" }]) { nodes { tokenId } } }`,
      {
        after: firstPage.data!.tokens.pageInfo.endCursor,
      },
    )
    expect(next.data!.tokens.nodes.map((n: { tokenId: string }) => n.tokenId)).toEqual(red.slice(3))
    const viaContract = await gql(
      `{ contract(chain: "eip155:1", address: "${EVM.axes}") { tokens(first: 50, attributes: [{ traitType: "Color", value: "Red" }]) { nodes { tokenId } } } }`,
    )
    expect(viaContract.data!.contract.tokens.nodes.map((n: { tokenId: string }) => n.tokenId)).toEqual(red)
  })

  it('lists holders of a semi-fungible token and serves its locale variant', async () => {
    const r = await gql(`{ token(chain: "eip155:1", contract: "${EVM.items}", tokenId: "1") {
      balances(first: 1) { nodes { account amount } pageInfo { hasNextPage endCursor } }
      fr: metadata(locale: "FR") { name attributes { traitType value } }
    } }`)
    expect(r.data!.token.balances.nodes).toEqual([{ account: OWNER.a, amount: '5' }])
    expect(r.data!.token.fr).toEqual({ name: 'Objet 1', attributes: [{ traitType: 'Genre', value: 'Épée' }] })
    const next = await gql(
      `query($after: String) { token(chain: "eip155:1", contract: "${EVM.items}", tokenId: "1") { balances(first: 5, after: $after) { nodes { account amount } pageInfo { hasNextPage } } } }`,
      {
        after: r.data!.token.balances.pageInfo.endCursor,
      },
    )
    expect(next.data!.token.balances).toEqual({ nodes: [{ account: OWNER.b, amount: '2' }], pageInfo: { hasNextPage: false } })
  })
})

describe('GraphQL: contracts and accounts', () => {
  it('returns contracts with their standard and contract-level reads, and lists them', async () => {
    const r = await gql(`{
      usdc: contract(chain: "eip155:1", address: "${EVM.usdc}") { standard name symbol decimals totalSupply metadataStatus }
      stx: contract(chain: "stacks:1", address: "${STX.ft}") { standard name totalSupply }
      none: contract(chain: "eip155:1", address: "${EVM.unknown}") { id }
      contracts(chain: "stacks:1", first: 2) { nodes { address standard } pageInfo { hasNextPage endCursor } }
      erc: contracts(standard: ERC1155) { nodes { address } }
    }`)
    expect(r.errors).toBeUndefined()
    expect(r.data!.usdc).toEqual({ standard: 'ERC20', name: 'USD Coin', symbol: 'USDC', decimals: 6, totalSupply: '1000000000000', metadataStatus: 'AVAILABLE' })
    expect(r.data!.stx).toEqual({ standard: 'SIP010', name: 'Wrapped USD', totalSupply: '9999980000000' })
    expect(r.data!.none).toBeNull()
    expect(r.data!.erc.nodes).toEqual([{ address: EVM.items }])
    const all = (await db.ds.query(`SELECT address FROM contract WHERE chain = 'stacks:1' ORDER BY id`)).map((c: { address: string }) => c.address)
    const next = await gql(`query($after: String) { contracts(chain: "stacks:1", first: 10, after: $after) { nodes { address } } }`, {
      after: r.data!.contracts.pageInfo.endCursor,
    })
    expect([...r.data!.contracts.nodes.map((n: { address: string }) => n.address), ...next.data!.contracts.nodes.map((n: { address: string }) => n.address)]).toEqual(all)
  })

  it("returns an account's holdings with amounts", async () => {
    const r = await gql(`{ account(chain: "eip155:1", address: "${OWNER.a}") { address holdings(first: 50) { nodes { amount token { contractAddress tokenId standard } } } } }`)
    const nodes = r.data!.account.holdings.nodes as { amount: string; token: { contractAddress: string; tokenId: string } }[]
    expect(nodes).toHaveLength(12)
    expect(nodes.filter((n) => n.token.contractAddress === EVM.items)).toEqual([
      { amount: '5', token: { contractAddress: EVM.items, tokenId: '1', standard: 'ERC1155' } },
      { amount: '7', token: { contractAddress: EVM.items, tokenId: '2', standard: 'ERC1155' } },
    ])
    const stacks = await gql(`{ account(chain: "stacks:1", address: "${STX.holder}") { holdings { nodes { token { tokenId } } } } }`)
    expect(stacks.data!.account.holdings.nodes).toHaveLength(5)
  })
})

describe('GraphQL: limits and errors', () => {
  const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code

  it('rejects queries that are too deep, too wide or ask for too many lists, before running them', async () => {
    const deep = await gql(
      `{ token(chain: "eip155:1", contract: "${EVM.axes}", tokenId: "1") { contract { tokens { nodes { contract { tokens { nodes { contract { id } } } } } } } } }`,
    )
    expect(deep.status).toBe(400)
    expect(codeOf(deep)).toBe('QUERY_TOO_DEEP')
    expect(deep.errors![0].message).toBe('Query depth limit of 8 exceeded, found 9.')
    const wide = await gql(`{ ${Array.from({ length: 600 }, (_, i) => `a${i}: status { version }`).join(' ')} }`)
    expect([wide.status, codeOf(wide)]).toEqual([400, 'TOO_MANY_ALIASES'])
    expect(wide.errors![0].message).toBe('Aliases limit of 30 exceeded, found 600.')
    const lists = await gql(`{ ${Array.from({ length: 31 }, (_, i) => `a${i}: contracts { nodes { id } }`).join(' ')} }`)
    expect([lists.status, codeOf(lists)]).toEqual([400, 'TOO_MANY_ALIASES'])
    const bomb = await gql(`query { ...A } fragment A on Query { a: status { version } b: status { version } ...B } fragment B on Query { ...A }`)
    expect(bomb.status).toBe(400)
  })

  it('answers bad arguments with BAD_USER_INPUT and HTTP 400, naming the argument', async () => {
    const cases: [string, string][] = [
      [`{ tokens(chain: "eip155:1", contract: "${EVM.axes}", first: 1000) { nodes { id } } }`, 'first'],
      [`{ tokens(chain: "eip155:1", contract: "${EVM.axes}", first: 0) { nodes { id } } }`, 'first'],
      [`{ token(chain: "eip155:999", contract: "${EVM.axes}", tokenId: "1") { id } }`, 'chain'],
      [`{ token(chain: "eip155:1", contract: "0x12", tokenId: "1") { id } }`, 'contract'],
      [`{ token(chain: "stacks:1", contract: "${STX.nft}", tokenId: "${(1n << 128n).toString()}") { id } }`, 'tokenId'],
      [`{ tokens(chain: "eip155:1") { nodes { id } } }`, 'contract'],
      [`{ tokens(chain: "eip155:1", contract: "${EVM.axes}", owner: "${OWNER.a}") { nodes { id } } }`, 'owner'],
      [`{ tokens(chain: "eip155:1", owner: "${OWNER.a}", attributes: [{ traitType: "Color", value: "Red" }]) { nodes { id } } }`, 'attributes'],
      [`{ tokens(chain: "eip155:1", contract: "${EVM.axes}", attributes: [{ traitType: "Color" }]) { nodes { id } } }`, 'attributes[0]'],
      [`{ tokens(chain: "eip155:1", contract: "${EVM.axes}", after: "bm90IGEgY3Vyc29y") { nodes { id } } }`, 'after'],
      [`{ tokens(chain: "eip155:1", contract: "${EVM.axes}", attributes: [{ traitType: "a\\u0000b", value: "x" }]) { nodes { id } } }`, 'attributes[0].traitType'],
      [`{ account(chain: "stacks:1", address: "not a principal") { address } }`, 'address'],
    ]
    for (const [query, argumentName] of cases) {
      const r = await gql(query)
      expect(r.status, query).toBe(400)
      expect(r.errors![0].extensions, query).toMatchObject({ code: 'BAD_USER_INPUT', argumentName })
    }
  })

  it('rejects malformed token ids, JSON and requests without a query with 400', async () => {
    for (const tokenId of ['-1', 'abc', '1.5', (1n << 256n).toString(), '0x10', '01']) {
      const r = await gql(`query($id: BigInt!) { token(chain: "eip155:1", contract: "${EVM.axes}", tokenId: $id) { id } }`, { id: tokenId })
      expect([r.status, codeOf(r)], tokenId).toEqual([400, 'BAD_USER_INPUT'])
    }
    const literal = await gql(`{ token(chain: "eip155:1", contract: "${EVM.axes}", tokenId: -1) { id } }`)
    expect(literal.status).toBe(400)
    const bad = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] })
    const empty = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(empty.status).toBe(400)
  })
})

describe('GraphQL: batching', () => {
  it('reads each kind of data once per query level, whatever the page size', async () => {
    const schema = await buildGraphqlSchema()
    const count = async (first: number): Promise<number> => {
      let statements = 0
      const real = readDbFromDataSource(db.ds)
      const counting: ReadDb = { query: (text, values) => ((statements += 1), real.query(text, values)) }
      const api: ApiContext = {
        config: { GRAPHQL_MAX_PAGE: 200 } as ApiContext['config'],
        store: new ApiStore(db.ds, counting),
        log: undefined as never,
        knownChains: new Set([CHAIN.eth]),
        status: undefined as never,
        onDemand: undefined as never,
        owners: undefined as never,
        version: 'test',
        media: undefined as never,
      }
      const result = await graphql({
        schema,
        source: `{ tokens(chain: "eip155:1", contract: "${EVM.axes}", first: ${first}) { nodes {
          tokenId metadata { name } locales attributes { traitType } rawMetadata
          balances { nodes { account } } contract { name tokens(first: 2) { nodes { tokenId } } }
        } } }`,
        contextValue: createGraphQLContext(api),
      })
      expect(result.errors).toBeUndefined()
      expect((result.data as { tokens: { nodes: unknown[] } }).tokens.nodes).toHaveLength(first)
      return statements
    }
    const few = await count(3)
    const many = await count(30)
    expect(many).toBe(few)
    // the list with its views (one statement), then locales, attributes, raw, balances, contracts,
    // then contract.tokens with its views
    expect(many).toBeLessThanOrEqual(7)
  })
})
