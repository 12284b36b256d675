// GraphQL document limits over real HTTP (graphql-armor rules + graphql-js's token cap): every
// document is measured, introspection included, and each refusal is a 400 in GraphQL's error
// shape with its own code. Introspection is answered only when GRAPHQL_INTROSPECTION is on.
import { getIntrospectionQuery } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedApiFixtures } from '../../helpers/apiFixtures'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'

const db = useTestDatabase()
let api: RunningApi
let dev: RunningApi

beforeAll(async () => {
  await seedApiFixtures(db.ds)
  api = await startApiServer(db)
  dev = await startApiServer(db, { env: { GRAPHQL_INTROSPECTION: 'true' } })
})
afterAll(async () => {
  await api?.close()
  await dev?.close()
})

interface GqlResult {
  status: number
  data?: Record<string, any> | null
  errors?: { message: string; extensions?: { code?: string } }[]
}

async function gql(target: RunningApi, query: string): Promise<GqlResult> {
  const r = await fetch(`${target.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  return { status: r.status, ...((await r.json()) as object) }
}

const codes = (r: GqlResult) => (r.errors ?? []).map((e) => e.extensions?.code)

/** `{ __schema { types { fields { type { fields { type … } } } } } }` nested `levels` times. */
function deepIntrospection(levels: number): string {
  let inner = 'name'
  for (let i = 0; i < levels; i++) inner = `fields { type { ${inner} } }`
  return `{ __schema { types { ${inner} } } }`
}

describe('GraphQL limits', () => {
  it('refuses introspection by default with GRAPHQL_VALIDATION_FAILED', async () => {
    const r = await gql(api, '{ __schema { queryType { name } } }')
    expect(r.status).toBe(400)
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED'])
    expect(r.errors?.[0].message).toMatch(/introspection is not allowed/i)
  })

  it('still answers __typename when introspection is off', async () => {
    const r = await gql(api, '{ status { __typename } }')
    expect(r.status).toBe(200)
    expect(r.data?.status.__typename).toBe('Status')
  })

  it('answers the standard introspection query when GRAPHQL_INTROSPECTION is on', async () => {
    const r = await gql(dev, getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true }))
    expect(r.errors).toBeUndefined()
    expect(r.data?.__schema.queryType.name).toBe('Query')
  })

  it('refuses a deep introspection query with QUERY_TOO_DEEP even when introspection is on', async () => {
    const r = await gql(dev, deepIntrospection(10))
    expect(r.status).toBe(400)
    expect(codes(r)).toContain('QUERY_TOO_DEEP')
    expect(r.data).toBeUndefined()
  })

  it('refuses a __type subtree deeper than GRAPHQL_MAX_DEPTH', async () => {
    let inner = 'name'
    for (let i = 0; i < 8; i++) inner = `ofType { ${inner} }`
    const r = await gql(dev, `{ __type(name: "Token") { fields { type { ${inner} } } } }`)
    expect(r.status).toBe(400)
    expect(codes(r)).toContain('QUERY_TOO_DEEP')
  })

  it('keeps GRAPHQL_MAX_DEPTH for data fields: depth 8 passes and depth 9 is refused', async () => {
    const token = (inner: string) =>
      `{ token(chain: "eip155:1", contract: "0x0000000000000000000000000000000000000001", tokenId: "1") { contract { tokens(first: 1) { nodes { contract { tokens(first: 1) { nodes { ${inner} } } } } } } } }`
    const eight = await gql(api, token('id'))
    expect(eight.errors).toBeUndefined()
    const nine = await gql(api, token('contract { id }'))
    expect(nine.status).toBe(400)
    expect(codes(nine)).toEqual(['QUERY_TOO_DEEP'])
    expect(nine.errors?.[0].message).toBe('Query depth limit of 8 exceeded, found 9.')
  })

  it('refuses more aliases than GRAPHQL_MAX_ALIASES with TOO_MANY_ALIASES', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: status { version }`).join(' ')
    const r = await gql(api, `{ ${aliases} }`)
    expect(r.status).toBe(400)
    expect(codes(r)).toEqual(['TOO_MANY_ALIASES'])
    expect(r.errors?.[0].message).toBe('Aliases limit of 30 exceeded, found 31.')
  })

  it('refuses 10,000 aliases by the body limit before parsing, in GraphQL error shape', async () => {
    const aliases = Array.from({ length: 10_000 }, (_, i) => `a${i}: status { version }`).join(' ')
    const r = await gql(api, `{ ${aliases} }`)
    expect(r.status).toBe(413)
    expect(r.errors).toEqual([{ message: 'request body is too large', extensions: { code: 'BAD_REQUEST' } }])
  })

  it('refuses a document past GRAPHQL_MAX_TOKENS at parse time', async () => {
    const aliases = Array.from({ length: 2_000 }, (_, i) => `a${i}: status { version }`).join(' ')
    const r = await gql(api, `{ ${aliases} }`)
    expect(r.status).toBe(400)
    expect(codes(r)).toEqual(['GRAPHQL_PARSE_FAILED'])
    expect(r.errors?.[0].message).toBe('Syntax Error: Document contains more that 5000 tokens. Parsing aborted.')
  })

  it('refuses more directives than GRAPHQL_MAX_DIRECTIVES with TOO_MANY_DIRECTIVES', async () => {
    const r = await gql(api, `{ status { ${'version @include(if: true) '.repeat(21)} } }`)
    expect(r.status).toBe(400)
    expect(codes(r)).toContain('TOO_MANY_DIRECTIVES')
  })

  it('refuses nested pages whose estimated cost passes GRAPHQL_MAX_COST with QUERY_TOO_COMPLEX', async () => {
    const r = await gql(api, `{ contracts(first: 200) { nodes { tokens(first: 200) { nodes { id owner metadata { name image } } } } } }`)
    expect(r.status).toBe(400)
    expect(codes(r)).toContain('QUERY_TOO_COMPLEX')
  })

  it('accepts a full explorer page of 200 tokens with metadata and attributes', async () => {
    const r = await gql(
      api,
      `{ tokens(chain: "eip155:1", contract: "0x0000000000000000000000000000000000000001", first: 200) {
      nodes { id tokenId owner status uri metadata { name description image animationUrl attributes { traitType value displayType } } contract { name symbol } }
      pageInfo { endCursor hasNextPage } } }`,
    )
    expect(r.errors).toBeUndefined()
    expect(r.status).toBe(200)
  })

  it('refuses a fragment cycle without running it', async () => {
    const r = await gql(api, 'query { status { ...A } } fragment A on Status { version ...B } fragment B on Status { ...A }')
    expect(r.status).toBe(400)
    expect(codes(r)).toContain('GRAPHQL_VALIDATION_FAILED')
  })

  it('refuses a batch of operations in one request', async () => {
    const r = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ status { version } }' }, { query: '{ status { version } }' }]),
    })
    expect(r.status).toBe(400)
  })
})
