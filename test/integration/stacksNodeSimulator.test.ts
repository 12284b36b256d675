// The simulator as a stacks-node posting to the event-observer role, the processor on
// STACKS_SOURCE=node with no API at all: standards come from the deployments' contract_abi, and a
// fork (the simulator's replacement branch) is followed through parent_index_block_hash. The same
// chain indexed from the simulator's Stacks API gives the same tokens, owners and balances.
import net from 'node:net'
import { Cl } from '@stacks/transactions'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { waitForIndexed } from '../helpers/indexer'
import { startProcess, type RunningProcess } from '../helpers/processes'
import { useStacksSimulator } from '../helpers/stacksSimulator'

const stacks = useStacksSimulator()
const CHAIN = 'stacks:2147483648'
const running: RunningProcess[] = []
const databases: TestDatabase[] = []

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()))
  await Promise.all(databases.map((d) => d.drop()))
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

function start(entry: string, env: Record<string, string>): RunningProcess {
  const p = startProcess(entry, [], { STACKS_CHAIN: CHAIN, STACKS_POLL_MS: '50', STACKS_FINALITY: '6', STACKS_SUPPLY_CHECK_SECONDS: '0', ...env })
  running.push(p)
  return p
}

async function chainFacts(db: TestDatabase) {
  return {
    contracts: await db.ds.query(`SELECT id, standard, total_supply::text, deployer, asset_name FROM contract WHERE chain = $1 ORDER BY id`, [CHAIN]),
    tokens: await db.ds.query(`SELECT id, owner, supply::text, burned FROM token WHERE chain = $1 ORDER BY id`, [CHAIN]),
    balances: await db.ds.query(`SELECT id, amount::text FROM balance ORDER BY id`),
    jobs: await db.ds.query(`SELECT id FROM metadata_job WHERE chain = $1 ORDER BY id`, [CHAIN]),
  }
}

describe('Stacks processor on the simulator event stream', () => {
  it('with no API (standards from contract_abi), indexes the event stream, a fork included, to the chain facts the API source gives', async () => {
    const { sim } = stacks
    const { deployer, wallet_1, wallet_2 } = sim.accounts
    const c = sim.contracts
    const nodeDb = await createTestDatabase()
    const apiDb = await createTestDatabase()
    databases.push(nodeDb, apiDb)
    const port = await freePort()
    start('stacks-observer', { DATABASE_URL: nodeDb.url, STACKS_OBSERVER_PORT: String(port) })
    await sim.observe(`http://127.0.0.1:${port}`)
    const node = start('stacks-processor', { DATABASE_URL: nodeDb.url, STACKS_SOURCE: 'node', STACKS_START_HEIGHT: '0' })

    await sim.call(c.nft, 'mint', [Cl.principal(wallet_1)], deployer)
    await sim.call(c.nft, 'mint', [Cl.principal(wallet_1)], deployer)
    await sim.call(c.ft, 'mint', [Cl.uint(1000), Cl.principal(wallet_1)], deployer)
    await sim.call(c.sft, 'mint', [Cl.uint(5), Cl.uint(10), Cl.principal(wallet_1)], deployer)
    await waitForIndexed(nodeDb.ds, CHAIN, sim.tip().height, node)
    // the FT and SFT mints are orphaned; the replacement branch transfers NFT 0 and tries a burn
    await sim.fork(2, async (s) => {
      await s.call(c.nft, 'transfer', [Cl.uint(0), Cl.principal(wallet_1), Cl.principal(wallet_2)], wallet_1)
      await s.call(c.ft, 'burn', [Cl.uint(100)], wallet_1)
    })
    // announcing the chain again waits until every block was accepted (each is stored once)
    await sim.observe(`http://127.0.0.1:${port}`)
    await waitForIndexed(nodeDb.ds, CHAIN, sim.tip().height, node)

    const api = start('stacks-processor', { DATABASE_URL: apiDb.url, STACKS_API_URL: sim.url })
    await waitForIndexed(apiDb.ds, CHAIN, sim.tip().height, api)
    const fromNode = await chainFacts(nodeDb)
    expect(fromNode.contracts.map((r: { standard: string }) => r.standard).sort()).toEqual(['SIP009', 'SIP010', 'SIP010', 'SIP013'])
    expect(fromNode.tokens.find((t: { id: string }) => t.id === `${CHAIN}:${c.nft}:0`)).toMatchObject({ owner: wallet_2 })
    expect(fromNode).toEqual(await chainFacts(apiDb))
  })
})
