// The retry profile of user refreshes through real processes: 10,000 tokens minted with ERC-2309
// on the hardhat chain, indexed by the EVM processor, refreshed through the Immutable X surface,
// and fetched by a worker process from a host that answers 500 to everything. Under the Immutable
// X rules (only 429 / 503 retried) the refresh completes with its errors within a minute, each
// URL asked exactly once; the general policy (8 attempts, every 5xx, backoff up to an hour)
// would keep it in_progress for hours.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeployedContract } from '../../../devnet/evm'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { createTestDatabase, type TestDatabase } from '../../helpers/database'
import { useHardhatChain } from '../../helpers/evmChain'
import { waitForIndexed } from '../../helpers/indexer'
import { json, startMetadataHost, status, type MetadataHost } from '../../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../../helpers/processes'
import { call, newKey } from '../../helpers/refreshApi'

const chain = useHardhatChain()
const CHAIN = 'eip155:31337'
const TOKENS = 10_000
let host: MetadataHost
let db: TestDatabase
let api: RunningApi
const running: RunningProcess[] = []

beforeAll(async () => {
  host = await startMetadataHost()
  db = await createTestDatabase()
})
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()))
  await api?.close()
  await db?.drop()
  await host?.close()
})

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl, finality: 2, headPollMs: 50 }]),
    FETCH_ALLOW_HOSTS: `127.0.0.1:${host.port}`,
    ...extra,
  }
}

describe('retry profile of a user refresh', () => {
  let nft: DeployedContract

  it('completes a 10,000-token Immutable X refresh against a host answering 500 within a minute, with every error and one request per token', async () => {
    const d = chain.driver
    const alice = d.accounts[1]
    for (let i = 0; i < TOKENS; i++) host.route(`/broken/${i}`, status(500, 'upstream exploded'))
    nft = await d.deploy('TestConsecutive', ['Broken', 'BRK', host.urlFor('/broken/'), [alice, alice], [5000n, 5000n]])
    const processor = startProcess('evm-processor', [CHAIN], env())
    running.push(processor)
    await waitForIndexed(db.ds, CHAIN, Number(await d.blockNumber()), processor)
    const contractId = `${CHAIN}:${nft.address.toLowerCase()}`
    await waitFor('every token indexed', async () => {
      const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM token WHERE contract_id = $1`, [contractId])
      return n === TOKENS || undefined
    })

    api = await startApiServer(db, {
      env: { EVM_CHAINS: env().EVM_CHAINS, REFRESH_DEFAULT_CHAIN: CHAIN, REFRESH_MAX_TOKENS_PER_REQUEST: String(TOKENS), REFRESH_TOKENS_PER_HOUR: '100000' },
    })
    const key = await newKey(db.ds, 'admin')
    const created = await call(api.url, 'POST', '/v1/metadata-refreshes', {
      headers: { 'x-immutable-api-key': key },
      body: { collection_address: nft.address, token_ids: Array.from({ length: TOKENS }, (_, i) => String(i)) },
    })
    expect(created.status).toBe(202)
    const id = created.body.refresh_id as string

    // The general policy is left at its defaults (JOB_MAX_ATTEMPTS 8, every 5xx retried).
    const started = performance.now()
    const worker = startProcess('worker', [], env({ WORKER_CONCURRENCY: '64', HOST_MAX_CONCURRENCY: '64' }))
    running.push(worker)
    const done = await waitFor(
      'the refresh to complete',
      async () => {
        const r = await call(api.url, 'GET', `/v1/metadata-refreshes/${id}`, { headers: { 'x-immutable-api-key': key } })
        return r.body.status === 'completed' ? r.body : undefined
      },
      60_000,
      500,
      () => worker.output(),
    )
    console.log(`10,000-token refresh against a 500 host: completed in ${((performance.now() - started) / 1000).toFixed(1)} s from worker start`)
    expect(done.summary).toEqual({ succeeded: 0, failed: TOKENS, pending: 0 })

    const errors = await call(api.url, 'GET', `/v1/metadata-refreshes/${id}/errors?page_size=2`, { headers: { 'x-immutable-api-key': key } })
    expect(errors.body.remaining).toBe(TOKENS - 2)
    expect(errors.body.result[0]).toMatchObject({
      collection_address: nft.address.toLowerCase(),
      client_token_metadata_url: host.urlFor(`/broken/${errors.body.result[0].token_id}`),
      client_response_status_code: 500,
      client_response_body: 'upstream exploded',
      error_code: 'invalid_response_status_code',
    })
    // 500 is not in the profile's retried statuses: one request per token, no retries.
    const asked = Array.from({ length: TOKENS }, (_, i) => host.hits(`/broken/${i}`))
    expect(asked.filter((n) => n !== 1)).toEqual([])
    const [job] = await db.ds.query(`SELECT status, attempts, fetch_timeout_ms, max_attempts, retry_statuses FROM metadata_job WHERE token_ref = $1`, [`${contractId}:7`])
    expect(job).toEqual({ status: 'FAILED', attempts: 1, fetch_timeout_ms: 3000, max_attempts: 3, retry_statuses: [429, 503] })
  }, 240_000)

  it('retries a 503 twice (three requests per token) and then reports the token failed', async () => {
    const d = chain.driver
    // No worker while the mints are indexed: their new-mint jobs must not be fetched under the
    // general policy before the refresh imposes its profile.
    await Promise.all(running.splice(1).map((p) => p.stop()))
    for (let i = 0; i < 3; i++) host.route(`/busy/${i}`, status(503, 'try later'))
    const busy = await d.deploy('TestERC721', ['Busy', 'BSY', ''])
    await d.mintErc721Batch(busy, d.accounts[1], 0n, 3, host.urlFor('/busy/'))
    await waitForIndexed(db.ds, CHAIN, Number(await d.blockNumber()), running[0])
    const key = await newKey(db.ds, 'admin 2')
    const created = await call(api.url, 'POST', '/v1/metadata-refreshes', {
      headers: { 'x-immutable-api-key': key },
      body: { collection_address: busy.address, token_ids: ['0', '1', '2'] },
    })
    expect(created.status).toBe(202)
    running.push(startProcess('worker', [], env()))
    const done = await waitFor('the refresh to complete', async () => {
      const r = await call(api.url, 'GET', `/v1/metadata-refreshes/${created.body.refresh_id}`, { headers: { 'x-immutable-api-key': key } })
      return r.body.status === 'completed' ? r.body : undefined
    })
    expect(done.summary).toEqual({ succeeded: 0, failed: 3, pending: 0 })
    expect([0, 1, 2].map((i) => host.hits(`/busy/${i}`))).toEqual([3, 3, 3])
    const errors = await call(api.url, 'GET', `/v1/metadata-refreshes/${created.body.refresh_id}/errors`, { headers: { 'x-immutable-api-key': key } })
    expect(errors.body.result.map((e: { client_response_status_code: number; error_code: string }) => [e.client_response_status_code, e.error_code])).toEqual([
      [503, 'invalid_response_status_code'],
      [503, 'invalid_response_status_code'],
      [503, 'invalid_response_status_code'],
    ])
  }, 120_000)

  it('records a localized variant answering 500 as that variant failing, and the token refreshed, without retrying it', async () => {
    const d = chain.driver
    await Promise.all(running.splice(1).map((p) => p.stop()))
    host.route('/loc/0', json({ name: 'Hero', localization: { uri: host.urlFor('/loc/0-{locale}.json'), default: 'en', locales: ['en', 'fr'] } }))
    host.route('/loc/0-fr.json', status(500, 'locale server down'))
    const c = await d.deploy('TestERC721', ['Localized', 'LOC', ''])
    await d.mintErc721Batch(c, d.accounts[1], 0n, 1, host.urlFor('/loc/'))
    await waitForIndexed(db.ds, CHAIN, Number(await d.blockNumber()), running[0])
    const key = await newKey(db.ds, 'admin 3')
    const created = await call(api.url, 'POST', '/v1/metadata-refreshes', { headers: { 'x-immutable-api-key': key }, body: { collection_address: c.address, token_ids: ['0'] } })
    running.push(startProcess('worker', [], env()))
    const done = await waitFor('the refresh to complete', async () => {
      const r = await call(api.url, 'GET', `/v1/metadata-refreshes/${created.body.refresh_id}`, { headers: { 'x-immutable-api-key': key } })
      return r.body.status === 'completed' ? r.body : undefined
    })
    expect(done.summary).toEqual({ succeeded: 1, failed: 0, pending: 0 })
    expect(host.hits('/loc/0-fr.json')).toBe(1)
    const ref = `${CHAIN}:${c.address.toLowerCase()}:0`
    const locales = await db.ds.query(`SELECT locale, status, error_http_status FROM token_locale WHERE token_id = $1 ORDER BY locale`, [ref])
    expect(locales).toEqual([{ locale: 'fr', status: 'FAILED', error_http_status: 500 }])
  }, 120_000)
})
