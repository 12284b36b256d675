// Explorer and wallet queries over tokens indexed from the local chain by the real processor and
// worker: search, trait facets (also filtered), rarity ranks (also after a reveal), collection
// statistics, contract orderings, holdings across chains.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import type { DeployedContract } from '../../devnet/evm'
import { startApiServer, type RunningApi } from '../helpers/apiServer'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { useHardhatChain } from '../helpers/evmChain'
import { waitForIndexed } from '../helpers/indexer'
import { json, startMetadataHost, type MetadataHost } from '../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { evmPipelineEnv, stopPipeline } from '../helpers/pipeline'

const chain = useHardhatChain()
// One local chain indexed under two chain ids: an address's holdings then span two chains.
const CHAIN = 'eip155:31337'
const MIRROR = 'eip155:31338'
let host: MetadataHost
let db: TestDatabase
let api: RunningApi
let squids: DeployedContract
let octo: DeployedContract
let alice: Address
let bob: Address
const running: RunningProcess[] = []

const EYES = ['Laser', 'Big', 'Big', 'Small', 'Small', 'Small']
const HATS = ['Crown', 'Cap', 'Cap', 'Cap', 'None', 'None', 'None', 'None']
/** Traits of squid i before (v = 1) and after (v = 2) the reveal. */
function traits(i: number, v: number): { trait_type: string; value: string }[] {
  if (v === 1) return [{ trait_type: 'Eyes', value: 'Hidden' }]
  return [
    { trait_type: 'Eyes', value: EYES[i % EYES.length]! },
    { trait_type: 'Hat', value: HATS[(i * 3) % HATS.length]! },
  ]
}
let version = 1

beforeAll(async () => {
  host = await startMetadataHost()
  const d = chain.driver
  alice = d.accounts[1]
  bob = d.accounts[2]
  for (let i = 0; i < 24; i++) host.route(`/squids/${i}`, (req, res) => json({ name: `Squid #${i}`, image: `ipfs://QmSquid/${i}`, attributes: traits(i, version) })(req, res))
  for (let i = 0; i < 3; i++) host.route(`/octo/${i}`, json({ name: `Octo ${i}`, attributes: [{ trait_type: 'Arms', value: '8' }] }))
  host.route('/squids.json', json({ name: 'Squids' }))
  squids = await d.deploy('TestERC721', ['Squids', 'SQD', ''])
  octo = await d.deploy('TestERC721', ['Octopus Club', 'OCTO', ''])
  await d.mintErc721Batch(squids, alice, 0n, 20, host.urlFor('/squids/'))
  await d.mintErc721Batch(squids, bob, 20n, 4, host.urlFor('/squids/'))
  await d.mintErc721Batch(octo, bob, 0n, 3, host.urlFor('/octo/'))

  db = await createTestDatabase()
  const chains = [CHAIN, MIRROR].map((c) => ({ chain: c, rpcUrl: chain.rpcUrl, finality: 2, headPollMs: 50 }))
  api = await startApiServer(db, { env: { EVM_CHAINS: JSON.stringify(chains) } })
  // maintenance (counter folding and rarity) runs every lease / 3
  const env = evmPipelineEnv(db, chain.rpcUrl, [CHAIN, MIRROR], host, { JOB_LEASE_SECONDS: '6' })
  running.push(startProcess('evm-processor', [CHAIN], env), startProcess('evm-processor', [MIRROR], env), startProcess('worker', [], env))
  await settled()
}, 180_000)

afterAll(() => stopPipeline({ running, api, db, host }))

/** Every job finished, every counter delta folded, every collection rescored and its trait token sets rebuilt. */
async function settled(): Promise<void> {
  const height = Number(await chain.driver.blockNumber())
  for (const c of [CHAIN, MIRROR]) await waitForIndexed(db.ds, c, height, running[0])
  await waitFor(
    'jobs done, counters folded, rarity scored',
    async () => {
      const [r] = await db.ds.query(`SELECT
        (SELECT count(*) FROM metadata_job WHERE status IN ('QUEUED', 'RUNNING'))::int AS live,
        (SELECT count(*) FROM counter_delta)::int AS deltas,
        (SELECT count(*) FROM rarity_dirty)::int AS dirty,
        (SELECT count(*) FROM trait_set_dirty)::int AS marks`)
      return r.live === 0 && r.deltas === 0 && r.dirty === 0 && r.marks === 0
    },
    120_000,
    200,
    () => running[2]!.output(),
  )
}

async function graphql<T = any>(query: string): Promise<T> {
  const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  const body = (await res.json()) as { data: T; errors?: unknown }
  expect(body.errors).toBeUndefined()
  return body.data
}

/** What the facet counts and ranks must be, computed from the documents the host serves. */
function fromScratch(v: number) {
  const docs = Array.from({ length: 24 }, (_, i) => ({ tokenId: String(i), attrs: traits(i, v) }))
  const counts = new Map<string, number>()
  for (const d of docs) for (const a of d.attrs) counts.set(`${a.trait_type}|${a.value}`, (counts.get(`${a.trait_type}|${a.value}`) ?? 0) + 1)
  const scored = docs.map((d) => ({ tokenId: d.tokenId, score: d.attrs.reduce((s, a) => s - Math.log2(counts.get(`${a.trait_type}|${a.value}`)! / docs.length), 0) }))
  const ranked = scored.map((s) => ({ ...s, rank: 1 + scored.filter((o) => o.score > s.score + 1e-9).length }))
  const facets = [...new Set(docs.flatMap((d) => d.attrs.map((a) => a.trait_type)))].sort().map((traitType) => ({
    traitType,
    values: [...counts.entries()]
      .filter(([k]) => k.startsWith(`${traitType}|`))
      .map(([k, count]) => ({ value: k.slice(traitType.length + 1), count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)),
  }))
  return { facets, ranked }
}

async function rarityPage(): Promise<{ tokenId: string; rarity: { score: number; rank: number } }[]> {
  const data = await graphql(`{ tokens(chain: "${CHAIN}", contract: "${squids.address}", orderBy: RARITY, first: 50) { nodes { tokenId rarity { score rank } } } }`)
  return data.tokens.nodes
}

function expectRanksFromScratch(nodes: { tokenId: string; rarity: { score: number; rank: number } }[], v: number): void {
  const { ranked } = fromScratch(v)
  expect(nodes).toHaveLength(24)
  const byId = new Map(ranked.map((r) => [r.tokenId, r]))
  for (const n of nodes) {
    expect(n.rarity.rank).toBe(byId.get(n.tokenId)!.rank)
    expect(n.rarity.score).toBeCloseTo(byId.get(n.tokenId)!.score, 9)
  }
  expect(nodes.map((n) => n.rarity.rank)).toEqual([...nodes.map((n) => n.rarity.rank)].sort((a, b) => a - b))
}

describe('search', () => {
  it('finds contracts by name and symbol and tokens by name, ranked exact > prefix > substring, with the matched field', async () => {
    const exact = await graphql(`{ search(query: "squids", chains: ["${CHAIN}"]) { nodes { kind matchedField matchedText contract { address } token { tokenId } } } }`)
    expect(exact.search.nodes[0]).toEqual({ kind: 'CONTRACT', matchedField: 'NAME', matchedText: 'Squids', contract: { address: squids.address.toLowerCase() }, token: null })
    const bySymbol = await graphql(`{ search(query: "octo", kinds: [CONTRACT], chains: ["${CHAIN}"]) { nodes { matchedField matchedText } } }`)
    expect(bySymbol.search.nodes).toEqual([{ matchedField: 'NAME', matchedText: 'Octopus Club' }])
    const symbol = await graphql(`{ search(query: "SQD", kinds: [CONTRACT], chains: ["${CHAIN}"]) { nodes { matchedField matchedText } } }`)
    expect(symbol.search.nodes).toEqual([{ matchedField: 'SYMBOL', matchedText: 'SQD' }])
    // "Squid #2" is exact; "Squid #20" … "Squid #23" are prefix matches; both before substrings
    const tokens = await graphql(`{ search(query: "squid #2", kinds: [TOKEN], chains: ["${CHAIN}"]) { nodes { matchedText } } }`)
    expect(tokens.search.nodes.map((n: { matchedText: string }) => n.matchedText)).toEqual(['Squid #2', 'Squid #20', 'Squid #21', 'Squid #22', 'Squid #23'])
    const substring = await graphql(`{ search(query: "uid #1", kinds: [TOKEN], chains: ["${CHAIN}"], first: 3) { nodes { matchedText } pageInfo { hasNextPage endCursor } } }`)
    expect(substring.search.nodes).toHaveLength(3)
    const next = await graphql(
      `{ search(query: "uid #1", kinds: [TOKEN], chains: ["${CHAIN}"], first: 50, after: "${substring.search.pageInfo.endCursor}") { nodes { matchedText } } }`,
    )
    const all = [...substring.search.nodes, ...next.search.nodes].map((n: { matchedText: string }) => n.matchedText).sort()
    expect(all).toEqual(['Squid #1', ...Array.from({ length: 10 }, (_, i) => `Squid #1${i}`)].sort())
  })

  it('follows a metadata change: a renamed token is found by its new name', async () => {
    host.route('/octo/0', json({ name: 'Renamed Kraken', attributes: [{ trait_type: 'Arms', value: '8' }] }))
    await chain.driver.emitMetadataUpdate(octo, 0n)
    await settled()
    const found = await graphql(`{ search(query: "kraken", chains: ["${CHAIN}"]) { nodes { kind token { tokenId } } } }`)
    expect(found.search.nodes).toEqual([{ kind: 'TOKEN', token: { tokenId: '0' } }])
  })
})

describe('trait facets and rarity', () => {
  it('after a reveal, counts and ranks equal a from-scratch computation; filtered facets count given the other filters', async () => {
    expectRanksFromScratch(await rarityPage(), 1)
    version = 2
    await chain.driver.emitBatchMetadataUpdate(squids, 0n, 23n)
    await settled()

    const data = await graphql(`{ contract(chain: "${CHAIN}", address: "${squids.address}") { traits { traitType values { value count } } } }`)
    expect(data.contract.traits).toEqual(fromScratch(2).facets)
    expectRanksFromScratch(await rarityPage(), 2)

    const filtered = await graphql(`{ contract(chain: "${CHAIN}", address: "${squids.address}") {
      traits(filters: [{ traitType: "Eyes", values: ["Small"] }, { traitType: "Hat", values: ["None", "Cap"] }]) { traitType values { value count } } } }`)
    const docs = Array.from({ length: 24 }, (_, i) => traits(i, 2))
    const has = (a: { trait_type: string; value: string }[], t: string, vs: string[]) => a.some((x) => x.trait_type === t && vs.includes(x.value))
    const count = (pool: typeof docs, t: string) => {
      const m = new Map<string, number>()
      for (const d of pool) for (const a of d) if (a.trait_type === t) m.set(a.value, (m.get(a.value) ?? 0) + 1)
      return [...m.entries()].map(([value, c]) => ({ value, count: c })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    }
    expect(filtered.contract.traits).toEqual([
      {
        traitType: 'Eyes',
        values: count(
          docs.filter((d) => has(d, 'Hat', ['None', 'Cap'])),
          'Eyes',
        ),
      },
      {
        traitType: 'Hat',
        values: count(
          docs.filter((d) => has(d, 'Eyes', ['Small'])),
          'Hat',
        ),
      },
    ])

    const rarest = await graphql(`{ tokens(chain: "${CHAIN}", contract: "${squids.address}", orderBy: RARITY, attributes: [{ traitType: "Eyes", value: "Small" }], first: 2) {
      nodes { tokenId rarity { rank } } pageInfo { hasNextPage } } }`)
    const small = fromScratch(2)
      .ranked.filter((r) => traits(Number(r.tokenId), 2)[0]!.value === 'Small')
      .sort((a, b) => a.rank - b.rank || (a.tokenId < b.tokenId ? -1 : 1))
    expect(rarest.tokens.nodes.map((n: { rarity: { rank: number } }) => n.rarity.rank)).toEqual(small.slice(0, 2).map((s) => s.rank))
    expect(rarest.tokens.pageInfo.hasNextPage).toBe(true)
  })
})

describe('collection statistics', () => {
  it('counts tokens, holders and metadata statuses per collection, following transfers', async () => {
    const stats = async () =>
      (await graphql(`{ contract(chain: "${CHAIN}", address: "${squids.address}") { tokenCount holderCount metadataCounts { available pending stale failed invalid } } }`)).contract
    expect(await stats()).toEqual({ tokenCount: 24, holderCount: 2, metadataCounts: { available: 24, pending: 0, stale: 0, failed: 0, invalid: 0 } })
    const carol = chain.driver.accounts[3]
    await chain.driver.transferErc721(squids, bob, carol, 20n)
    for (const id of [21n, 22n, 23n]) await chain.driver.transferErc721(squids, bob, alice, id)
    await settled()
    expect(await stats()).toMatchObject({ tokenCount: 24, holderCount: 2 }) // bob left, carol came
  })

  it('orders contracts by holders, tokens and name with cursor pages', async () => {
    const names = async (orderBy: string) => {
      const first = await graphql(`{ contracts(chain: "${CHAIN}", orderBy: ${orderBy}, first: 1) { nodes { name } pageInfo { endCursor } } }`)
      const rest = await graphql(`{ contracts(chain: "${CHAIN}", orderBy: ${orderBy}, first: 10, after: "${first.contracts.pageInfo.endCursor}") { nodes { name } } }`)
      return [...first.contracts.nodes, ...rest.contracts.nodes].map((n: { name: string }) => n.name).filter((n: string) => n === 'Squids' || n === 'Octopus Club')
    }
    expect(await names('TOKENS')).toEqual(['Squids', 'Octopus Club'])
    expect(await names('NAME')).toEqual(['Octopus Club', 'Squids'])
    expect(await names('HOLDERS')).toEqual(['Squids', 'Octopus Club'])
  })
})

describe('holdings across chains', () => {
  it("returns an address's tokens on every indexed EVM chain in stable pages, filterable by chain and contract, with metadata", async () => {
    const page = async (args: string) =>
      (
        await graphql(
          `{ account(address: "${bob}") { chains holdings(${args}) { nodes { amount token { chain tokenId metadata { name } } } pageInfo { hasNextPage endCursor } } } }`,
        )
      ).account
    const all: { amount: string; token: { chain: string; tokenId: string; metadata: { name: string } | null } }[] = []
    let after = ''
    for (;;) {
      const p = await page(`first: 2${after ? `, after: "${after}"` : ''}`)
      expect(p.chains).toEqual([CHAIN, MIRROR])
      all.push(...p.holdings.nodes)
      if (!p.holdings.pageInfo.hasNextPage) break
      after = p.holdings.pageInfo.endCursor
    }
    // bob keeps the three octopuses on each chain id
    expect(all.map((h) => `${h.token.chain}/${h.token.tokenId}`)).toEqual([CHAIN, MIRROR].flatMap((c) => ['0', '1', '2'].map((t) => `${c}/${t}`)))
    expect(all.find((h) => h.token.chain === CHAIN && h.token.tokenId === '1')?.token.metadata?.name).toBe('Octo 1')
    const onMirror = await page(`chains: ["${MIRROR}"], first: 50`)
    expect(onMirror.holdings.nodes.map((h: { token: { chain: string } }) => h.token.chain)).toEqual([MIRROR, MIRROR, MIRROR])
    const ofContract = await page(`contract: "${MIRROR}:${octo.address}", first: 50`)
    expect(ofContract.holdings.nodes).toHaveLength(3)
  })
})
