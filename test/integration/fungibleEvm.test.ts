// ERC-20 facts end to end: real contracts on the local chain, the real EVM processor and worker
// processes, and the API serving what they stored. Covers early tokens whose name() / symbol()
// return bytes32 (MKR, SAI) and a contract whose name() reverts (the other reads must survive).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringToHex, type Address } from 'viem'
import type { DeployedContract } from '../../devnet/evm'
import { startApiServer, type RunningApi } from '../helpers/apiServer'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { useHardhatChain } from '../helpers/evmChain'
import { waitForIndexed } from '../helpers/indexer'
import { evmPipelineEnv, stopPipeline } from '../helpers/pipeline'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'

const chain = useHardhatChain()
const CHAIN = 'eip155:31337'
const running: RunningProcess[] = []
let db: TestDatabase
let api: RunningApi
let gold: DeployedContract
let maker: DeployedContract
let broken: DeployedContract

interface ContractAnswer {
  name: string | null
  symbol: string | null
  decimals: number | null
  totalSupply: string | null
  metadataStatus: string
}

async function served(c: DeployedContract): Promise<ContractAnswer | null> {
  const query = `{ contract(chain: "${CHAIN}", address: "${c.address.toLowerCase()}") { name symbol decimals totalSupply metadataStatus } }`
  const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  const body = (await res.json()) as { data?: { contract: ContractAnswer | null }; errors?: unknown }
  if (!body.data) throw new Error(`GraphQL answered ${JSON.stringify(body)}`)
  return body.data.contract
}

async function contractJobsSettled(): Promise<boolean> {
  const rows: { n: number }[] = await db.ds.query(`SELECT count(*)::int AS n FROM metadata_job WHERE kind = 'CONTRACT' AND status IN ('QUEUED', 'RUNNING')`)
  const done: { n: number }[] = await db.ds.query(`SELECT count(*)::int AS n FROM metadata_job WHERE kind = 'CONTRACT'`)
  return rows[0].n === 0 && done[0].n === 3
}

beforeAll(async () => {
  const d = chain.driver
  const alice: Address = d.accounts[1]
  gold = await d.deploy('TestERC20', ['Gold', 'GLD', 8, 1000n])
  await d.write(gold, 'mint', [alice, 500n])
  await d.write(gold, 'burn', [200n])
  maker = await d.deploy('LegacyERC20', [stringToHex('Maker', { size: 32 }), stringToHex('MKR', { size: 32 }), 18, false])
  await d.write(maker, 'mint', [alice, 10n ** 21n])
  broken = await d.deploy('LegacyERC20', [stringToHex('Hidden', { size: 32 }), stringToHex('BRK', { size: 32 }), 6, true])
  await d.write(broken, 'mint', [alice, 5n])

  db = await createTestDatabase()
  api = await startApiServer(db, { env: { EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl }]) } })
  const env = evmPipelineEnv(db, chain.rpcUrl, [CHAIN], undefined, { JOB_MAX_ATTEMPTS: '2' })
  const proc = startProcess('evm-processor', [CHAIN], env)
  const worker = startProcess('worker', [], env)
  running.push(proc, worker)
  await waitForIndexed(db.ds, CHAIN, Number(await d.blockNumber()), proc)
  await waitFor('the three contract jobs to settle', contractJobsSettled, 60_000, 100, () => worker.output())
}, 180_000)

afterAll(() => stopPipeline({ running, api, db }))

describe('ERC-20 contract job through the worker', () => {
  it('serves the name, symbol, decimals and event-tracked total supply of an ERC-20', async () => {
    expect(await served(gold)).toEqual({ name: 'Gold', symbol: 'GLD', decimals: 8, totalSupply: '1300', metadataStatus: 'AVAILABLE' })
  })

  it('decodes bytes32 name() and symbol() (MKR style) to strings without their trailing zero bytes', async () => {
    expect(await served(maker)).toEqual({ name: 'Maker', symbol: 'MKR', decimals: 18, totalSupply: (10n ** 21n).toString(), metadataStatus: 'AVAILABLE' })
  })

  it('keeps symbol, decimals and total supply of a contract whose name() reverts', async () => {
    expect(await served(broken)).toEqual({ name: null, symbol: 'BRK', decimals: 6, totalSupply: '5', metadataStatus: 'AVAILABLE' })
  })
})
