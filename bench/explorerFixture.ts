/**
 * The explorer-query part of the API benchmark's database (issue: search, facets, rarity,
 * holdings): six more traits on every token with skewed (roughly geometric) value frequencies,
 * so each token has 8; one 10,000-token collection on eip155:137; and one address holding 1,000
 * tokens across two chains (500 of that collection, 500 of the first eip155:1 collection).
 * The steps run before the fixture's final compact_counters(), which folds the per-collection
 * counters and scores every collection's rarity.
 */
import type * as ReadModule from '../src/store/read'
import type { Scenario } from './apiFixture'
import type { AutocannonRequest } from './httpLoad'

export const BIG_COLLECTION = 'eip155:137:0x000000000000000000000000000000000000beef'
export const BIG_TOKENS = 10_000
export const HOLDER = '0x00000000000000000000000000000000000f00d5'
const FIRST_EVM = 'eip155:1:0x0000000000000000000000000000000000000001'

/** Value index 0..7 with frequencies ~1/2, 1/4, 1/8, …: bucketed from a per-trait hash of the id. */
const SKEWED = (k: number) => `'v' || width_bucket(((token_id * ${7919 + 104729 * k} + ${31 * k}) % 1000)::int, ARRAY[500, 750, 875, 938, 969, 985, 993])`

export function explorerFillSteps(): [string, string][] {
  const extraTraits = Array.from({ length: 6 }, (_, i) => i + 1)
    .map((k) => `SELECT id || ':t${k}', id, contract_id, ${1 + k}, 'Trait ${k}', ${SKEWED(k)}, NULL::float8, to_jsonb(${SKEWED(k)}), NULL FROM token`)
    .join('\n       UNION ALL\n       ')
  return [
    [
      'explorer: the 10,000-token collection',
      `INSERT INTO contract (id, chain, address, standard, deploy_tx, first_seen_block, update_mode, created_at)
       VALUES ('${BIG_COLLECTION}', 'eip155:137', '0x000000000000000000000000000000000000beef', 'ERC721', '0xbeef', 1, 'STANDARD', now());
       INSERT INTO contract_metadata (id, contract_id, status, name, symbol, updated_at, last_fetched_at)
       VALUES ('${BIG_COLLECTION}', '${BIG_COLLECTION}', 'AVAILABLE', 'Big Collection', 'BIG', now(), now());
       INSERT INTO token (id, chain, contract_id, token_id, standard, owner, supply, burned, mint_block, minted_at, update_mode)
       SELECT '${BIG_COLLECTION}:' || t, 'eip155:137', '${BIG_COLLECTION}', t, 'ERC721',
              CASE WHEN t < 500 THEN '${HOLDER}' ELSE '0x' || lpad(to_hex((t * 7919) % 50000), 40, '0') END, 1, false, 1, now(), 'STANDARD'
         FROM generate_series(0, ${BIG_TOKENS - 1}) t;
       INSERT INTO token_metadata (id, token_id, contract_id, status, uri, content_hash, last_fetched_at, updated_at, name, image, normalized)
       SELECT id, id, contract_id, 'AVAILABLE', 'ipfs://QmBig/' || token_id, md5(id), now(), now(), 'Big #' || token_id, 'ipfs://QmBigImages/' || token_id,
              jsonb_build_object('name', 'Big #' || token_id, 'image', 'ipfs://QmBigImages/' || token_id)
         FROM token WHERE contract_id = '${BIG_COLLECTION}';
       INSERT INTO token_attribute (id, token_id, contract_id, position, trait_type, value, value_json)
       SELECT id || ':0', id, contract_id, 0, 'Color', (ARRAY['Red', 'Green', 'Blue'])[1 + (token_id % 3)::int], to_jsonb((ARRAY['Red', 'Green', 'Blue'])[1 + (token_id % 3)::int])
         FROM token WHERE contract_id = '${BIG_COLLECTION}'
       UNION ALL
       SELECT id || ':1', id, contract_id, 1, 'Level', (token_id % 10)::text, to_jsonb((token_id % 10)::int) FROM token WHERE contract_id = '${BIG_COLLECTION}';
       UPDATE token SET owner = '${HOLDER}' WHERE contract_id = '${FIRST_EVM}' AND token_id < 500`,
    ],
    [
      'explorer: six skewed traits per token',
      `INSERT INTO token_attribute (id, token_id, contract_id, position, trait_type, value, value_number, value_json, display_type)
       ${extraTraits}`,
    ],
  ]
}

type Read = typeof ReadModule
type Db = ReturnType<Read['readDbFromPool']>

const rnd = (n: number) => Math.floor(Math.random() * n)
const BIG_ADDRESS = BIG_COLLECTION.slice('eip155:137:'.length)

const postJson = (body: () => string): AutocannonRequest => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json' },
  setupRequest: (req) => ({ ...req, body: body() }),
})

const SEARCH = `query($q: String!) { search(query: $q, first: 20) { nodes { kind matchedField matchedText token { id } contract { id name } } } }`
const FACETS = `{ contract(chain: "eip155:137", address: "${BIG_ADDRESS}") { traits { traitType values { value count } } } }`
const FILTERED = `query($a: String!, $b: String!) { contract(chain: "eip155:137", address: "${BIG_ADDRESS}") {
  traits(filters: [{ traitType: "Trait 1", values: [$a] }, { traitType: "Trait 2", values: [$b] }]) { traitType values { value count } } } }`
const RARITY = `{ tokens(chain: "eip155:137", contract: "${BIG_ADDRESS}", orderBy: RARITY, first: 50) { nodes { id tokenId rarity { score rank } metadata { name image } } } }`
const HOLDINGS = `{ account(address: "${HOLDER}") { holdings(first: 50) { nodes { amount token { id chain metadata { name image } } } pageInfo { hasNextPage } } } }`

/** Search terms: a token name prefix ("Big #12" matches 111 of the 10,000), or the end of a collection's address in its name. */
const term = () => (rnd(2) === 0 ? `Big #${rnd(1000)}` : (1 + rnd(900)).toString(16).padStart(4, '0'))
const value = () => `v${[0, 0, 0, 0, 1, 1, 2, 3][rnd(8)]}`

/** The five explorer queries, at 10 connections (the budget: p99 50 ms, filtered facets 100 ms). */
export function explorerScenarios(read: Read, db: Db): Scenario[] {
  // the page statements read each listed token's view too (one round trip, as the API does)
  const page = async () => {
    await read.tokensByRarity(db, BIG_COLLECTION, [], null, 50)
  }
  return [
    {
      key: 'search',
      name: 'GraphQL: search(query), first 20',
      connections: 10,
      request: postJson(() => JSON.stringify({ query: SEARCH, variables: { q: term() } })),
      raw: async () => {
        const { hits } = await read.search(db, term(), { kinds: ['TOKEN', 'CONTRACT'], chains: null, after: null, limit: 20 })
        await read.loadTokenCores(
          db,
          hits.filter((h) => h.kind === 'TOKEN').map((h) => ({ contractId: h.contractId, tokenId: h.id.slice(h.contractId.length + 1) })),
        )
      },
    },
    {
      key: 'facets',
      name: 'GraphQL: traits of a 10,000-token collection (8 traits)',
      connections: 10,
      request: postJson(() => JSON.stringify({ query: FACETS })),
      raw: () => read.traitCounts(db, BIG_COLLECTION),
    },
    {
      key: 'facets-filtered',
      name: 'GraphQL: traits with two active filters',
      connections: 10,
      request: postJson(() => JSON.stringify({ query: FILTERED, variables: { a: value(), b: value() } })),
      raw: () =>
        read.filteredTraitCounts(db, BIG_COLLECTION, [
          { traitType: 'Trait 1', values: [value()] },
          { traitType: 'Trait 2', values: [value()] },
        ]),
    },
    {
      key: 'rarity-page',
      name: 'GraphQL: tokens(orderBy: RARITY), first 50',
      connections: 10,
      request: postJson(() => JSON.stringify({ query: RARITY })),
      raw: page,
    },
    {
      key: 'holdings',
      name: 'GraphQL: account(address) holdings across chains (1,000 tokens), first 50',
      connections: 10,
      request: postJson(() => JSON.stringify({ query: HOLDINGS })),
      raw: async () => {
        await read.tokensOfOwnerOnChains(db, ['eip155:1', 'eip155:137'], HOLDER, null, null, 50)
      },
    },
  ]
}
