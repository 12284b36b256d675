// The Hiro surface over tokens the real Stacks processor and worker indexed from the simulator:
// the last good document after a failed refresh, the bulk search route, and a principal's holdings
// asked for without a chain (GraphQL account). The tests share the pipeline the first one starts.
import { Cl } from '@stacks/transactions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer, type RunningApi } from '../helpers/apiServer'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { waitForIndexed } from '../helpers/indexer'
import { json, startMetadataHost, status, type MetadataHost } from '../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { useStacksSimulator } from '../helpers/stacksSimulator'
import { stacksPipelineEnv, stopPipeline } from '../helpers/pipeline'

const stacks = useStacksSimulator()
const CHAIN = 'stacks:2147483648'
let host: MetadataHost
let db: TestDatabase
let api: RunningApi
const running: RunningProcess[] = []

beforeAll(async () => {
  ;[host, db] = await Promise.all([startMetadataHost(), createTestDatabase()])
  api = await startApiServer(db, { env: { STACKS_CHAIN: CHAIN } })
})
afterAll(() => stopPipeline({ running, api, db, host }))

async function jobStatus(ref: string): Promise<string | undefined> {
  const rows: { status: string }[] = await db.ds.query(`SELECT status FROM metadata_job WHERE id = $1`, [`token:${ref}`])
  return rows[0]?.status
}

describe('Hiro: the last good document after a failed refresh', () => {
  it('answers 200 with the previous metadata once a refresh ends INVALID; 422 stays for tokens that never had metadata', async () => {
    const { sim } = stacks
    const { deployer, wallet_1 } = sim.accounts
    const nft = sim.contracts.nft
    let gone = false
    host.route('/stale/0.json', (req, res) => (gone ? status(404, 'gone')(req, res) : json({ sip: 16, name: 'Stays #0', image: 'https://img.test/0.png' })(req, res)))
    host.route('/stale/1.json', status(404, 'never there'))
    await sim.call(nft, 'set-token-uri', [Cl.stringAscii(host.urlFor('/stale/{id}.json'))], deployer)
    for (let i = 0; i < 2; i++) await sim.call(nft, 'mint', [Cl.principal(wallet_1)], deployer)
    const env = stacksPipelineEnv(db, sim.url, CHAIN, host)
    const proc = startProcess('stacks-processor', [], env)
    const worker = startProcess('worker', [], env)
    running.push(proc, worker)
    await waitForIndexed(db.ds, CHAIN, sim.tip().height, proc)
    const ref = (id: number) => `${CHAIN}:${nft}:${id}`
    await waitFor(
      'the first fetches',
      async () => (await jobStatus(ref(0))) === 'DONE' && (await jobStatus(ref(1))) === 'INVALID',
      60_000,
      100,
      () => worker.output(),
    )
    const get = async (id: number) => {
      const res = await fetch(`${api.url}/metadata/v1/nft/${nft}/${id}`)
      return [res.status, await res.json()] as const
    }
    expect(await get(0)).toEqual([200, { token_uri: host.urlFor('/stale/{id}.json'), metadata: { sip: 16, name: 'Stays #0', image: 'https://img.test/0.png' } }])

    gone = true
    await sim.call(nft, 'notify-tokens', [Cl.list([Cl.uint(0)])], deployer)
    await waitForIndexed(db.ds, CHAIN, sim.tip().height, proc)
    await waitFor(
      'the refresh to end INVALID',
      async () => (await jobStatus(ref(0))) === 'INVALID',
      60_000,
      100,
      () => worker.output(),
    )

    const [code, body] = await get(0)
    expect(code).toBe(200)
    expect(body).toMatchObject({ metadata: { name: 'Stays #0' } })
    expect(await get(1)).toEqual([422, { error: 'Token error', message: expect.any(String) }])
  }, 120_000)

  it('the bulk search route answers each asked token in order, with an ETag; a bare principal is token 1; 51 contracts are a 400', async () => {
    const { sim } = stacks
    const nft = sim.contracts.nft
    const url = (contracts: string[]) => `${api.url}/metadata/v1/search?${contracts.map((c) => `contract=${encodeURIComponent(c)}`).join('&')}`
    const res = await fetch(url([`${nft}:0`, nft, `${nft}:99`]))
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>[]
    // token 99 does not exist: left out
    expect(body.map((e) => [e.contract_id, e.token_number, e.token_type])).toEqual([
      [nft, 0, 'nft'],
      [nft, 1, 'nft'],
    ])
    expect(body[0]).toMatchObject({
      name: 'Stays #0',
      image_uri: 'https://img.test/0.png',
      image_canonical_uri: 'https://img.test/0.png',
      token_uri: host.urlFor('/stale/{id}.json'),
      sender_address: sim.accounts.deployer,
    })
    expect(typeof body[0]!.tx_id).toBe('string')
    const etag = res.headers.get('etag')!
    expect((await fetch(url([`${nft}:0`, nft, `${nft}:99`]), { headers: { 'if-none-match': etag } })).status).toBe(304)
    const tooMany = await fetch(url(Array.from({ length: 51 }, (_, i) => `${nft}:${i}`)))
    expect(tooMany.status).toBe(400)
    expect(await tooMany.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' })
  })
})

describe('holdings of a Stacks principal', () => {
  it('account(address) without a chain lists the SIP-009 tokens a principal holds on the indexed Stacks chain, with their metadata', async () => {
    const { sim } = stacks
    const { deployer, wallet_1, wallet_2 } = sim.accounts
    const nft = sim.contracts.nft
    host.route('/stale/2.json', json({ sip: 16, name: 'Held #2' }))
    await sim.call(nft, 'mint', [Cl.principal(wallet_2)], deployer)
    await sim.call(nft, 'transfer', [Cl.uint(0), Cl.principal(wallet_1), Cl.principal(wallet_2)], wallet_1)
    await waitForIndexed(db.ds, CHAIN, sim.tip().height)
    await waitFor('token 2 fetched', async () => (await jobStatus(`${CHAIN}:${nft}:2`)) === 'DONE')
    const holdings = async (address: string) => {
      const res = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `{ account(address: "${address}") { chains holdings(first: 50) { nodes { amount token { chain contractAddress tokenId metadata { name } } } } } }`,
        }),
      })
      const body = (await res.json()) as { data?: { account: { chains: string[]; holdings: { nodes: unknown[] } } }; errors?: unknown }
      expect(body.errors).toBeUndefined()
      return body.data!.account
    }
    expect(await holdings(wallet_2)).toEqual({
      chains: [CHAIN],
      holdings: {
        nodes: [
          { amount: '1', token: { chain: CHAIN, contractAddress: nft, tokenId: '0', metadata: { name: 'Stays #0' } } },
          { amount: '1', token: { chain: CHAIN, contractAddress: nft, tokenId: '2', metadata: { name: 'Held #2' } } },
        ],
      },
    })
    // token 1 stays with wallet_1; its document never loaded
    expect(await holdings(wallet_1)).toEqual({
      chains: [CHAIN],
      holdings: { nodes: [{ amount: '1', token: { chain: CHAIN, contractAddress: nft, tokenId: '1', metadata: null } }] },
    })
  })
})
