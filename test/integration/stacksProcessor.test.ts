// The Stacks processor end to end against the simulator (clarinet simnet behind a Stacks-API
// facade): SIP-009/010/013 tokens, SIP-019 notifications and their trust rule, forks, restarts,
// and metadata through the real worker.
import { Cl } from '@stacks/transactions'
import { describe, expect, it } from 'vitest'
import { PRIORITY } from '../../src/core/jobs'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { waitForIndexed } from '../helpers/indexer'
import { json } from '../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { useStacksSimulator } from '../helpers/stacksSimulator'
import { usePipelineResources } from '../helpers/pipeline'

const stacks = useStacksSimulator()
const CHAIN = 'stacks:2147483648'
const pipe = usePipelineResources()

function env(db: TestDatabase): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    STACKS_API_URL: stacks.sim.url,
    STACKS_CHAIN: CHAIN,
    STACKS_POLL_MS: '50',
    STACKS_FINALITY: '6',
    FETCH_ALLOW_HOSTS: `127.0.0.1:${pipe.host.port}`,
    JOB_BACKOFF_BASE_MS: '100',
  }
}

function start(entry: string, db: TestDatabase): RunningProcess {
  const p = startProcess(entry, [], env(db))
  pipe.running.push(p)
  return p
}

async function newDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase()
  pipe.databases.push(db)
  return db
}

async function q<T = Record<string, unknown>>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  return db.ds.query(sql, params)
}

async function tip(): Promise<number> {
  return stacks.sim.tip().height
}

async function snapshot(db: TestDatabase) {
  return {
    contracts: await q(db, `SELECT id, standard, total_supply::text, deployer, update_mode FROM contract WHERE chain = $1 ORDER BY id`, [CHAIN]),
    tokens: await q(db, `SELECT id, owner, supply::text, burned, update_mode, update_ttl FROM token WHERE chain = $1 ORDER BY id`, [CHAIN]),
    balances: await q(db, `SELECT id, amount::text FROM balance ORDER BY id`),
    notices: await q(db, `SELECT id, kind, token_count, update_mode FROM update_notice WHERE chain = $1 ORDER BY id`, [CHAIN]),
    jobs: await q(db, `SELECT id FROM metadata_job WHERE chain = $1 ORDER BY id`, [CHAIN]),
  }
}

describe('Stacks processor', () => {
  let db: TestDatabase
  let proc: RunningProcess

  it('indexes SIP-009 (token id 0), SIP-010 and SIP-013 tokens: owners, balances, supplies, and one job each', async () => {
    const { sim } = stacks
    const { deployer, wallet_1, wallet_2 } = sim.accounts
    const c = sim.contracts
    await sim.call(c.nft, 'set-token-uri', [Cl.stringAscii(pipe.host.urlFor('/nft/{id}.json'))], deployer)
    await sim.call(c.ft, 'set-token-uri', [Cl.some(Cl.stringUtf8(pipe.host.urlFor('/ft.json')))], deployer)
    await sim.call(c.sft, 'set-token-uri', [Cl.stringAscii(pipe.host.urlFor('/sft/{id}.json'))], deployer)
    for (let i = 0; i < 3; i++) await sim.call(c.nft, 'mint', [Cl.principal(wallet_1)], deployer)
    await sim.call(c.nft, 'transfer', [Cl.uint(1), Cl.principal(wallet_1), Cl.principal(wallet_2)], wallet_1)
    await sim.call(c.nft, 'burn', [Cl.uint(2)], wallet_1)
    await sim.call(c.ft, 'mint', [Cl.uint(1000), Cl.principal(wallet_1)], deployer)
    await sim.call(c.ft, 'burn', [Cl.uint(100)], wallet_1)
    await sim.call(c.zeroDecimalsFt, 'mint', [Cl.uint(7), Cl.principal(wallet_2)], deployer)
    await sim.call(c.sft, 'mint', [Cl.uint(5), Cl.uint(10), Cl.principal(wallet_1)], deployer)
    await sim.call(c.sft, 'transfer', [Cl.uint(5), Cl.uint(3), Cl.principal(wallet_1), Cl.principal(wallet_2)], wallet_1)
    await sim.call(c.sft, 'burn', [Cl.uint(5), Cl.uint(2)], wallet_1)

    db = await newDatabase()
    proc = start('stacks-processor', db)
    await waitForIndexed(db.ds, CHAIN, await tip(), proc)

    // asset_name: the contract's define-fungible-token / define-non-fungible-token (Hiro's asset_identifier), not its name.
    const contracts = await q(db, `SELECT address, standard, deployer, total_supply::text AS supply, asset_name FROM contract ORDER BY address`)
    expect(contracts).toEqual(
      [
        { address: c.nft, standard: 'SIP009', deployer, supply: null, asset_name: 'sample-nft' },
        { address: c.ft, standard: 'SIP010', deployer, supply: '900', asset_name: 'sample-token' },
        { address: c.zeroDecimalsFt, standard: 'SIP010', deployer, supply: '7', asset_name: 'points' },
        { address: c.sft, standard: 'SIP013', deployer, supply: null, asset_name: 'sample-sft-overall' },
      ].sort((a, b) => (a.address < b.address ? -1 : 1)),
    )
    expect(await q(db, `SELECT token_id::text AS id, owner, burned FROM token WHERE contract_id = $1 ORDER BY token_id`, [`${CHAIN}:${c.nft}`])).toEqual([
      { id: '0', owner: wallet_1, burned: false },
      { id: '1', owner: wallet_2, burned: false },
      { id: '2', owner: null, burned: true },
    ])
    // the SFT is one SIP-013 token (id 5), never a SIP-009 collection because of its internal NFT
    expect(await q(db, `SELECT token_id::text AS id, standard, supply::text FROM token WHERE contract_id = $1`, [`${CHAIN}:${c.sft}`])).toEqual([
      { id: '5', standard: 'SIP013', supply: '8' },
    ])
    expect(await q(db, `SELECT account, amount::text FROM balance WHERE contract_id = $1 ORDER BY account`, [`${CHAIN}:${c.sft}`])).toEqual(
      [
        { account: wallet_1, amount: '5' },
        { account: wallet_2, amount: '3' },
      ].sort((a, b) => (a.account < b.account ? -1 : 1)),
    )
    const [{ n }] = await q<{ n: number }>(db, `SELECT count(*)::int AS n FROM metadata_job WHERE kind = 'TOKEN'`)
    expect(n).toBe(3 + 1 + 1 + 1) // three NFTs, two FT rows, one SFT
  })

  it('SIP-019 notifications refresh the named tokens, honour frozen and dynamic modes, and only trust the contract or its deployer', async () => {
    const { sim } = stacks
    const { deployer, wallet_1 } = sim.accounts
    const c = sim.contracts
    const version = async (tokenId: string) =>
      (await q<{ v: number }>(db, `SELECT request_version AS v FROM metadata_job WHERE id = $1`, [`token:${CHAIN}:${c.nft}:${tokenId}`]))[0].v
    const before = { t0: await version('0'), t1: await version('1') }
    const fromHeight = (await tip()) + 1

    await sim.call(c.nft, 'notify-tokens', [Cl.list([Cl.uint(0)])], deployer)
    await sim.call(c.nft, 'notify-update-mode', [Cl.list([Cl.uint(1)]), Cl.stringAscii('frozen'), Cl.none()], deployer)
    await sim.call(c.stranger, 'notify-tokens', [Cl.stringAscii('nft'), Cl.principal(c.nft), Cl.list([Cl.uint(1), Cl.uint(0)])], wallet_1)
    await sim.call(c.sft, 'notify-tokens', [Cl.list([Cl.uint(5)])], deployer)
    await sim.call(c.ft, 'notify-all', [], deployer)
    await waitForIndexed(db.ds, CHAIN, await tip(), proc)

    expect(await version('0')).toBe(before.t0 + 1)
    expect(await version('1')).toBe(before.t1 + 1) // the notice that freezes still refreshes
    expect(await q(db, `SELECT update_mode FROM token WHERE id = $1`, [`${CHAIN}:${c.nft}:1`])).toEqual([{ update_mode: 'FROZEN' }])
    const kinds = await q(db, `SELECT contract_id, token_count, update_mode FROM update_notice WHERE kind = 'SIP019' AND block_number >= $1 ORDER BY block_number`, [fromHeight])
    expect(kinds).toEqual([
      { contract_id: `${CHAIN}:${c.nft}`, token_count: 1, update_mode: 'STANDARD' },
      { contract_id: `${CHAIN}:${c.nft}`, token_count: 1, update_mode: 'FROZEN' },
      // the stranger's notice (sent by wallet_1) is not there
      { contract_id: `${CHAIN}:${c.sft}`, token_count: 1, update_mode: 'STANDARD' },
      { contract_id: `${CHAIN}:${c.ft}`, token_count: 1, update_mode: 'STANDARD' },
    ])
    const [sftJob] = await q(db, `SELECT priority FROM metadata_job WHERE id = $1`, [`token:${CHAIN}:${c.sft}:5`])
    expect(sftJob).toEqual({ priority: PRIORITY.UPDATE_NOTICE })
    const [ftContractJob] = await q(db, `SELECT priority, request_version FROM metadata_job WHERE id = $1`, [`contract:${CHAIN}:${c.ft}`])
    expect(ftContractJob.priority).toBe(PRIORITY.UPDATE_NOTICE)

    // frozen ignores later notices; the deployer may notify through a third-party contract
    const t1 = await version('1')
    const t0 = await version('0')
    await sim.call(c.nft, 'notify-tokens', [Cl.list([Cl.uint(1)])], deployer)
    await sim.call(c.stranger, 'notify-tokens', [Cl.stringAscii('nft'), Cl.principal(c.nft), Cl.list([Cl.uint(0)])], deployer)
    await sim.call(c.nft, 'notify-update-mode', [Cl.list([Cl.uint(0)]), Cl.stringAscii('dynamic'), Cl.some(Cl.uint(60))], deployer)
    await waitForIndexed(db.ds, CHAIN, await tip(), proc)
    expect(await version('1')).toBe(t1)
    expect(await version('0')).toBe(t0 + 2)
    expect(await q(db, `SELECT update_mode, update_ttl FROM token WHERE id = $1`, [`${CHAIN}:${c.nft}:0`])).toEqual([{ update_mode: 'DYNAMIC', update_ttl: 60 }])
  })

  it('the worker fetches SIP-016 metadata with localization, keeps zero decimals and keeps the FT reads with the tracked supply', async () => {
    const { sim } = stacks
    const c = sim.contracts
    const doc = (id: number) => ({
      sip: 16,
      name: `Sample #${id}`,
      image: `https://img.test/${id}.png`,
      attributes: [{ trait_type: 'color', value: 'red' }],
      properties: { collection: 'Samples', rarity: 'common' },
      localization: { uri: pipe.host.urlFor(`/nft/${id}-{locale}.json`), default: 'en', locales: ['en', 'es'] },
    })
    for (const id of [0, 1]) {
      pipe.host.route(`/nft/${id}.json`, json(doc(id)))
      pipe.host.route(`/nft/${id}-es.json`, json({ sip: 16, name: `Muestra #${id}`, attributes: [{ trait_type: 'color', value: 'rojo' }], properties: { rarity: 'común' } }))
    }
    pipe.host.route('/ft.json', json({ sip: 16, name: 'Sample Token', description: 'A sample', image: 'https://img.test/ft.png' }))
    pipe.host.route('/sft/5.json', json({ sip: 16, name: 'Stack of fives' }))
    const worker = start('worker', db)
    await waitFor(
      'stacks metadata',
      async () => {
        const rows = await q<{ n: number }>(db, `SELECT count(*)::int AS n FROM token_metadata WHERE status = 'AVAILABLE' AND contract_id = ANY($1)`, [
          [`${CHAIN}:${c.nft}`, `${CHAIN}:${c.ft}`, `${CHAIN}:${c.sft}`],
        ])
        return rows[0].n >= 4
      },
      60_000,
      200,
      () => worker.output(),
    )

    const [nft0] = await q(db, `SELECT name, image FROM token_metadata WHERE id = $1`, [`${CHAIN}:${c.nft}:0`])
    expect(nft0).toEqual({ name: 'Sample #0', image: 'https://img.test/0.png' })
    const [es] = await q<{ normalized: Record<string, unknown> }>(db, `SELECT normalized FROM token_locale WHERE token_id = $1 AND locale = 'es'`, [`${CHAIN}:${c.nft}:0`])
    expect(es.normalized).toMatchObject({
      name: 'Muestra #0',
      image: 'https://img.test/0.png',
      attributes: [{ trait_type: 'color', value: 'rojo' }],
      properties: { collection: 'Samples', rarity: 'común' },
    })
    // its token URI points at a public gateway this machine cannot reach: the reads are kept anyway
    await waitFor(
      'contract reads',
      async () => (await q(db, `SELECT 1 FROM contract_metadata WHERE id = $1 AND last_fetched_at IS NOT NULL`, [`${CHAIN}:${c.zeroDecimalsFt}`])).length > 0,
    )
    // the supply served is the processor's, tracked from ft_mint / ft_burn (not a read frozen here)
    expect(
      await q(db, `SELECT m.decimals, m.symbol, c.total_supply::text AS supply FROM contract_metadata m JOIN contract c ON c.id = m.id WHERE m.id = $1`, [
        `${CHAIN}:${c.zeroDecimalsFt}`,
      ]),
    ).toEqual([{ decimals: 0, symbol: 'PTS', supply: '7' }])
    await waitFor('ft contract reads', async () => (await q(db, `SELECT 1 FROM contract_metadata WHERE id = $1 AND status = 'AVAILABLE'`, [`${CHAIN}:${c.ft}`])).length > 0)
    expect(
      await q(db, `SELECT m.decimals, c.total_supply::text AS supply, m.name FROM contract_metadata m JOIN contract c ON c.id = m.id WHERE m.id = $1`, [`${CHAIN}:${c.ft}`]),
    ).toEqual([{ decimals: 6, supply: '900', name: 'Sample Token' }])
    await worker.stop()
  }, 120_000)

  it('a fork leaves the database equal to a fresh index of the canonical chain; a restart resumes with no duplicates', async () => {
    const { sim } = stacks
    const { deployer, wallet_1, wallet_2 } = sim.accounts
    const c = sim.contracts
    await sim.call(c.nft, 'mint-id', [Cl.uint(500), Cl.principal(wallet_1)], deployer)
    await sim.call(c.sft, 'mint', [Cl.uint(9), Cl.uint(4), Cl.principal(wallet_2)], deployer)
    await waitForIndexed(db.ds, CHAIN, await tip(), proc)
    expect(await q(db, `SELECT count(*)::int AS n FROM token WHERE id IN ($1, $2)`, [`${CHAIN}:${c.nft}:500`, `${CHAIN}:${c.sft}:9`])).toEqual([{ n: 2 }])

    await sim.fork(2, async (s) => {
      await s.call(c.nft, 'mint-id', [Cl.uint(600), Cl.principal(wallet_2)], deployer)
    })
    const forkTip = sim.tip()
    await waitFor(
      'the fork to be indexed',
      async () => {
        const rows = await q<{ hash: string }>(db, `SELECT hash FROM stacks_2147483648_processor.hot_block WHERE height = $1`, [forkTip.height])
        return rows[0]?.hash === forkTip.indexBlockHash
      },
      60_000,
      100,
      () => proc.output(),
    )
    expect(await q(db, `SELECT count(*)::int AS n FROM token WHERE id IN ($1, $2)`, [`${CHAIN}:${c.nft}:500`, `${CHAIN}:${c.sft}:9`])).toEqual([{ n: 0 }])
    expect(await q(db, `SELECT owner FROM token WHERE id = $1`, [`${CHAIN}:${c.nft}:600`])).toEqual([{ owner: wallet_2 }])
    expect(await q(db, `SELECT count(*)::int AS n FROM metadata_job WHERE id = $1`, [`token:${CHAIN}:${c.nft}:500`])).toEqual([{ n: 0 }])

    await proc.kill()
    await sim.call(c.nft, 'mint', [Cl.principal(wallet_1)], deployer)
    await sim.call(c.sft, 'transfer', [Cl.uint(5), Cl.uint(1), Cl.principal(wallet_1), Cl.principal(wallet_2)], wallet_1)
    proc = start('stacks-processor', db)
    await waitForIndexed(db.ds, CHAIN, await tip(), proc)

    const fresh = await newDatabase()
    const p = start('stacks-processor', fresh)
    await waitForIndexed(fresh.ds, CHAIN, await tip(), p)
    await p.stop()
    expect(await snapshot(db)).toEqual(await snapshot(fresh))
  })
})
