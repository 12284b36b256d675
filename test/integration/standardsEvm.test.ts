// The EVM standards the README lists, proven through the real processor and worker processes and
// the API: ERC-2309 ConsecutiveTransfer ranges and ERC-4906 range notices over the per-pass cap,
// and ERC-7572 ContractURIUpdated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { startApiServer, type RunningApi } from '../helpers/apiServer'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { useHardhatChain } from '../helpers/evmChain'
import { waitForIndexed } from '../helpers/indexer'
import { json, startMetadataHost, type MetadataHost } from '../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { evmPipelineEnv, stopPipeline } from '../helpers/pipeline'

const chain = useHardhatChain()
const CHAIN = 'eip155:31337'
/** EVM_BATCH_MAX_TOKENS for the processor: each range below is several times over it. */
const CAP = 100
const running: RunningProcess[] = []
let host: MetadataHost
let db: TestDatabase
let api: RunningApi
let proc: RunningProcess
let worker: RunningProcess

async function graphql<T>(query: string): Promise<T> {
  const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  const body = (await res.json()) as { data?: T; errors?: unknown }
  if (!body.data) throw new Error(`GraphQL answered ${JSON.stringify(body)}`)
  return body.data
}

async function q<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return db.ds.query(sql, params)
}

async function jobsSettled(contractId: string, expected: number): Promise<boolean> {
  const [r] = await q<{ done: number; live: number }>(
    `SELECT count(*) FILTER (WHERE status = 'DONE')::int AS done, count(*) FILTER (WHERE status IN ('QUEUED', 'RUNNING'))::int AS live FROM metadata_job WHERE contract_id = $1`,
    [contractId],
  )
  return r.live === 0 && r.done === expected
}

beforeAll(async () => {
  host = await startMetadataHost()
  db = await createTestDatabase()
  api = await startApiServer(db, { env: { EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl }]) } })
  const env = evmPipelineEnv(db, chain.rpcUrl, [CHAIN], host, { EVM_BATCH_MAX_TOKENS: String(CAP), JOB_MAX_ATTEMPTS: '2', WORKER_CONCURRENCY: '16' })
  proc = startProcess('evm-processor', [CHAIN], env)
  worker = startProcess('worker', [], env)
  running.push(proc, worker)
}, 120_000)

afterAll(() => stopPipeline({ running, api, db, host }))

describe('EVM standards through the processor and worker', () => {
  it('ERC-2309: every token of ranges over the cap gets its owner and its fetched metadata', async () => {
    const d = chain.driver
    const [alice, bob]: Address[] = [d.accounts[1], d.accounts[2]]
    const sizes = [250, 430] // ids 0..249 to alice, 250..679 to bob
    const total = sizes[0] + sizes[1]
    for (let i = 0; i < total; i++) host.route(`/cons/${i}`, json({ name: `Consecutive #${i}` }))
    const cons = await d.deploy('TestConsecutive', ['Consecutive', 'CNS', host.urlFor('/cons/'), [alice, bob], sizes])
    const contractId = `${CHAIN}:${cons.address.toLowerCase()}`
    await waitForIndexed(db.ds, CHAIN, Number(await d.blockNumber()), proc)
    await waitFor(
      'every range token fetched',
      () => jobsSettled(contractId, total + 1),
      90_000,
      200,
      () => worker.output(),
    )

    const owners = await q<{ owner: string; n: number; lo: string; hi: string }>(
      `SELECT owner, count(*)::int AS n, min(token_id)::text AS lo, max(token_id)::text AS hi FROM token WHERE contract_id = $1 GROUP BY owner ORDER BY min(token_id)`,
      [contractId],
    )
    expect(owners).toEqual([
      { owner: alice.toLowerCase(), n: 250, lo: '0', hi: '249' },
      { owner: bob.toLowerCase(), n: 430, lo: '250', hi: '679' },
    ])
    const [{ available }] = await q<{ available: number }>(`SELECT count(*)::int AS available FROM token_metadata WHERE contract_id = $1 AND status = 'AVAILABLE'`, [contractId])
    expect(available).toBe(total)
    const last = await graphql<{ token: { owner: string; status: string; metadata: { name: string } } }>(
      `{ token(chain: "${CHAIN}", contract: "${cons.address.toLowerCase()}", tokenId: "679") { owner status metadata { name } } }`,
    )
    expect(last.token).toEqual({ owner: bob.toLowerCase(), status: 'AVAILABLE', metadata: { name: 'Consecutive #679' } })
  }, 150_000)

  it('ERC-4906: BatchMetadataUpdate over the whole id space refreshes every token of a collection larger than the cap', async () => {
    const d = chain.driver
    const count = CAP * 2 + 50
    const publish = (label: string) => {
      for (let i = 0; i < count; i++) host.route(`/batch/${i}`, json({ name: `${label} #${i}` }))
    }
    publish('Before')
    const nft = await d.deploy('TestERC721', ['Batch', 'BAT', ''])
    await d.mintErc721Batch(nft, d.accounts[1], 0n, count, host.urlFor('/batch/'))
    const contractId = `${CHAIN}:${nft.address.toLowerCase()}`
    const names = async () =>
      await q<{ name: string; n: number }>(
        `SELECT split_part(name, ' ', 1) AS name, count(*)::int AS n FROM token_metadata WHERE contract_id = $1 AND status = 'AVAILABLE' GROUP BY 1`,
        [contractId],
      )
    await waitFor(
      'the collection fetched',
      async () => (await names()).find((r) => r.name === 'Before' && r.n === count),
      90_000,
      200,
      () => worker.output(),
    )

    publish('After')
    await d.write(nft, 'emitBatchMetadataUpdate', [0n, 2n ** 256n - 1n])
    await waitFor(
      'every token refetched',
      async () => (await names()).find((r) => r.name === 'After' && r.n === count),
      90_000,
      200,
      () => worker.output(),
    )
    const notices = await q(`SELECT kind, token_count FROM update_notice WHERE contract_id = $1`, [contractId])
    expect(notices).toEqual([{ kind: 'BATCH_METADATA_UPDATE', token_count: count }])
  }, 150_000)

  it('ERC-7572: ContractURIUpdated leads to the new contract document being fetched and served', async () => {
    const d = chain.driver
    host.route('/collection/v1.json', json({ name: 'Collection v1', description: 'first', image: 'https://img.test/v1.png' }))
    host.route('/collection/v2.json', json({ name: 'Collection v2', description: 'second', image: 'https://img.test/v2.png' }))
    const nft = await d.deploy('TestERC721', ['Collection', 'COL', host.urlFor('/collection/v1.json')])
    host.route('/col/0', json({ name: 'Col #0' }))
    await d.mintErc721Batch(nft, d.accounts[1], 0n, 1, host.urlFor('/col/'))
    const address = nft.address.toLowerCase()
    const document = async () =>
      (
        await graphql<{ contract: { metadata: { document: { name?: string; description?: string } | null; uri: string | null } | null } | null }>(
          `{ contract(chain: "${CHAIN}", address: "${address}") { metadata { uri document } } }`,
        )
      ).contract?.metadata
    await waitFor(
      'the first contract document',
      async () => (await document())?.document?.name === 'Collection v1',
      60_000,
      200,
      () => worker.output(),
    )

    await d.write(nft, 'setContractURI', [host.urlFor('/collection/v2.json')])
    await waitFor(
      'the updated contract document',
      async () => (await document())?.document?.name === 'Collection v2',
      60_000,
      200,
      () => worker.output(),
    )
    expect(await document()).toMatchObject({ uri: host.urlFor('/collection/v2.json'), document: { name: 'Collection v2', description: 'second' } })
    const notices = await q(`SELECT kind, token_count FROM update_notice WHERE contract_id = $1`, [`${CHAIN}:${address}`])
    expect(notices).toEqual([{ kind: 'CONTRACT_URI_UPDATED', token_count: 1 }])
  })
})
