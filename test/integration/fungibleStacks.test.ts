// SIP-010 and SIP-013 fungible facts on the Stacks simulator through the real Stacks processor,
// worker and API: the served FT supply follows mints and burns (tracked from events, exact in
// u128 range), and SIP-013 decimals are read per token id.
import { Cl } from '@stacks/transactions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StacksReader } from '../../src/chains/stacks/stacksReader'
import { startApiServer, type RunningApi } from '../helpers/apiServer'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { waitForIndexed } from '../helpers/indexer'
import { json, startMetadataHost, type MetadataHost } from '../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { useStacksSimulator } from '../helpers/stacksSimulator'
import { stacksPipelineEnv, stopPipeline } from '../helpers/pipeline'

const stacks = useStacksSimulator()
const CHAIN = 'stacks:2147483648'
const running: RunningProcess[] = []
let host: MetadataHost
let db: TestDatabase
let api: RunningApi
let proc: RunningProcess

const E30 = 10n ** 30n

async function hiroFt(contractId: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}/metadata/v1/ft/${contractId}`)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function graphqlSupply(contractId: string): Promise<string | null> {
  const query = `{ contract(chain: "${CHAIN}", address: "${contractId}") { totalSupply } }`
  const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  const body = (await res.json()) as { data: { contract: { totalSupply: string | null } } }
  return body.data.contract.totalSupply
}

beforeAll(async () => {
  host = await startMetadataHost()
  host.route('/ft.json', json({ sip: 16, name: 'Sample Token', image: 'https://img.test/ft.png' }))
  const { sim } = stacks
  const { deployer, wallet_1 } = sim.accounts
  await sim.call(sim.contracts.ft, 'set-token-uri', [Cl.some(Cl.stringUtf8(host.urlFor('/ft.json')))], deployer)
  await sim.call(sim.contracts.ft, 'mint', [Cl.uint(E30), Cl.principal(wallet_1)], deployer)
  await sim.call(sim.contracts.ft, 'burn', [Cl.uint(1)], wallet_1)

  db = await createTestDatabase()
  api = await startApiServer(db, { env: { STACKS_CHAIN: CHAIN } })
  const env = stacksPipelineEnv(db, sim.url, CHAIN, host)
  proc = startProcess('stacks-processor', [], env)
  const worker = startProcess('worker', [], env)
  running.push(proc, worker)
  await waitForIndexed(db.ds, CHAIN, sim.tip().height, proc)
  const ft = `${CHAIN}:${sim.contracts.ft}`
  await waitFor(
    'the FT contract and token jobs',
    async () => {
      const rows: { n: number }[] = await db.ds.query(`SELECT count(*)::int AS n FROM metadata_job WHERE contract_id = $1 AND status = 'DONE'`, [ft])
      return rows[0].n === 2
    },
    60_000,
    100,
    () => worker.output(),
  )
}, 180_000)

afterAll(() => stopPipeline({ running, api, db, host }))

describe('SIP-010 supply and SIP-013 decimals', () => {
  it('serves a SIP-010 total_supply that follows later mints and burns exactly, with no new chain read', async () => {
    const { sim } = stacks
    const { deployer, wallet_1, wallet_2 } = sim.accounts
    const ft = sim.contracts.ft
    const first = await hiroFt(ft)
    expect(first.status).toBe(200)
    expect(first.body.total_supply).toBe((E30 - 1n).toString())

    await sim.call(ft, 'mint', [Cl.uint(2n ** 100n), Cl.principal(wallet_2)], deployer)
    await sim.call(ft, 'burn', [Cl.uint(E30 / 3n)], wallet_1)
    await waitForIndexed(db.ds, CHAIN, sim.tip().height, proc)
    const expected = (E30 - 1n + 2n ** 100n - E30 / 3n).toString()
    expect((await hiroFt(ft)).body.total_supply).toBe(expected)
    expect(await graphqlSupply(ft)).toBe(expected)
  })

  it('a processor started after the mints floors the tracked supply at zero, and its periodic cross-check reports the difference from get-total-supply', async () => {
    const { sim } = stacks
    const ft = sim.contracts.ft
    const late = await createTestDatabase()
    try {
      const p = startProcess('stacks-processor', [], {
        DATABASE_URL: late.url,
        STACKS_API_URL: sim.url,
        STACKS_CHAIN: CHAIN,
        STACKS_POLL_MS: '50',
        STACKS_START_HEIGHT: String(sim.tip().height + 1),
        STACKS_SUPPLY_CHECK_SECONDS: '3600',
      })
      running.push(p)
      await sim.call(ft, 'burn', [Cl.uint(5)], sim.accounts.wallet_1)
      await waitForIndexed(late.ds, CHAIN, sim.tip().height, p)
      const rows: { supply: string }[] = await late.ds.query(`SELECT total_supply::text AS supply FROM contract WHERE id = $1`, [`${CHAIN}:${ft}`])
      expect(rows).toEqual([{ supply: '0' }]) // a burn seen without its mint: never negative
      const chainSupply = (await new StacksReader({ baseUrl: sim.url }).totalSupply(ft))!.toString()
      const line = await waitFor(
        'the cross-check warning',
        async () =>
          p
            .output()
            .split('\n')
            .find((l) => l.includes('differs from get-total-supply') && l.includes(ft)),
        30_000,
        100,
        () => p.output(),
      )
      expect(JSON.parse(line)).toMatchObject({ contract: ft, tracked: '0', chain: chainSupply })
      await p.stop()
    } finally {
      await late.drop()
    }
  })

  it('reads SIP-013 decimals per token id from get-decimals', async () => {
    const { sim } = stacks
    await sim.call(sim.contracts.sft, 'set-decimals', [Cl.uint(3), Cl.uint(4)], sim.accounts.deployer)
    const reader = new StacksReader({ baseUrl: sim.url })
    expect(await reader.tokenDecimals(sim.contracts.sft, 3n, 'SIP013')).toBe(4)
    expect(await reader.tokenDecimals(sim.contracts.sft, 8n, 'SIP013')).toBe(0)
  })

  it('serves each SIP-013 token with the decimals its get-decimals returns, through the worker and the Hiro /sft route', async () => {
    const { sim } = stacks
    const { deployer, wallet_1 } = sim.accounts
    host.route('/sft/3.json', json({ sip: 16, name: 'Three', decimals: 9 }))
    host.route('/sft/8.json', json({ sip: 16, name: 'Eight' }))
    await sim.call(sim.contracts.sft, 'set-token-uri', [Cl.stringAscii(host.urlFor('/sft/{id}.json'))], deployer)
    await sim.call(sim.contracts.sft, 'set-decimals', [Cl.uint(3), Cl.uint(4)], deployer)
    for (const id of [3, 8]) await sim.call(sim.contracts.sft, 'mint', [Cl.uint(id), Cl.uint(10), Cl.principal(wallet_1)], deployer)
    await waitForIndexed(db.ds, CHAIN, sim.tip().height, proc)
    const sft = `${CHAIN}:${sim.contracts.sft}`
    await waitFor(
      'both SFT jobs',
      async () => {
        const rows: { n: number }[] = await db.ds.query(`SELECT count(*)::int AS n FROM metadata_job WHERE token_ref = ANY($1) AND status = 'DONE'`, [[`${sft}:3`, `${sft}:8`]])
        return rows[0].n === 2
      },
      60_000,
      100,
    )
    const decimals = async (id: number) => ((await (await fetch(`${api.url}/metadata/v1/sft/${sim.contracts.sft}/${id}`)).json()) as { decimals?: number }).decimals
    // the chain's get-decimals wins over the document's "decimals": 9
    expect([await decimals(3), await decimals(8)]).toEqual([4, 0])
  })
})
