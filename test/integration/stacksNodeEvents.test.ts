// The Stacks processor on the node's event stream (STACKS_SOURCE=node), fed by
// `token-metadata stacks import-events` with the real recordings of test/fixtures/stacks-node-events:
// mainnet microblocks arriving out of order, a mainnet reorg, and a regtest crossing into epoch 3.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main'
import { loadConfig } from '../../src/config'
import { StacksStandards } from '../../src/main/stacksStandards'
import { stacksInterfaces } from '../../src/main/wiring'
import { storedBlocks } from '../../src/store/stacksNodeBlocks'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { waitForIndexed } from '../helpers/indexer'
import { startProcess, type RunningProcess } from '../helpers/processes'
import { BNS_INTERFACE, sip009Interface, sip010Interface, startInterfaceApi, type InterfaceApi } from '../helpers/stacksInterfaceApi'

const FIXTURES = path.resolve(__dirname, '../fixtures/stacks-node-events')
const MAINNET = 'stacks:1'
const PUNKS = 'SPJW1XE278YMCEYMXB8ZFGJMH8ZVAAEDP2S2PJYG.stacks-punks-v3'
const PHASES = 'SPJW1XE278YMCEYMXB8ZFGJMH8ZVAAEDP2S2PJYG.phases-of-satoshi'
const FREE_PUNKS = 'SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.free-punks-v0'
const MIAMI = 'SP466FNC0P7JWTNM2R9T199QRZN1MYEDTAR0KP27.miamicoin-token'
const WRAPPED_NOTHING = 'SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.wrapped-nothing-v8'
const BNS = 'SP000000000000000000002Q6VF78.bns'

let api: InterfaceApi
let tmp: string
const running: RunningProcess[] = []
const databases: TestDatabase[] = []

beforeAll(async () => {
  api = await startInterfaceApi({
    [PUNKS]: sip009Interface('stacks-punks'),
    [PHASES]: sip009Interface('phases-of-satoshi'),
    [FREE_PUNKS]: sip009Interface('free-punks'),
    [MIAMI]: sip010Interface('miamicoin'),
    [WRAPPED_NOTHING]: sip010Interface('wrapped-nthng'),
    [BNS]: BNS_INTERFACE,
  })
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-node-events-'))
})
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()))
  await Promise.all(databases.map((d) => d.drop()))
  await api?.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

async function newDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase()
  databases.push(db)
  return db
}

async function importEvents(db: TestDatabase, file: string, chain = MAINNET): Promise<Record<string, unknown>> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(['stacks', 'import-events', file], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { DATABASE_URL: db.url, STACKS_CHAIN: chain },
  })
  expect(stderr).toBe('')
  expect(code).toBe(0)
  return JSON.parse(stdout) as Record<string, unknown>
}

function processor(db: TestDatabase, opts: { api?: boolean; chain?: string } = {}): RunningProcess {
  const p = startProcess('stacks-processor', [], {
    DATABASE_URL: db.url,
    STACKS_SOURCE: 'node',
    STACKS_CHAIN: opts.chain ?? MAINNET,
    STACKS_START_HEIGHT: '0',
    STACKS_POLL_MS: '50',
    STACKS_SUPPLY_CHECK_SECONDS: '0',
    ...(opts.api === false ? {} : { STACKS_API_URL: api.url }),
  })
  running.push(p)
  return p
}

/** A recording cut to some of its lines (1-based, inclusive), as a file of its own. */
function linesOf(file: string, keep: (line: number, text: string) => boolean): string {
  const lines = fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\n').filter(Boolean)
  const out = path.join(tmp, `${path.basename(file, '.tsv')}-${Math.random().toString(36).slice(2)}.tsv`)
  fs.writeFileSync(out, lines.filter((t, i) => keep(i + 1, t)).join('\n') + '\n')
  return out
}

async function q<T = Record<string, unknown>>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  return db.ds.query(sql, params)
}

/** The processor's hot blocks (its checkpoint schema is the only one with a hot_block table). */
async function hotBlocks(db: TestDatabase): Promise<{ height: number; hash: string }[]> {
  const [{ schema }] = await q<{ schema: string }>(db, `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'hot_block'`)
  return q(db, `SELECT height, hash FROM "${schema}".hot_block ORDER BY height`)
}

async function snapshot(db: TestDatabase, chain = MAINNET) {
  return {
    contracts: await q(db, `SELECT id, standard, total_supply::text, asset_name FROM contract WHERE chain = $1 ORDER BY id`, [chain]),
    tokens: await q(db, `SELECT id, owner, supply::text, burned FROM token WHERE chain = $1 ORDER BY id`, [chain]),
    balances: await q(db, `SELECT id, amount::text FROM balance ORDER BY id`),
    jobs: await q(db, `SELECT id, priority FROM metadata_job WHERE chain = $1 ORDER BY id`, [chain]),
    notices: await q(db, `SELECT id, kind FROM update_notice WHERE chain = $1 ORDER BY id`, [chain]),
  }
}

async function owners(db: TestDatabase): Promise<Record<string, string | null>> {
  const rows = await q<{ id: string; owner: string | null }>(db, `SELECT id, owner FROM token WHERE chain = $1 AND standard = 'SIP009' ORDER BY id`, [MAINNET])
  return Object.fromEntries(rows.map((r) => [r.id.slice(MAINNET.length + 1), r.owner]))
}

describe('Stacks node event stream', () => {
  it('out-of-order microblocks: the anchor block and the microblocks it confirms give the SIP-009 owners and SIP-010 mints; BNS names is no token', async () => {
    const db = await newDatabase()
    const summary = await importEvents(db, path.join(FIXTURES, 'mainnet-out-of-order-microblock.tsv'))
    expect(summary).toMatchObject({ requests: 3, blocks: 1, stored: 1, alreadyStored: 0, notStored: 2, unknownPaths: {} })
    const proc = processor(db)
    await waitForIndexed(db.ds, MAINNET, 1, proc)

    expect(await owners(db)).toEqual({
      [`${FREE_PUNKS}:483`]: 'SP1AJHPGR201NHMPT6M2ME9ACS32TS02FVYJ4VVKA',
      [`${PHASES}:143`]: 'SP3D5EHK8SMJ3MMJWYCAKWJ2H4F1JQX85E33ZJDB9',
      [`${PUNKS}:4072`]: 'SP2W78BS5NX7X4ES4N09J4FHC4GND25W8X96Q0H03',
      [`${PUNKS}:5674`]: 'SPJW1XE278YMCEYMXB8ZFGJMH8ZVAAEDP2S2PJYG.stacks-punks-market',
      [`${PUNKS}:9048`]: 'SPJW1XE278YMCEYMXB8ZFGJMH8ZVAAEDP2S2PJYG.stacks-punks-market',
      // punk 877's transfer was in a transaction that failed its post-conditions: not there
    })
    // two confirmed mints of 250000; the third, in a microblock no anchor block confirmed, is not counted
    expect(await q(db, `SELECT address, standard, total_supply::text AS supply, asset_name FROM contract WHERE chain = $1 AND standard = 'SIP010'`, [MAINNET])).toEqual([
      { address: MIAMI, standard: 'SIP010', supply: '500000', asset_name: 'miamicoin' },
    ])
    expect(await q(db, `SELECT id FROM contract WHERE address = $1`, [BNS])).toEqual([])
    expect(await q(db, `SELECT count(*)::int AS n FROM stacks_pending_event`)).toEqual([{ n: 0 }])
  })

  it('reorg: the database ends equal to replaying only the canonical blocks, the orphan having been indexed first', async () => {
    const file = 'mainnet-reorg-scenario2.tsv'
    const db = await newDatabase()
    // blocks 1 and 2a (the first block seen at height 2), indexed before the other branch arrives
    await importEvents(
      db,
      linesOf(file, (n) => n <= 3),
    )
    const proc = processor(db)
    await waitForIndexed(db.ds, MAINNET, 2, proc)
    const first = (await hotBlocks(db)).find((b) => b.height === 2)!
    expect(first.hash.startsWith('0xd4e86b87')).toBe(true)
    // block 2b, then 3 on top of it (2b's branch outgrows 2a) and 4
    await importEvents(
      db,
      linesOf(file, (n) => n > 3),
    )
    await waitForIndexed(db.ds, MAINNET, 4, proc)
    const hot = await hotBlocks(db)
    expect(hot.find((b) => b.height === 2)!.hash.startsWith('0x9f79f0a8')).toBe(true)

    const canonicalOnly = await newDatabase()
    await importEvents(
      canonicalOnly,
      linesOf(file, (_n, text) => !text.startsWith('58775\t')),
    )
    await waitForIndexed(canonicalOnly.ds, MAINNET, 4, processor(canonicalOnly))
    const replayed = await snapshot(canonicalOnly)
    expect(replayed.contracts).toEqual([{ id: `${MAINNET}:${WRAPPED_NOTHING}`, standard: 'SIP010', total_supply: '0', asset_name: 'wrapped-nthng' }])
    expect(await snapshot(db)).toEqual(replayed)
  })

  it('epoch 3 (Nakamoto): every block is indexed with no API, deployments judged from their contract_abi, the repeated genesis announcement stored once', async () => {
    const db = await newDatabase()
    const summary = await importEvents(db, path.join(FIXTURES, 'epoch-3-transition.tsv.gz'), 'stacks:2147483648')
    expect(summary).toMatchObject({ requests: 238, blocks: 52, stored: 51, alreadyStored: 1, notStored: 186, unknownPaths: {} })
    const [genesis] = (await storedBlocks(db.ds, 'stacks:2147483648')).filter((b) => b.height === 0)
    expect((JSON.parse(genesis.payload) as { transactions: unknown[] }).transactions).toHaveLength(7)

    const proc = processor(db, { api: false, chain: 'stacks:2147483648' })
    await waitForIndexed(db.ds, 'stacks:2147483648', 50, proc)
    // the boot contracts' interfaces came with their deployments: none is a token, nothing is waiting for an interface
    expect(await q(db, `SELECT count(*)::int AS n FROM contract`)).toEqual([{ n: 0 }])
    expect(await q(db, `SELECT count(*)::int AS n FROM stacks_pending_event`)).toEqual([{ n: 0 }])
    expect(proc.output()).not.toContain('stacks batch failed')

    // the 37 interfaces the deployments carried are kept: a later process knows them with no API
    const stored = await q<{ contract_id: string }>(db, `SELECT contract_id FROM stacks_contract_interface WHERE chain = 'stacks:2147483648' ORDER BY 1`)
    expect(stored).toHaveLength(37)
    const cache = stacksInterfaces(db.ds, loadConfig({ STACKS_CHAIN: 'stacks:2147483648' }), undefined)
    const later = new StacksStandards('stacks:2147483648', (id) => cache.get(id), false)
    await later.prepare(db.ds.manager, [stored[0].contract_id])
    expect([later.isUnresolved(stored[0].contract_id), later.get(stored[0].contract_id)]).toEqual([false, undefined])
    await later.prepare(db.ds.manager, ['ST000000000000000000002AMW42H.never-deployed'])
    expect(later.isUnresolved('ST000000000000000000002AMW42H.never-deployed')).toBe(true)
  })

  it('keeps the events of contracts deployed before the recording while no API can give their interfaces, and applies them once one can', async () => {
    const db = await newDatabase()
    await importEvents(db, path.join(FIXTURES, 'mainnet-out-of-order-microblock.tsv'))
    const blind = processor(db, { api: false })
    await waitForIndexed(db.ds, MAINNET, 1, blind)
    await blind.stop()
    expect(await q(db, `SELECT count(*)::int AS n FROM token`)).toEqual([{ n: 0 }])
    const kept = await q<{ contract_id: string; n: number }>(db, `SELECT contract_id, count(*)::int AS n FROM stacks_pending_event GROUP BY 1`)
    expect(kept.sort(byContract)).toEqual(
      [
        { contract_id: BNS, n: 1 },
        { contract_id: MIAMI, n: 4 },
        { contract_id: FREE_PUNKS, n: 1 },
        { contract_id: PHASES, n: 1 },
        { contract_id: PUNKS, n: 3 },
      ].sort(byContract),
    )

    // restarted with an API; the kept events are applied with the next block
    const informed = processor(db)
    await importEvents(db, nextEmptyBlock())
    await waitForIndexed(db.ds, MAINNET, 2, informed)
    expect(Object.keys(await owners(db))).toHaveLength(5)
    expect(await q(db, `SELECT total_supply::text AS s FROM contract WHERE address = $1`, [MIAMI])).toEqual([{ s: '500000' }])
    // BNS turned out not to be a token: its kept event is dropped
    const left = await q<{ contract_id: string }>(db, `SELECT DISTINCT contract_id FROM stacks_pending_event`)
    expect(left.sort(byContract)).toEqual([{ contract_id: MIAMI }, { contract_id: FREE_PUNKS }, { contract_id: PHASES }, { contract_id: PUNKS }].sort(byContract))
  })
})

function byContract(a: { contract_id: string }, b: { contract_id: string }): number {
  return a.contract_id < b.contract_id ? -1 : a.contract_id > b.contract_id ? 1 : 0
}

/** An empty block on top of the out-of-order recording's block 1, as an archive line. */
function nextEmptyBlock(): string {
  const [, , , body] = fs.readFileSync(path.join(FIXTURES, 'mainnet-out-of-order-microblock.tsv'), 'utf8').split('\n')[1].split('\t')
  const parent = JSON.parse(body) as Record<string, unknown>
  const block = {
    ...parent,
    block_height: 2,
    block_hash: '0x' + 'ab'.repeat(32),
    index_block_hash: '0x' + 'cd'.repeat(32),
    parent_index_block_hash: parent.index_block_hash,
    parent_block_hash: parent.block_hash,
    transactions: [],
    events: [],
  }
  const out = path.join(tmp, 'next-empty-block.tsv')
  fs.writeFileSync(out, `1\t2021-09-16 23:50:00+00\t/new_block\t${JSON.stringify(block)}\n`)
  return out
}
