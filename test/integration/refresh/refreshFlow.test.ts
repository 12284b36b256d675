// Refreshes end to end over real HTTP with real worker processes: a collection of 1,000 tokens
// deployed on a local hardhat chain with token URIs on a local metadata host (the tokens are
// inserted as the processor would have, with pre-reveal metadata), refreshed through every
// surface at once; hosts answering 404 / 500 / bad JSON end up in the error list with
// Immutable's codes, their status codes and truncated bodies, and pagination walks it once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REFRESH_SURFACES } from '../../../src/config/schema'
import { refreshIdForTask } from '../../../src/store/refreshes'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'
import { useHardhatChain } from '../../helpers/evmChain'
import { seedCollection } from '../../helpers/fixtures'
import { body, json, startMetadataHost, status, type MetadataHost } from '../../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../../helpers/processes'
import { bearer, call, gql, newKey } from '../../helpers/refreshApi'

const chain = useHardhatChain()
const db = useTestDatabase()
const CHAIN = 'eip155:31337'
const N = 1000
const LONG_500 = `upstream exploded: ${'x'.repeat(3000)}`
const BROKEN_JSON = `{"name": "broken ${'y'.repeat(3000)}`

let host: MetadataHost
let api: RunningApi
let address: string
let contractId: string
let key: string
const workers: RunningProcess[] = []

beforeAll(async () => {
  host = await startMetadataHost()
  for (let i = 0; i < N - 3; i++)
    host.route(`/r/${i}`, json({ name: `Revealed #${i}`, image: `ipfs://QmRevealed/${i}.png`, attributes: [{ trait_type: 'Power', value: i % 10 }] }, { delayMs: 5 }))
  host.route(`/r/${N - 3}`, status(404, 'no such token\n', { 'content-type': 'text/plain' }))
  host.route(`/r/${N - 2}`, status(500, LONG_500, { 'content-type': 'text/plain' }))
  host.route(`/r/${N - 1}`, body(BROKEN_JSON, { contentType: 'application/json' }))

  const d = chain.driver
  const nft = await d.deploy('TestERC721', ['Reveal', 'RVL', ''])
  await d.mintErc721Batch(nft, d.accounts[1], 0n, N, host.urlFor('/r/'))
  address = nft.address.toLowerCase()
  contractId = `${CHAIN}:${address}`
  // As the processor and the workers left it before the reveal: every token indexed, with placeholder metadata.
  await seedCollection(db.ds.manager, { chain: CHAIN, address, count: N })
  await db.ds.query(
    `INSERT INTO token_metadata (id, token_id, contract_id, status, name, updated_at, last_fetched_at)
     SELECT id, id, contract_id, 'AVAILABLE', 'Hidden', now(), now() FROM token WHERE contract_id = $1`,
    [contractId],
  )

  const evmChains = JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl }])
  // The surfaces' 3 s host deadline (refreshProfile.test.ts tests it) raised: 100 fetches at once
  // from two workers on a loaded 2-core machine may keep this local host longer than that.
  const patient = JSON.stringify(Object.fromEntries(REFRESH_SURFACES.map((s) => [s, { timeoutMs: 30_000 }])))
  api = await startApiServer(db, { env: { EVM_CHAINS: evmChains, REFRESH_DEFAULT_CHAIN: CHAIN, MAVIS_CHAIN: CHAIN, REFRESH_RETRY_PROFILES: patient } })
  key = await newKey(db.ds, 'reveal team', [contractId])
  const env = {
    DATABASE_URL: db.url,
    EVM_CHAINS: evmChains,
    FETCH_ALLOW_HOSTS: `127.0.0.1:${host.port}`,
    FETCH_TIMEOUT_MS: '30000',
    JOB_BACKOFF_BASE_MS: '100',
    JOB_MAX_ATTEMPTS: '2',
    WORKER_CONCURRENCY: '50',
    HOST_MAX_CONCURRENCY: '64',
  }
  workers.push(startProcess('worker', [], env), startProcess('worker', [], env))
  for (const w of workers)
    await waitFor(
      'a worker to start',
      async () => w.output().includes('worker started'),
      30_000,
      50,
      () => w.output(),
    )
})

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()))
  await api?.close()
  await host?.close()
})

interface Submitted {
  started: number
  imxId: string
  mavisId: string
  taskId: number
  graphqlId: string
}

/** The four refreshes, submitted once on each surface, by whichever test asks first. */
let submission: Promise<Submitted> | undefined
const submitted = () => (submission ??= submitRefreshes())

async function submitRefreshes(): Promise<Submitted> {
  const started = Date.now()
  const imx = await call(api.url, 'POST', '/v1/metadata-refreshes', {
    headers: { 'x-immutable-api-key': key },
    body: { collection_address: address, token_ids: Array.from({ length: N }, (_, i) => String(i)) },
  })
  expect(imx.status).toBe(202)
  expect(imx.headers.get('x-imx-remaining-refreshes')).toBe(String(30_000 - N))

  const mavis = await call(api.url, 'POST', `/mavis-market-partner/collections/${address}/refresh_metadata`, {
    headers: { 'X-API-Key': key },
    body: { token_ids: ['3', String(N - 3)] },
  })
  expect(mavis.status).toBe(200)
  const seq = await call(api.url, 'POST', '/rpc/Metadata/RefreshTokenMetadata', {
    headers: { 'X-Access-Key': key },
    body: { chainID: '31337', contractAddress: address, tokenIDs: ['1', '2'] },
  })
  expect(seq.status).toBe(200)
  // Token 1000 was never minted: tokenURI reverts.
  const g = await gql(api.url, `mutation($c: String!) { refreshTokens(chain: "${CHAIN}", contract: $c, tokenIds: ["5", "${N}"]) { id status } }`, { c: address }, bearer(key))
  expect(g.status).toBe(200)
  return { started, imxId: imx.body.refresh_id, mavisId: mavis.headers.get('x-refresh-id')!, taskId: seq.body.taskID, graphqlId: g.body.data!.refreshTokens.id }
}

/** The 1,000-token Immutable refresh once completed, with the statuses seen on the way. */
let imxCompletion: Promise<{ done: Record<string, any>; seen: Set<string> }> | undefined
const imxCompleted = () => (imxCompletion ??= waitForImxRefresh())

async function waitForImxRefresh(): Promise<{ done: Record<string, any>; seen: Set<string> }> {
  const { imxId } = await submitted()
  const seen = new Set<string>()
  const done = await waitFor(
    'the 1,000-token refresh to complete',
    async () => {
      const r = await call(api.url, 'GET', `/v1/metadata-refreshes/${imxId}`, { headers: bearer(key) })
      seen.add(r.body.status)
      return r.body.status === 'completed' ? r.body : undefined
    },
    150_000,
    100,
    () => workers.map((w) => w.output().split('\n').slice(-10).join('\n')).join('\n---\n'),
  )
  return { done, seen }
}

describe('a refresh of 1,000 tokens through every surface, processed by real workers', () => {
  it('is accepted on each surface, then completes with the right summary', async () => {
    const { started, imxId } = await submitted()
    const { done, seen } = await imxCompleted()
    const seconds = (Date.now() - started) / 1000
    expect([...seen].every((s) => ['queued', 'in_progress', 'completed'].includes(s))).toBe(true)
    expect(done).toMatchObject({ refresh_id: imxId, status: 'completed', collection_address: address, summary: { succeeded: N - 3, failed: 3, pending: 0 } })
    expect(new Date(done.started_at).getTime()).toBeLessThanOrEqual(new Date(done.completed_at).getTime())
    expect(new Date(done.started_at).getTime()).toBeGreaterThanOrEqual(started - 1000)
    console.log(`1,000-token refresh: completed in ${seconds.toFixed(1)} s`)

    // The reveal is served: new metadata in place of the placeholder.
    const [revealed] = await db.ds.query(`SELECT name, image FROM token_metadata WHERE id = $1`, [`${contractId}:10`])
    expect(revealed).toEqual({ name: 'Revealed #10', image: 'ipfs://QmRevealed/10.png' })
    const [{ hidden }] = await db.ds.query(`SELECT count(*)::int AS hidden FROM token_metadata WHERE contract_id = $1 AND name = 'Hidden'`, [contractId])
    expect(hidden).toBe(3)
  })

  it('lists each failed token once, with Immutable error codes, status codes and truncated bodies, across pages', async () => {
    const { imxId } = await submitted()
    await imxCompleted()
    const seen: Record<string, any>[] = []
    let cursor = ''
    const remainings: number[] = []
    for (let page = 0; page < 10; page++) {
      const r = await call(api.url, 'GET', `/v1/metadata-refreshes/${imxId}/errors?page_size=1${cursor ? `&cursor=${cursor}` : ''}`, { headers: { 'x-immutable-api-key': key } })
      expect(r.status).toBe(200)
      seen.push(...r.body.result)
      remainings.push(r.body.remaining)
      cursor = r.body.cursor
      if (r.body.remaining === 0) break
    }
    expect(remainings).toEqual([2, 1, 0])
    const byId = Object.fromEntries(seen.map((e) => [e.token_id, e]))
    expect(Object.keys(byId).sort()).toEqual([String(N - 1), String(N - 2), String(N - 3)].sort())
    expect(byId[String(N - 3)]).toMatchObject({
      collection_address: address,
      client_token_metadata_url: host.urlFor(`/r/${N - 3}`),
      client_response_status_code: 404,
      client_response_body: 'no such token\n',
      error_code: 'token_not_found',
    })
    expect(byId[String(N - 2)]).toMatchObject({ client_response_status_code: 500, error_code: 'invalid_response_status_code', client_response_body: LONG_500.slice(0, 1024) })
    expect(byId[String(N - 1)]).toMatchObject({ client_response_status_code: 200, error_code: 'unable_to_decode_response', client_response_body: BROKEN_JSON.slice(0, 1024) })
    for (const e of seen) {
      expect(Object.keys(e).sort()).toEqual([
        'client_response_body',
        'client_response_status_code',
        'client_token_metadata_url',
        'collection_address',
        'created_at',
        'error_code',
        'token_id',
      ])
      expect(Number.isNaN(Date.parse(e.created_at))).toBe(false)
    }
    const all = await call(api.url, 'GET', `/v1/metadata-refreshes/${imxId}/errors`, { headers: bearer(key) })
    expect(all.body.result.map((e: { token_id: string }) => e.token_id)).toEqual(seen.map((e) => e.token_id))
    expect(all.body.remaining).toBe(0)
  })

  it('the Mavis, Sequence and GraphQL refreshes complete too, each with its own view of progress', async () => {
    const { imxId, mavisId, taskId, graphqlId } = await submitted()
    await imxCompleted()
    const mavis = await waitFor(
      'the Mavis refresh',
      async () => {
        const r = await call(api.url, 'GET', `/v1/metadata-refreshes/${mavisId}`, { headers: bearer(key) })
        return r.body.status === 'completed' ? r.body : undefined
      },
      30_000,
    )
    expect(mavis.summary).toEqual({ succeeded: 1, failed: 1, pending: 0 })

    const task = await waitFor(
      'the Sequence task',
      async () => {
        const r = await call(api.url, 'POST', '/rpc/Metadata/GetTask', { headers: bearer(key), body: { taskId } })
        return r.body.task?.status === 'COMPLETED' ? r.body.task : undefined
      },
      30_000,
    )
    expect(task).toMatchObject({ id: taskId, try: 1, summary: { succeeded: 2, failed: 0, pending: 0 } })
    expect(Date.parse(task.lastRanAt)).toBeGreaterThanOrEqual(Date.parse(task.createdAt))

    const refresh = await waitFor(
      'the GraphQL refresh',
      async () => {
        const r = await gql(
          api.url,
          `query($id: ID!) { refresh(id: $id) { status succeeded failed pending errors(first: 10) { nodes { tokenId code immutableCode url httpStatus body } remaining } } }`,
          { id: graphqlId },
          bearer(key),
        )
        return r.body.data?.refresh?.status === 'COMPLETED' ? r.body.data.refresh : undefined
      },
      30_000,
    )
    expect(refresh).toEqual({
      status: 'COMPLETED',
      succeeded: 1,
      failed: 1,
      pending: 0,
      errors: { nodes: [{ tokenId: String(N), code: 'contract_call_reverted', immutableCode: 'token_not_found', url: null, httpStatus: null, body: null }], remaining: 0 },
    })

    const list = await call(api.url, 'GET', `/v1/metadata-refreshes?collection_address=${address}`, { headers: bearer(key) })
    expect(list.body.result.map((r: { refresh_id: string }) => r.refresh_id)).toEqual([graphqlId, await refreshIdForTask(db.ds, taskId), mavisId, imxId])
    expect(list.body.result.every((r: { status: string }) => r.status === 'completed')).toBe(true)
    expect(list.body.remaining).toBe(0)
  })
})
