// The EVM processor end to end: real contracts on a local hardhat chain, the processor as its own
// process (node lib/main/evm-processor.js), the database compared with what happened on chain.
import { afterAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { PRIORITY } from '../../src/core/jobs'
import type { DeployedContract } from '../../devnet/evm'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { useHardhatChain } from '../helpers/evmChain'
import { indexedHeight, waitForIndexed } from '../helpers/indexer'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'

const chain = useHardhatChain()
const other = useHardhatChain({ chainId: 31338 })
const CHAIN = 'eip155:31337'
const OTHER = 'eip155:31338'
const MAX = 2n ** 256n - 1n

const running: RunningProcess[] = []
const databases: TestDatabase[] = []
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()))
  await Promise.all(databases.map((d) => d.drop()))
})

async function newDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase()
  databases.push(db)
  return db
}

function startProcessor(db: TestDatabase, chains: { chain: string; rpcUrl: string }[], which: string, extraEnv: Record<string, string> = {}): RunningProcess {
  const p = startProcess('evm-processor', [which], {
    DATABASE_URL: db.url,
    EVM_CHAINS: JSON.stringify(chains.map((c) => ({ ...c, finality: 5, headPollMs: 50 }))),
    EVM_BATCH_MAX_TOKENS: '100000',
    ...extraEnv,
  })
  running.push(p)
  return p
}

async function head(): Promise<number> {
  return Number(await chain.driver.blockNumber())
}

async function q<T = Record<string, unknown>>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  return db.ds.query(sql, params)
}

/** What a fresh index of the same chain must equal (jobs compared by id: priorities differ between live and backfill). */
async function snapshot(db: TestDatabase, chainId = CHAIN) {
  const [tokens, balances, contracts, notices, jobs] = await Promise.all([
    q(db, `SELECT id, owner, supply::text, burned, chain_uri FROM token WHERE chain = $1 ORDER BY id`, [chainId]),
    q(db, `SELECT b.id, b.amount::text FROM balance b JOIN token t ON t.id = b.token_id WHERE t.chain = $1 ORDER BY b.id`, [chainId]),
    q(db, `SELECT id, standard, total_supply::text FROM contract WHERE chain = $1 ORDER BY id`, [chainId]),
    q(db, `SELECT id, kind, token_count, from_token_id::text, to_token_id::text FROM update_notice WHERE chain = $1 ORDER BY id`, [chainId]),
    q(db, `SELECT id, kind FROM metadata_job WHERE chain = $1 ORDER BY id`, [chainId]),
  ])
  return { tokens, balances, contracts, notices, jobs }
}

describe('EVM processor', () => {
  let db: TestDatabase
  let nft: DeployedContract
  let multi: DeployedContract
  let fungible: DeployedContract
  let accounts: Address[]

  it('indexes ERC-721, ERC-1155 and ERC-20 activity: exact tokens, owners, balances, supplies and one job per new token', async () => {
    const d = chain.driver
    accounts = d.accounts
    const [owner, alice, bob, carol] = accounts
    nft = await d.deploy('TestERC721', ['Squids', 'SQD', 'https://meta.test/contract.json'])
    multi = await d.deploy('TestERC1155', ['Items', 'ITM', 'https://meta.test/items/{id}.json', ''])
    fungible = await d.deploy('TestERC20', ['Gold', 'GLD', 18, 0n])
    const junk = await d.deploy('NonStandardLogs')

    await d.mintErc721Batch(nft, alice, 0n, 2000, 'https://meta.test/squids/')
    await d.transferErc721(nft, alice, bob, 5n)
    await d.transferErc721(nft, alice, carol, 6n)
    await d.transferErc721(nft, bob, carol, 5n)
    await d.burnErc721(nft, 7n, { from: alice })
    await d.burnErc721(nft, 8n, { from: alice })
    await d.mintErc1155(multi, alice, [1n, 2n, 3n], [10n, 20n, 30n])
    await d.transferErc1155Batch(multi, alice, bob, [1n, 2n], [4n, 20n])
    await d.transferErc1155(multi, alice, carol, 3n, 5n)
    await d.burnErc1155(multi, alice, 3n, 25n)
    await d.mintErc20(fungible, alice, 1000n)
    await d.transferErc20(fungible, alice, bob, 100n)
    await d.burnErc20(fungible, bob, 50n)
    // Logs no standard decoder accepts: counted and skipped, never fatal.
    await d.write(junk, 'emitUnindexedTransfer', [alice, bob, 1n])
    await d.write(junk, 'emitTransferShortData', [alice, bob])
    await d.mine(1)
    void owner

    db = await newDatabase()
    const proc = startProcessor(db, [{ chain: CHAIN, rpcUrl: chain.rpcUrl }], CHAIN)
    await waitForIndexed(db.ds, CHAIN, await head(), proc)

    const n = nft.address.toLowerCase()
    const m = multi.address.toLowerCase()
    const f = fungible.address.toLowerCase()
    const [{ count }] = await q<{ count: number }>(db, `SELECT count(*)::int AS count FROM token WHERE contract_id = $1`, [`${CHAIN}:${n}`])
    expect(count).toBe(2000)
    const owners = await q(db, `SELECT token_id::text AS id, owner, burned, supply::text FROM token WHERE contract_id = $1 AND token_id IN (0, 5, 6, 7, 8) ORDER BY token_id`, [
      `${CHAIN}:${n}`,
    ])
    expect(owners).toEqual([
      { id: '0', owner: alice.toLowerCase(), burned: false, supply: '1' },
      { id: '5', owner: carol.toLowerCase(), burned: false, supply: '1' },
      { id: '6', owner: carol.toLowerCase(), burned: false, supply: '1' },
      { id: '7', owner: null, burned: true, supply: '0' },
      { id: '8', owner: null, burned: true, supply: '0' },
    ])
    expect(await q(db, `SELECT token_id::text AS id, supply::text FROM token WHERE contract_id = $1 ORDER BY token_id`, [`${CHAIN}:${m}`])).toEqual([
      { id: '1', supply: '10' },
      { id: '2', supply: '20' },
      { id: '3', supply: '5' },
    ])
    expect(
      await q(db, `SELECT b.account, t.token_id::text AS id, b.amount::text FROM balance b JOIN token t ON t.id = b.token_id WHERE t.contract_id = $1 ORDER BY 2, 1`, [
        `${CHAIN}:${m}`,
      ]),
    ).toEqual(
      [
        { account: alice.toLowerCase(), id: '1', amount: '6' },
        { account: bob.toLowerCase(), id: '1', amount: '4' },
        { account: bob.toLowerCase(), id: '2', amount: '20' },
        { account: carol.toLowerCase(), id: '3', amount: '5' },
      ].sort((a, b) => (a.id + a.account < b.id + b.account ? -1 : 1)),
    )
    expect(await q(db, `SELECT standard, total_supply::text AS supply FROM contract WHERE id = $1`, [`${CHAIN}:${f}`])).toEqual([{ standard: 'ERC20', supply: '950' }])
    expect(await q(db, `SELECT standard FROM contract WHERE id = $1`, [`${CHAIN}:${m}`])).toEqual([{ standard: 'ERC1155' }])

    // one queued job per token (2000 + 3 + the FT row) and per contract
    const jobs = await q<{ kind: string; n: number }>(db, `SELECT kind, count(*)::int AS n FROM metadata_job WHERE status = 'QUEUED' GROUP BY kind ORDER BY kind`)
    expect(jobs).toEqual([
      { kind: 'CONTRACT', n: 3 },
      { kind: 'TOKEN', n: 2004 },
    ])
    const [{ junkTokens }] = await q<{ junkTokens: number }>(db, `SELECT count(*)::int AS "junkTokens" FROM token WHERE contract_id = $1`, [
      `${CHAIN}:${junk.address.toLowerCase()}`,
    ])
    expect(junkTokens).toBe(0)
    expect(proc.output()).toContain('log skipped')
  })

  it('MetadataUpdate, BatchMetadataUpdate (also the full range) and URI refresh exactly the right tokens, merged with queued jobs', async () => {
    const d = chain.driver
    const n = `${CHAIN}:${nft.address.toLowerCase()}`
    const m = `${CHAIN}:${multi.address.toLowerCase()}`
    await d.emitMetadataUpdate(nft, 42n)
    await d.emitBatchMetadataUpdate(nft, 100n, 109n)
    await d.setUri1155(multi, 2n, 'ipfs://QmItem2')
    await waitForIndexed(db.ds, CHAIN, await head())

    const bumped = await q<{ id: string }>(db, `SELECT token_ref AS id FROM metadata_job WHERE contract_id = $1 AND priority = $2 ORDER BY token_ref`, [n, PRIORITY.UPDATE_NOTICE])
    const expected = [42n, ...Array.from({ length: 10 }, (_, i) => 100n + BigInt(i))].map((id) => `${n}:${id}`).sort()
    expect(bumped.map((r) => r.id)).toEqual(expected)
    const [uriJob] = await q(db, `SELECT status, priority, request_version FROM metadata_job WHERE id = $1`, [`token:${m}:2`])
    expect(uriJob).toEqual({ status: 'QUEUED', priority: PRIORITY.UPDATE_NOTICE, request_version: 2 })
    expect(await q(db, `SELECT chain_uri FROM token WHERE id = $1`, [`${m}:2`])).toEqual([{ chain_uri: 'ipfs://QmItem2' }])
    expect(await q<{ n: number }>(db, `SELECT count(*)::int AS n FROM metadata_job WHERE contract_id = $1`, [n])).toEqual([{ n: 2001 }])

    await d.emitBatchMetadataUpdate(nft, 0n, MAX)
    await waitForIndexed(db.ds, CHAIN, await head())
    const [{ all }] = await q<{ all: number }>(db, `SELECT count(*)::int AS all FROM metadata_job WHERE contract_id = $1 AND kind = 'TOKEN' AND priority = $2`, [
      n,
      PRIORITY.UPDATE_NOTICE,
    ])
    expect(all).toBe(2000)
    const notices = await q(db, `SELECT kind, token_count, to_token_id::text AS "to" FROM update_notice WHERE contract_id = $1 ORDER BY block_number, log_index`, [n])
    expect(notices).toEqual([
      { kind: 'METADATA_UPDATE', token_count: 1, to: '42' },
      { kind: 'BATCH_METADATA_UPDATE', token_count: 10, to: '109' },
      { kind: 'BATCH_METADATA_UPDATE', token_count: 2000, to: MAX.toString() },
    ])
  })

  it('a reorg leaves the database equal to a fresh index of the canonical chain', async () => {
    const d = chain.driver
    const [, alice, bob] = accounts
    const fork = await d.fork()
    await d.mintErc721Batch(nft, bob, 5000n, 10, 'https://meta.test/orphans/')
    await d.transferErc721(nft, alice, bob, 0n)
    await d.mintErc1155(multi, bob, [9n], [1n])
    await waitForIndexed(db.ds, CHAIN, await head())
    expect(await q(db, `SELECT count(*)::int AS n FROM token WHERE token_id >= 5000 AND chain = $1`, [CHAIN])).toEqual([{ n: 10 }])

    const r = await fork.reorg({ extraBlocks: 2 })
    await waitFor('the reorg to be indexed', async () => {
      const [row] = await q<{ hash: string }>(db, `SELECT hash FROM eip155_31337_processor.hot_block WHERE height = $1`, [Number(r.head.number)])
      return row?.hash === r.head.hash
    })
    expect(await q(db, `SELECT count(*)::int AS n FROM token WHERE token_id >= 5000 AND chain = $1`, [CHAIN])).toEqual([{ n: 0 }])
    expect(await q(db, `SELECT count(*)::int AS n FROM metadata_job WHERE token_ref LIKE '%:5000'`)).toEqual([{ n: 0 }])
    expect(await q(db, `SELECT owner FROM token WHERE id = $1`, [`${CHAIN}:${nft.address.toLowerCase()}:0`])).toEqual([{ owner: alice.toLowerCase() }])

    const fresh = await newDatabase()
    const p = startProcessor(fresh, [{ chain: CHAIN, rpcUrl: chain.rpcUrl }], CHAIN)
    await waitForIndexed(fresh.ds, CHAIN, Number(r.head.number), p)
    await p.stop()
    expect(await snapshot(db)).toEqual(await snapshot(fresh))
  })

  it('a restart resumes from the checkpoint with no duplicates', async () => {
    const d = chain.driver
    const [, alice] = accounts
    const killed = running[0]
    await killed.kill()
    await d.mintErc721Batch(nft, alice, 3000n, 50, 'https://meta.test/later/')
    await d.emitMetadataUpdate(nft, 3001n)
    const proc = startProcessor(db, [{ chain: CHAIN, rpcUrl: chain.rpcUrl }], CHAIN)
    await waitForIndexed(db.ds, CHAIN, await head(), proc)
    expect(await q(db, `SELECT count(*)::int AS n FROM token WHERE token_id BETWEEN 3000 AND 3049 AND chain = $1`, [CHAIN])).toEqual([{ n: 50 }])
    expect(await q(db, `SELECT count(*)::int AS n FROM update_notice WHERE to_token_id = 3001`)).toEqual([{ n: 1 }])

    const fresh = await newDatabase()
    const p = startProcessor(fresh, [{ chain: CHAIN, rpcUrl: chain.rpcUrl }], CHAIN)
    await waitForIndexed(fresh.ds, CHAIN, await head(), p)
    await p.stop()
    expect(await snapshot(db)).toEqual(await snapshot(fresh))
  })

  it('two chains indexed at once into one database keep their data apart', async () => {
    const d2 = other.driver
    const c2 = await d2.deploy('TestERC721', ['Other', 'OTH', ''])
    await d2.mintErc721Batch(c2, d2.accounts[1], 0n, 25, 'https://meta.test/other/')
    const chains = [
      { chain: CHAIN, rpcUrl: chain.rpcUrl },
      { chain: OTHER, rpcUrl: other.rpcUrl },
    ]
    const p2 = startProcessor(db, chains, OTHER)
    await waitForIndexed(db.ds, OTHER, Number(await d2.blockNumber()), p2)
    expect(await q(db, `SELECT chain, count(*)::int AS n FROM token GROUP BY chain ORDER BY chain`)).toEqual([
      { chain: CHAIN, n: 2000 + 3 + 1 + 50 },
      { chain: OTHER, n: 25 },
    ])
    expect(await q(db, `SELECT count(*)::int AS n FROM metadata_job WHERE chain = $1`, [OTHER])).toEqual([{ n: 26 }])
    // the same address on two chains is two contracts
    expect(await indexedHeight(db.ds, CHAIN)).toBeGreaterThan(0)
    expect(await q(db, `SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name IN ('eip155_31337_processor', 'eip155_31338_processor')`)).toEqual([{ n: 2 }])
  })

  it('a restart on hot blocks applies them once: fetched metadata and finished jobs of their tokens stay', async () => {
    const d = chain.driver
    const [, alice] = accounts
    const fresh = await newDatabase()
    let proc = startProcessor(fresh, [{ chain: CHAIN, rpcUrl: chain.rpcUrl }], CHAIN)
    await waitForIndexed(fresh.ds, CHAIN, await head(), proc)
    const contractId = `${CHAIN}:${nft.address.toLowerCase()}`
    // What a worker leaves behind: a finished job and a stored document per token.
    const finish = (ids: number[]) =>
      q(
        fresh,
        `WITH t AS (SELECT id FROM token WHERE contract_id = $1 AND token_id = ANY($2::numeric[]))
        , j AS (UPDATE metadata_job SET status = 'DONE', finished_at = now() WHERE token_ref IN (SELECT id FROM t))
        INSERT INTO token_metadata (id, status, token_id, contract_id, name) SELECT id, 'AVAILABLE', id, $1, 'fetched' FROM t`,
        [contractId, ids],
      )
    const survivors = async (ids: number[]) =>
      q<{ n: number }>(
        fresh,
        `SELECT count(*)::int AS n FROM token t JOIN token_metadata m ON m.token_id = t.id JOIN metadata_job j ON j.token_ref = t.id AND j.status = 'DONE'
        WHERE t.contract_id = $1 AND t.token_id = ANY($2::numeric[])`,
        [contractId, ids],
      )

    // At the head: the top block is handed over again after the restart.
    await d.mintErc721Batch(nft, alice, 7000n, 3, 'https://meta.test/hot/')
    await waitForIndexed(fresh.ds, CHAIN, await head(), proc)
    await finish([7000, 7001, 7002])
    await proc.kill()
    proc = startProcessor(fresh, [{ chain: CHAIN, rpcUrl: chain.rpcUrl }], CHAIN)
    // One more block: indexing it proves the restarted processor has taken the handed-over top
    // block first (blocks are applied in order), with no wait for time.
    await d.mine(1)
    await waitForIndexed(fresh.ds, CHAIN, await head(), proc)
    expect(await survivors([7000, 7001, 7002])).toEqual([{ n: 3 }])

    // Behind the head: the hot blocks become final while the processor is down.
    await d.mintErc721Batch(nft, alice, 7100n, 3, 'https://meta.test/hot/')
    await waitForIndexed(fresh.ds, CHAIN, await head(), proc)
    await finish([7100, 7101, 7102])
    await proc.kill()
    await d.mine(8)
    proc = startProcessor(fresh, [{ chain: CHAIN, rpcUrl: chain.rpcUrl }], CHAIN)
    await waitForIndexed(fresh.ds, CHAIN, await head(), proc)
    expect(await survivors([7000, 7001, 7002, 7100, 7101, 7102])).toEqual([{ n: 6 }])
    await proc.stop()

    const again = await newDatabase()
    const p = startProcessor(again, [{ chain: CHAIN, rpcUrl: chain.rpcUrl }], CHAIN)
    await waitForIndexed(again.ds, CHAIN, await head(), p)
    await p.stop()
    expect(await snapshot(fresh)).toEqual(await snapshot(again))
  })
})
