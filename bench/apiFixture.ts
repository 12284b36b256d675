/**
 * The API benchmarks' data set and routes (shared by bench/api.ts and bench/scale.ts): a database
 * filled straight with SQL in the shape the pipeline leaves it (contracts, tokens, fetched
 * metadata, attribute rows, jobs, processor checkpoints), and the routes driven against it, each
 * with the equivalent store calls for the raw SQL rate.
 *
 * Shape: `evmContracts` ERC-721 contracts on eip155:1 and `stacksContracts` SIP-009 contracts on
 * stacks:1, `tokensPerContract` tokens each. Every token has a fetched document (two attributes:
 * Color of three values, Level 0-9) and a job; one in a hundred of each of the QUEUED, RUNNING,
 * FAILED and INVALID states, the rest DONE.
 */
import { Client } from 'pg'
import type * as ReadModule from '../src/store/read'
import { log } from './common'
import { explorerFillSteps } from './explorerFixture'
import type { AutocannonRequest } from './httpLoad'

export interface FillShape {
  evmContracts: number
  stacksContracts: number
  tokensPerContract: number
}

export const STACKS_DEPLOYER = 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173'

export function shapeTokens(s: FillShape): number {
  return (s.evmContracts + s.stacksContracts) * s.tokensPerContract
}

/** N tokens in contracts of 1,000: nine in ten on the EVM chain, one in ten on Stacks. */
export function shapeFor(tokens: number): FillShape {
  const contracts = Math.max(2, Math.round(tokens / 1000))
  const stacks = Math.max(1, Math.round(contracts / 10))
  return { evmContracts: contracts - stacks, stacksContracts: stacks, tokensPerContract: 1000 }
}

type FillStep = [what: string, sql: string, params?: (number | null)[]]

/** INSERT … SELECT generate_series, table by table, in the columns the pipeline fills. */
function fillSteps(s: FillShape): FillStep[] {
  return [
    [
      'contracts',
      `INSERT INTO contract (id, chain, address, standard, deploy_tx, deployer, deploy_block, first_seen_block, update_mode, created_at)
       SELECT chain || ':' || address, chain, address, standard, '0x' || md5(address), NULL, 1, 1, 'STANDARD', now()
         FROM (SELECT 'eip155:1' AS chain, '0x' || lpad(to_hex(c), 40, '0') AS address, 'ERC721' AS standard FROM generate_series(1, $1::int) c
               UNION ALL
               SELECT 'stacks:1', '${STACKS_DEPLOYER}.bench-' || c, 'SIP009' FROM generate_series(1, $2::int) c) x`,
      [s.evmContracts, s.stacksContracts],
    ],
    [
      'contract reads',
      `INSERT INTO contract_metadata (id, contract_id, status, name, symbol, updated_at, last_fetched_at)
       SELECT id, id, 'AVAILABLE', 'Collection ' || address, 'COL', now(), now() FROM contract`,
    ],
    [
      'tokens',
      `INSERT INTO token (id, chain, contract_id, token_id, standard, owner, supply, burned, mint_block, minted_at, update_mode)
       SELECT c.id || ':' || t, c.chain, c.id, t, c.standard,
              CASE WHEN c.chain = 'stacks:1' THEN '${STACKS_DEPLOYER}' ELSE '0x' || lpad(to_hex((t * 7919) % 50000), 40, '0') END,
              1, false, 1, now(), 'STANDARD'
         FROM contract c CROSS JOIN generate_series(0, $1::int - 1) t`,
      [s.tokensPerContract],
    ],
    [
      'token metadata',
      `INSERT INTO token_metadata (id, token_id, contract_id, status, uri, resolved_url, content_hash, last_fetched_at, updated_at,
                                   name, description, image, normalized, raw, error_code, error_message)
       SELECT id, id, contract_id, CASE WHEN token_id % 100 = 2 THEN 'FAILED' WHEN token_id % 100 = 3 THEN 'INVALID' ELSE 'AVAILABLE' END,
              'ipfs://QmBench/' || token_id || '.json', 'https://ipfs.io/ipfs/QmBench/' || token_id || '.json', md5(id), now(), now(),
              doc->>'name', doc->>'description', doc->>'image', doc, doc,
              CASE WHEN token_id % 100 IN (2, 3) THEN 'timeout' END, CASE WHEN token_id % 100 IN (2, 3) THEN 'no answer' END
         FROM (SELECT id, contract_id, token_id, jsonb_build_object(
                 'name', 'Bench #' || token_id, 'description', 'A token of the benchmark collection',
                 'image', 'ipfs://QmBenchImages/' || token_id || '.png',
                 'attributes', jsonb_build_array(
                    jsonb_build_object('trait_type', 'Color', 'value', (ARRAY['Red', 'Green', 'Blue'])[1 + (token_id % 3)::int]),
                    jsonb_build_object('trait_type', 'Level', 'value', (token_id % 10)::int, 'display_type', 'number')),
                 'properties', jsonb_build_object('edition', token_id::text)) AS doc
               FROM token) t`,
    ],
    [
      'attributes',
      `INSERT INTO token_attribute (id, token_id, contract_id, position, trait_type, value, value_number, value_json, display_type)
       SELECT id || ':0', id, contract_id, 0, 'Color', (ARRAY['Red', 'Green', 'Blue'])[1 + (token_id % 3)::int], NULL,
              to_jsonb((ARRAY['Red', 'Green', 'Blue'])[1 + (token_id % 3)::int]), NULL FROM token
       UNION ALL
       SELECT id || ':1', id, contract_id, 1, 'Level', (token_id % 10)::text, token_id % 10, to_jsonb((token_id % 10)::int), 'number' FROM token`,
    ],
    [
      'jobs',
      `INSERT INTO metadata_job (id, kind, chain, contract_id, token_ref, status, priority, run_at, attempts, request_version,
                                 claimed_version, queued_at, locked_by, locked_until, error_code, created_at, updated_at)
       SELECT 'token:' || id, 'TOKEN', chain, contract_id, id, s, 20, now(), 1, 1, 1, now() - (token_id % 600) * interval '1 second',
              CASE WHEN s = 'RUNNING' THEN 'bench' END, CASE WHEN s = 'RUNNING' THEN now() + interval '1 hour' END,
              CASE WHEN s IN ('FAILED', 'INVALID') THEN 'timeout' END, now(), now()
         FROM (SELECT id, chain, contract_id, token_id,
                      CASE token_id % 100 WHEN 0 THEN 'QUEUED' WHEN 1 THEN 'RUNNING' WHEN 2 THEN 'FAILED' WHEN 3 THEN 'INVALID' ELSE 'DONE' END AS s
                 FROM token) t`,
    ],
    ...explorerFillSteps(),
    [
      'processor checkpoint and activity',
      `CREATE SCHEMA stacks_1_processor;
       CREATE TABLE stacks_1_processor.status (id int PRIMARY KEY, height int NOT NULL, hash text NOT NULL);
       INSERT INTO stacks_1_processor.status VALUES (0, 163541, '0xbench');
       CREATE SCHEMA eip155_1_processor;
       CREATE TABLE eip155_1_processor.status (id int PRIMARY KEY, height int NOT NULL, hash text NOT NULL);
       INSERT INTO eip155_1_processor.status VALUES (0, 21000000, '0xbench');
       INSERT INTO job_stat_minute (id, minute, chain, host, completed, failed, invalid, retried)
       SELECT m::text || '|eip155:1|ipfs.io', m, 'eip155:1', 'ipfs.io', 600, 3, 2, 10
         FROM generate_series(date_trunc('minute', now()) - interval '14 minutes', date_trunc('minute', now()), interval '1 minute') m;
       -- each call rescores at most 50 collections' rarity (and rebuilds at most 50 collections'
       -- trait token sets): call until every collection is scored and built
       DO $$ BEGIN PERFORM compact_counters(); WHILE EXISTS (SELECT 1 FROM rarity_dirty) LOOP PERFORM compact_counters(); END LOOP; END $$;
       DO $$ BEGIN WHILE EXISTS (SELECT 1 FROM trait_set_dirty) LOOP PERFORM rebuild_trait_sets(); END LOOP; END $$`,
    ],
    [
      // Vacuumed and checkpointed before anything is measured: after millions of inserts the
      // autovacuum and checkpoint that would follow saturate the disk during the first routes.
      'vacuum',
      `VACUUM (ANALYZE)`,
    ],
    ['checkpoint', `CHECKPOINT`],
  ]
}

/** Steps that only read `token` run side by side, each on its own connection. */
const PARALLEL = new Set(['token metadata', 'attributes', 'jobs'])

async function runStep(url: string, [what, sql, params]: FillStep): Promise<void> {
  const c = new Client({ connectionString: url })
  await c.connect()
  const started = Date.now()
  try {
    await c.query(`SET synchronous_commit = off`)
    await c.query(sql, params)
  } finally {
    await c.end()
  }
  log(`  ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

/** One ERC-721 contract with `tokens` tokens (ids 0..tokens-1, one owner), as the processor writes them. */
export async function insertCollection(c: Client, chain: string, address: string, tokens: number): Promise<void> {
  const contractId = `${chain}:${address}`
  await c.query(`INSERT INTO contract (id, chain, address, standard, first_seen_block, update_mode, created_at) VALUES ($1, $2, $3, 'ERC721', 1, 'STANDARD', now())`, [
    contractId,
    chain,
    address,
  ])
  await c.query(
    `INSERT INTO token (id, chain, token_id, standard, owner, supply, burned, mint_block, update_mode, contract_id)
     SELECT $1 || ':' || g, $2, g, 'ERC721', '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', 1, false, 1, 'STANDARD', $1 FROM generate_series(0, $3 - 1) AS g`,
    [contractId, chain, tokens],
  )
}

/** Fills a migrated, empty database; returns the number of tokens written. */
export async function fillDatabase(url: string, shape: FillShape): Promise<number> {
  const steps = fillSteps(shape)
  while (steps.length > 0) {
    const together = steps.findIndex((s) => !PARALLEL.has(s[0]))
    const batch = PARALLEL.has(steps[0][0]) ? steps.splice(0, together < 0 ? steps.length : together) : steps.splice(0, 1)
    await Promise.all(batch.map((s) => runStep(url, s)))
  }
  const c = new Client({ connectionString: url })
  await c.connect()
  const [{ n }] = (await c.query(`SELECT count(*)::int AS n FROM token`)).rows
  await c.end()
  return n
}

// ---------------------------------------------------------------------------------------------
// Routes

/** One measured route: the HTTP request autocannon sends and the store calls behind it. */
export interface Scenario {
  key: RouteKey | ExplorerKey
  name: string
  connections: number
  request: AutocannonRequest
  raw: () => Promise<unknown>
  /** requests/s the route should reach (3x / 100x Hiro's own figures on this machine class) */
  target?: number
}

export type RouteKey = 'graphql-token' | 'hiro-nft' | 'status' | 'sequence-batch' | 'attribute-page'
export type ExplorerKey = 'search' | 'facets' | 'facets-filtered' | 'rarity-page' | 'holdings'

type Read = typeof ReadModule
type Db = ReturnType<Read['readDbFromPool']>

const rnd = (n: number) => Math.floor(Math.random() * n)
const evmAddress = (c: number) => `0x${c.toString(16).padStart(40, '0')}`

const TOKEN_QUERY = `query($contract: String!, $tokenId: BigInt!) {
  token(chain: "eip155:1", contract: $contract, tokenId: $tokenId) {
    id status owner metadata { name image attributes { traitType value } } contract { name standard }
  }
}`

/** First page of 50 of one contract's tokens with a given Color and Level in [min, min + 4]: ~1/6 of a contract matches. */
const ATTRIBUTE_QUERY = `query($contract: String!, $color: String!, $min: Float!, $max: Float!) {
  tokens(chain: "eip155:1", contract: $contract, first: 50,
         attributes: [{ traitType: "Color", value: $color }, { traitType: "Level", min: $min, max: $max }]) {
    nodes { id tokenId status metadata { name image } }
    pageInfo { hasNextPage endCursor }
  }
}`

const COLORS = ['Red', 'Green', 'Blue']

const postJson = (path: string, body: () => string): AutocannonRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json' },
  setupRequest: (req) => ({ ...req, body: body() }),
})

/** Every route, keyed; `keys` picks (and orders) the ones to run. */
export function scenarios(read: Read, db: Db, s: FillShape, keys: readonly RouteKey[]): Scenario[] {
  const randomEvm = () => ({ contract: evmAddress(1 + rnd(s.evmContracts)), tokenId: String(rnd(s.tokensPerContract)) })
  const randomStacks = () => ({ principal: `${STACKS_DEPLOYER}.bench-${1 + rnd(s.stacksContracts)}`, tokenId: String(rnd(s.tokensPerContract)) })
  const randomFilter = () => {
    const min = rnd(6)
    return { contract: evmAddress(1 + rnd(s.evmContracts)), color: COLORS[rnd(3)], min, max: min + 4 }
  }
  const batchBody = () => {
    const contracts: Record<string, string[]> = {}
    while (Object.keys(contracts).length < Math.min(50, s.evmContracts))
      contracts[evmAddress(1 + rnd(s.evmContracts))] = Array.from({ length: 50 }, () => String(rnd(s.tokensPerContract)))
    return { body: JSON.stringify({ chainID: '1', contractTokenMap: contracts }), contracts }
  }
  const batches = Array.from({ length: 32 }, batchBody)
  const status: Omit<Scenario, 'key' | 'name'> = {
    connections: 32,
    target: 100 * 9,
    request: { method: 'GET', path: '/metadata/v1/' },
    raw: () => read.statusSnapshot(db, { knownChains: ['eip155:1', 'stacks:1'] }),
  }
  const all: Record<RouteKey, Scenario> = {
    'graphql-token': {
      key: 'graphql-token',
      name: 'GraphQL: one token (with metadata, attributes, contract)',
      connections: 32,
      request: postJson('/graphql', () => JSON.stringify({ query: TOKEN_QUERY, variables: randomEvm() })),
      raw: async () => {
        const t = randomEvm()
        const contractId = `eip155:1:${t.contract}`
        // What the resolvers' loaders issue: the token view, then its contract and its attributes together.
        const [view] = await read.loadTokenCores(db, [{ contractId, tokenId: t.tokenId }])
        await Promise.all([read.contractsByIds(db, [contractId]), read.attributesOfTokens(db, [view.ref])])
      },
    },
    'hiro-nft': {
      key: 'hiro-nft',
      name: 'Hiro: GET /metadata/v1/nft/:principal/:token_id',
      connections: 32,
      target: 3 * 1100,
      request: {
        method: 'GET',
        setupRequest: (req) => {
          const t = randomStacks()
          return { ...req, path: `/metadata/v1/nft/${t.principal}/${t.tokenId}` }
        },
      },
      raw: async () => {
        const t = randomStacks()
        await read.loadTokenViews(db, [{ contractId: `stacks:1:${t.principal}`, tokenId: t.tokenId }])
      },
    },
    status: { key: 'status', name: 'Status: GET /metadata/v1/ (no reuse; concurrent requests share one computation)', ...status },
    'sequence-batch': {
      key: 'sequence-batch',
      name: 'Sequence: GetTokenMetadataBatch, 50 contracts x 50 tokens',
      connections: 8,
      request: postJson('/rpc/Metadata/GetTokenMetadataBatch', () => batches[rnd(batches.length)].body),
      raw: async () => {
        const { contracts } = batches[rnd(batches.length)]
        await read.loadTokenViews(
          db,
          Object.entries(contracts).flatMap(([a, ids]) => ids.map((tokenId) => ({ contractId: `eip155:1:${a}`, tokenId }))),
        )
      },
    },
    'attribute-page': {
      key: 'attribute-page',
      name: 'GraphQL: tokens(contract, attributes: Color = c, Level in [m, m+4]), first 50',
      connections: 32,
      request: postJson('/graphql', () => JSON.stringify({ query: ATTRIBUTE_QUERY, variables: randomFilter() })),
      raw: async () => {
        const f = randomFilter()
        const contractId = `eip155:1:${f.contract}`
        const conditions = [
          { traitType: 'Color', values: [f.color] },
          { traitType: 'Level', min: f.min, max: f.max },
        ]
        await read.tokensByAttributes(db, contractId, conditions, null, 50)
      },
    },
  }
  return keys.map((k) => all[k])
}

/** The status route with the server's default 1 s snapshot reuse (needs a server started with it). */
export function cachedStatusScenario(read: Read, db: Db): Scenario {
  return {
    key: 'status',
    name: 'Status: GET /metadata/v1/ (default: snapshot reused for 1 s)',
    connections: 32,
    target: 100 * 9,
    request: { method: 'GET', path: '/metadata/v1/' },
    raw: () => read.statusSnapshot(db, { knownChains: ['eip155:1', 'stacks:1'] }),
  }
}
