// SIP-019 notifications proven through the real Stacks processor, worker and Hiro surface: a
// collection-wide notification refreshes every token, a frozen token keeps its document through
// later notices, and a dynamic token is fetched again once its ttl has passed.
import { Cl } from '@stacks/transactions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer, type RunningApi } from '../helpers/apiServer'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { waitForIndexed } from '../helpers/indexer'
import { json, startMetadataHost, type MetadataHost } from '../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { useStacksSimulator } from '../helpers/stacksSimulator'
import { stacksPipelineEnv, stopPipeline } from '../helpers/pipeline'

const stacks = useStacksSimulator()
const CHAIN = 'stacks:2147483648'
const IDS = [0, 1, 2, 3]
const running: RunningProcess[] = []
let host: MetadataHost
let db: TestDatabase
let api: RunningApi
/** The Stacks processor and the worker every test of this file shares. */
let proc: RunningProcess, worker: RunningProcess

/** Serves `<label> #<id>` for every token, so a refetch after a change is visible in the name. */
function publish(label: string, ids: number[] = IDS): void {
  for (const id of ids) host.route(`/sip19/${id}.json`, json({ sip: 16, name: `${label} #${id}` }))
}

async function servedName(id: number): Promise<string | undefined> {
  const res = await fetch(`${api.url}/metadata/v1/nft/${stacks.sim.contracts.nft}/${id}`)
  if (res.status !== 200) return undefined
  return ((await res.json()) as { metadata?: { name?: string } }).metadata?.name
}

async function versions(): Promise<Record<number, number>> {
  const rows: { id: string; v: number }[] = await db.ds.query(`SELECT token_ref AS id, request_version AS v FROM metadata_job WHERE contract_id = $1 AND kind = 'TOKEN'`, [
    `${CHAIN}:${stacks.sim.contracts.nft}`,
  ])
  return Object.fromEntries(rows.map((r) => [Number(r.id.slice(r.id.lastIndexOf(':') + 1)), r.v]))
}

async function nftJobsSettled(): Promise<boolean> {
  const rows: { n: number }[] = await db.ds.query(`SELECT count(*)::int AS n FROM metadata_job WHERE contract_id = $1 AND status IN ('QUEUED', 'RUNNING')`, [
    `${CHAIN}:${stacks.sim.contracts.nft}`,
  ])
  return rows[0].n === 0
}

/** Waits until the processor has indexed the chain tip and every job of the collection settled. */
async function settle(): Promise<void> {
  await waitForIndexed(db.ds, CHAIN, stacks.sim.tip().height, proc)
  await waitFor('the collection jobs to settle', nftJobsSettled, 60_000, 100, () => worker.output())
}

beforeAll(async () => {
  host = await startMetadataHost()
  publish('First')
  const { sim } = stacks
  const { deployer, wallet_1 } = sim.accounts
  await sim.call(sim.contracts.nft, 'set-token-uri', [Cl.stringAscii(host.urlFor('/sip19/{id}.json'))], deployer)
  for (const _ of IDS) await sim.call(sim.contracts.nft, 'mint', [Cl.principal(wallet_1)], deployer)

  db = await createTestDatabase()
  api = await startApiServer(db, { env: { STACKS_CHAIN: CHAIN } })
  const env = stacksPipelineEnv(db, sim.url, CHAIN, host, {
    JOB_LEASE_SECONDS: '5', // queue maintenance (which schedules dynamic tokens) every ~1.7 s
    EVM_BATCH_MAX_TOKENS: String(IDS.length - 1), // a collection-wide notice walks the tokens in chunks
  })
  proc = startProcess('stacks-processor', [], env)
  worker = startProcess('worker', [], env)
  running.push(proc, worker)
  await settle()
  for (const id of IDS) expect(await servedName(id)).toBe(`First #${id}`)
}, 180_000)

afterAll(() => stopPipeline({ running, api, db, host }))

describe('SIP-019 through the processor and worker', () => {
  it('a collection-wide notification (no token-ids) refreshes every token of the collection', async () => {
    const { sim } = stacks
    const before = await versions()
    publish('Second')
    await sim.call(sim.contracts.nft, 'notify-all', [], sim.accounts.deployer)
    await settle()
    for (const id of IDS) expect(await servedName(id)).toBe(`Second #${id}`)
    const after = await versions()
    for (const id of IDS) expect(after[id]).toBe(before[id] + 1)
  })

  it('a frozen token keeps its document through later notices, named or collection-wide', async () => {
    const { sim } = stacks
    const { deployer } = sim.accounts
    // the notice that freezes still refreshes (the document as of freezing is the final one)
    publish('Frozen', [3])
    await sim.call(sim.contracts.nft, 'notify-update-mode', [Cl.list([Cl.uint(3)]), Cl.stringAscii('frozen'), Cl.none()], deployer)
    await settle()
    expect(await servedName(3)).toBe('Frozen #3')
    const frozenVersion = (await versions())[3]

    publish('Third')
    await sim.call(sim.contracts.nft, 'notify-tokens', [Cl.list([Cl.uint(3), Cl.uint(2)])], deployer)
    await sim.call(sim.contracts.nft, 'notify-all', [], deployer)
    await settle()
    expect(await servedName(2)).toBe('Third #2')
    expect(await servedName(1)).toBe('Third #1')
    expect(await servedName(3)).toBe('Frozen #3')
    expect((await versions())[3]).toBe(frozenVersion)
  })

  it('a dynamic token with a ttl is fetched again once its ttl has passed and serves the changed document', async () => {
    const { sim } = stacks
    await sim.call(sim.contracts.nft, 'notify-update-mode', [Cl.list([Cl.uint(0)]), Cl.stringAscii('dynamic'), Cl.some(Cl.uint(1))], sim.accounts.deployer)
    await settle()
    const rows: { update_mode: string; update_ttl: number }[] = await db.ds.query(`SELECT update_mode, update_ttl FROM token WHERE id = $1`, [`${CHAIN}:${sim.contracts.nft}:0`])
    expect(rows).toEqual([{ update_mode: 'DYNAMIC', update_ttl: 1 }])
    expect(await servedName(0)).toBe('Third #0')

    // no notice from here on: only the ttl can make the worker fetch the token again
    publish('Live')
    await waitFor(
      'the dynamic token refetched after its ttl',
      async () => (await servedName(0)) === 'Live #0',
      60_000,
      100,
      () => worker.output(),
    )
    await settle()
    expect(await servedName(1)).toBe('Third #1') // a standard token is not refetched by the ttl schedule
  })
})
