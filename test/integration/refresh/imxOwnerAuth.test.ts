// Immutable X project-owner authentication over real HTTP: x-imx-eth-* headers signed by real
// keys (viem's signMessage, and Immutable's published @imtbl/core-sdk, whose signRaw writes the
// recovery id as 00/01), against TestERC721 contracts on the hardhat chain whose Ownable owner()
// decides who the project owner is, or an address bound to an API key as the CLI does it.
import { Wallet } from '@ethersproject/wallet'
import { Config, ImmutableX } from '@imtbl/core-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import type { DeployedContract } from '../../../devnet/evm'
import { CollectionOwners } from '../../../src/api/auth/collectionOwners'
import { buildChainReaders } from '../../../src/main/wiring'
import { createApiKey } from '../../../src/store/apiKeys'
import { startApiServer, type RunningApi } from '../../helpers/apiServer'
import { useTestDatabase } from '../../helpers/database'
import { useHardhatChain } from '../../helpers/evmChain'
import { seedCollection } from '../../helpers/fixtures'
import { call, newKey, type Reply } from '../../helpers/refreshApi'

const chain = useHardhatChain()
const db = useTestDatabase()
const CHAIN = 'eip155:31337'
const WINDOW_S = 300

let api: RunningApi
let owned: DeployedContract
let other: DeployedContract
const ownerKey = generatePrivateKey()
let owner: PrivateKeyAccount
let stranger: PrivateKeyAccount

beforeAll(async () => {
  owner = privateKeyToAccount(ownerKey)
  stranger = privateKeyToAccount(generatePrivateKey())
  const d = chain.driver
  owned = await d.deploy('TestERC721', ['Owned', 'OWN', ''])
  other = await d.deploy('TestERC721', ['Other', 'OTH', ''])
  await d.write(owned, 'transferOwnership', [owner.address])
  for (const c of [owned, other]) await seedCollection(db.ds.manager, { chain: CHAIN, address: c.address.toLowerCase(), count: 5 })
  api = await startApiServer(db, {
    env: {
      EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl }]),
      REFRESH_DEFAULT_CHAIN: CHAIN,
      IMX_SIGNATURE_WINDOW_SECONDS: String(WINDOW_S),
      REFRESH_REQUESTS_PER_SECOND: '1000',
    },
  })
}, 120_000)
afterAll(async () => {
  await api?.close()
})

const nowSeconds = () => Math.floor(Date.now() / 1000)

/** The three headers as Immutable's SDKs make them: recovery id 00 / 01 (`form: 'imx'`) or as signed (1b / 1c). */
async function signedHeaders(
  account: PrivateKeyAccount,
  opts: { timestamp?: number; form?: 'imx' | 'eth'; prefix?: boolean; address?: string } = {},
): Promise<Record<string, string>> {
  const timestamp = String(opts.timestamp ?? nowSeconds())
  const sig = await account.signMessage({ message: timestamp })
  const body = sig.slice(2, 130)
  const v = sig.slice(130)
  const recovery = opts.form === 'eth' ? v : (parseInt(v, 16) - 27).toString(16).padStart(2, '0')
  return {
    'x-imx-eth-address': opts.address ?? account.address,
    'x-imx-eth-timestamp': timestamp,
    'x-imx-eth-signature': `${opts.prefix === false ? '' : '0x'}${body}${recovery}`,
  }
}

function refresh(headers: Record<string, string>, collection: string, ids = ['1', '2']): Promise<Reply> {
  return call(api.url, 'POST', '/v1/metadata-refreshes', { headers, body: { collection_address: collection, token_ids: ids } })
}

async function refreshRow(id: string): Promise<{ api_key_id: string | null; requested_by: string | null }> {
  const [row] = await db.ds.query(`SELECT api_key_id, requested_by FROM refresh WHERE id = $1`, [id])
  return row
}

describe('Immutable X project-owner authentication', () => {
  it("accepts a refresh signed by the collection contract's owner() with the SDKs' 00/01 recovery id, and shows the owner its refresh", async () => {
    const headers = await signedHeaders(owner)
    const r = await refresh(headers, owned.address)
    expect(r.status).toBe(202)
    expect(r.body.refresh_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(await refreshRow(r.body.refresh_id)).toEqual({ api_key_id: null, requested_by: owner.address.toLowerCase() })

    const status = await call(api.url, 'GET', `/v1/metadata-refreshes/${r.body.refresh_id}`, { headers: await signedHeaders(owner) })
    expect(status.status).toBe(200)
    expect(status.body).toMatchObject({
      refresh_id: r.body.refresh_id,
      status: 'queued',
      collection_address: owned.address.toLowerCase(),
      summary: { succeeded: 0, failed: 0, pending: 2 },
    })
    const list = await call(api.url, 'GET', '/v1/metadata-refreshes', { headers: await signedHeaders(owner) })
    expect(list.status).toBe(200)
    expect(list.body.result.map((x: { refresh_id: string }) => x.refresh_id)).toContain(r.body.refresh_id)
  })

  it('accepts the Ethereum 1b/1c recovery byte and a signature without 0x', async () => {
    expect((await refresh(await signedHeaders(owner, { form: 'eth' }), owned.address)).status).toBe(202)
    expect((await refresh(await signedHeaders(owner, { prefix: false }), owned.address)).status).toBe(202)
    expect((await refresh(await signedHeaders(owner, { form: 'eth', prefix: false }), owned.address)).status).toBe(202)
  })

  it("accepts a refresh made by Immutable's @imtbl/core-sdk createMetadataRefresh (its signRaw signature) and reads it back with the SDK", async () => {
    const sdk = new ImmutableX(Config.createConfig({ basePath: api.url, chainID: 31337, coreContractAddress: owned.address, registrationContractAddress: owned.address }))
    const wallet = new Wallet(ownerKey)
    const created = await sdk.createMetadataRefresh(wallet, { collection_address: owned.address, token_ids: ['3', '4'] })
    expect(created.refresh_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(await refreshRow(created.refresh_id)).toEqual({ api_key_id: null, requested_by: owner.address.toLowerCase() })
    const status = await sdk.getMetadataRefreshResults(wallet, created.refresh_id)
    expect(status).toMatchObject({ refresh_id: created.refresh_id, status: 'queued', summary: { succeeded: 0, failed: 0, pending: 2 } })
  })

  it("refuses a valid signature by an address that is not the collection's owner with 403 forbidden_request", async () => {
    const r = await refresh(await signedHeaders(stranger), owned.address)
    expect(r.status).toBe(403)
    expect(r.body.code).toBe('forbidden_request')
    expect(r.body.message).toContain(`its owner() is ${owner.address.toLowerCase()}`)
  })

  it('refuses a signature that was not made by x-imx-eth-address with 401 unauthorised_request', async () => {
    const r = await refresh(await signedHeaders(stranger, { address: owner.address }), owned.address)
    expect(r.status).toBe(401)
    expect(r.body).toEqual({ code: 'unauthorised_request', message: 'x-imx-eth-signature was not made by x-imx-eth-address for this timestamp' })
  })

  it('refuses signed timestamps older or later than the freshness window (replays) with 401', async () => {
    for (const timestamp of [nowSeconds() - WINDOW_S - 60, nowSeconds() + WINDOW_S + 60]) {
      const r = await refresh(await signedHeaders(owner, { timestamp }), owned.address)
      expect(r.status).toBe(401)
      expect(r.body.code).toBe('unauthorised_request')
      expect(r.body.message).toMatch(/^x-imx-eth-timestamp is \d+ s from the server clock; signatures are accepted for 300 s$/)
    }
  })

  it('refuses incomplete or malformed signature headers with 401 and never falls back to another credential', async () => {
    const full = await signedHeaders(owner)
    const key = await newKey(db.ds, 'admin for fallback check')
    const missing = await refresh({ 'x-imx-eth-address': full['x-imx-eth-address'], 'x-immutable-api-key': key }, owned.address)
    expect(missing.status).toBe(401)
    expect(missing.body.message).toBe('project-owner authentication needs all of x-imx-eth-address, x-imx-eth-signature, x-imx-eth-timestamp')
    const badV = await refresh({ ...full, 'x-imx-eth-signature': `${full['x-imx-eth-signature'].slice(0, -2)}02` }, owned.address)
    expect(badV.status).toBe(401)
    expect(badV.body.message).toBe('x-imx-eth-signature is not r + s + recovery id (65 bytes of hex, recovery id 00/01 or 1b/1c)')
  })

  it("lets an address bound to an API key refresh the key's collections although owner() is someone else, charged to that key", async () => {
    const { record } = await createApiKey(db.ds, { name: 'bound', contracts: [`${CHAIN}:${other.address}`], ethAddress: stranger.address }, new Date())
    const r = await refresh(await signedHeaders(stranger), other.address)
    expect(r.status).toBe(202)
    expect(await refreshRow(r.body.refresh_id)).toEqual({ api_key_id: record.id, requested_by: stranger.address.toLowerCase() })
    // The binding covers only the key's contracts.
    expect((await refresh(await signedHeaders(stranger), owned.address)).status).toBe(403)
  })

  it('remembers owner() for the cache ttl and follows an ownership transfer once it has passed', async () => {
    const d = chain.driver
    const c = await d.deploy('TestERC721', ['Moving', 'MOV', ''])
    let now = 1_000_000
    const owners = new CollectionOwners(buildChainReaders(api.config), 60_000, () => now)
    expect(await owners.ownerOf(CHAIN, c.address)).toBe(d.accounts[0].toLowerCase())
    await d.write(c, 'transferOwnership', [owner.address])
    now += 59_999
    expect(await owners.ownerOf(CHAIN, c.address)).toBe(d.accounts[0].toLowerCase())
    now += 1
    expect(await owners.ownerOf(CHAIN, c.address)).toBe(owner.address.toLowerCase())
    // A contract without owner() (here: no contract at all) has no owner.
    expect(await owners.ownerOf(CHAIN, '0x00000000000000000000000000000000000000c3')).toBeNull()
  })

  it("charges an owner's signed refreshes to the owner's own hourly budget, with the x-imx-* limit headers", async () => {
    const d = chain.driver
    const fresh = privateKeyToAccount(generatePrivateKey())
    const c = await d.deploy('TestERC721', ['Budget', 'BDG', ''])
    await d.write(c, 'transferOwnership', [fresh.address])
    await seedCollection(db.ds.manager, { chain: CHAIN, address: c.address.toLowerCase(), count: 5 })
    const tight = await startApiServer(db, {
      env: { EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl }]), REFRESH_DEFAULT_CHAIN: CHAIN, REFRESH_TOKENS_PER_HOUR: '3' },
    })
    try {
      const post = async (ids: string[]) =>
        call(tight.url, 'POST', '/v1/metadata-refreshes', { headers: await signedHeaders(fresh), body: { collection_address: c.address, token_ids: ids } })
      const first = await post(['1', '2'])
      expect([first.status, first.headers.get('x-imx-refreshes-limit'), first.headers.get('x-imx-remaining-refreshes')]).toEqual([202, '3', '1'])
      const second = await post(['3', '4'])
      expect([second.status, second.body]).toEqual([429, { code: 'refresh_limit_exceeded', message: 'Refresh limit exceeded' }])
      const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM rate_limit_window WHERE api_key_id = $1`, [`eth:${fresh.address.toLowerCase()}`])
      expect(n).toBeGreaterThan(0)
    } finally {
      await tight.close()
    }
  })

  it('keeps API keys working on the Immutable X and Mavis surfaces', async () => {
    const key = await newKey(db.ds, 'admin')
    const imx = await refresh({ 'x-immutable-api-key': key }, owned.address)
    expect(imx.status).toBe(202)
    expect(await refreshRow(imx.body.refresh_id)).toMatchObject({ requested_by: null })
    const mavis = await startApiServer(db, { env: { EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl }]), MAVIS_CHAIN: CHAIN } })
    try {
      const r = await call(mavis.url, 'POST', `/mavis-market-partner/collections/${other.address}/refresh_metadata`, { headers: { 'X-API-Key': key }, body: { token_ids: ['1'] } })
      expect(r.status).toBe(200)
      expect(r.body).toEqual({ message: 'Metadata refresh initiated' })
    } finally {
      await mavis.close()
    }
  })
})
