// GraphQL for change notifications: tokenChanged over Server-Sent Events (graphql-sse's own
// client) fed by a real worker's commit, the webhook mutations and the delivery log, and the
// per-connection limit. A revealed collection on a local hardhat chain, refreshed over GraphQL.
import { createClient, type Client } from 'graphql-sse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer, type RunningApi } from '../helpers/apiServer'
import { useTestDatabase } from '../helpers/database'
import { useHardhatChain } from '../helpers/evmChain'
import { seedCollection } from '../helpers/fixtures'
import { json, startMetadataHost, type MetadataHost } from '../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { bearer, gql, newKey } from '../helpers/refreshApi'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver'

const chain = useHardhatChain()
const db = useTestDatabase()
const CHAIN = 'eip155:31337'

let host: MetadataHost
let receiver: WebhookReceiver
let api: RunningApi
let worker: RunningProcess
let address: string
let contractId: string
let key: string
const clients: Client[] = []

function sseClient(singleConnection = false): Client {
  const c = createClient({ url: `${api.url}/graphql/stream`, singleConnection, retryAttempts: 0 })
  clients.push(c)
  return c
}

interface Message {
  type: string
  tokenId: string | null
  token: { status: string; metadata: { name: string | null } | null } | null
}

/** Collects a subscription's messages; `done` settles when it ends or fails. */
function collect(c: Client, query: string, variables: Record<string, unknown>) {
  const messages: { at: number; data: Message | null; errors?: unknown }[] = []
  let failure: unknown
  const done = new Promise<void>((resolve) => {
    c.subscribe<{ tokenChanged?: Message; contractChanged?: Message }>(
      { query, variables },
      {
        next: (r) => messages.push({ at: Date.now(), data: r.data?.tokenChanged ?? r.data?.contractChanged ?? null, errors: r.errors }),
        error: (e) => {
          failure = e
          resolve()
        },
        complete: () => resolve(),
      },
    )
  })
  return { messages, done, failure: () => failure }
}

const TOKEN_CHANGED = `subscription($chain: String!, $contract: String!, $tokenId: BigInt) {
  tokenChanged(chain: $chain, contract: $contract, tokenId: $tokenId) { type tokenId token { status metadata { name } } }
}`

beforeAll(async () => {
  host = await startMetadataHost()
  for (let i = 0; i < 3; i++) host.route(`/r/${i}`, json({ name: `Revealed #${i}`, image: `ipfs://QmRevealed/${i}.png` }))
  receiver = await startWebhookReceiver(() => ({ status: 200 }))
  const d = chain.driver
  const nft = await d.deploy('TestERC721', ['Reveal', 'RVL', ''])
  await d.mintErc721Batch(nft, d.accounts[1], 0n, 3, host.urlFor('/r/'))
  address = nft.address.toLowerCase()
  contractId = `${CHAIN}:${address}`
  await seedCollection(db.ds.manager, { chain: CHAIN, address, count: 3 })
  await db.ds.query(
    `INSERT INTO token_metadata (id, token_id, contract_id, status, name, normalized, content_hash, updated_at, last_fetched_at)
     SELECT id, id, contract_id, 'AVAILABLE', 'Hidden', '{"name":"Hidden"}', 'hidden', now(), now() FROM token WHERE contract_id = $1`,
    [contractId],
  )
  const evmChains = JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl }])
  api = await startApiServer(db, { env: { EVM_CHAINS: evmChains, SUBSCRIPTION_MAX_PER_CONNECTION: '2' } })
  key = await newKey(db.ds, 'reveal team', [contractId])
  worker = startProcess('worker', [], {
    DATABASE_URL: db.url,
    EVM_CHAINS: evmChains,
    FETCH_ALLOW_HOSTS: `127.0.0.1:${host.port},127.0.0.1:${receiver.port}`,
    JOB_BACKOFF_BASE_MS: '100',
  })
  await waitFor(
    'the worker to start',
    async () => worker.output().includes('worker started'),
    30_000,
    50,
    () => worker.output(),
  )
})

afterAll(async () => {
  for (const c of clients) c.dispose()
  await worker?.stop()
  // The single-connection client leaves a keep-alive connection the server does not count as
  // idle; without this, close() waits for the keep-alive timeout (72 s).
  api?.app.server.closeAllConnections()
  await api?.close()
  await receiver?.close()
  await host?.close()
})

describe('change notifications over GraphQL', () => {
  let hookId = ''

  it('createWebhook answers the secret once; a key may not subscribe outside its collections', async () => {
    const created = await gql<{ createWebhook: { secret: string; webhook: { id: string; status: string; contracts: string[] } } }>(
      api.url,
      `mutation($url: String!) { createWebhook(url: $url, eventTypes: ["metadata.updated", "refresh.completed"]) { secret webhook { id status contracts } } }`,
      { url: receiver.url },
      bearer(key),
    )
    expect(created.body.errors).toBeUndefined()
    const c = created.body.data!.createWebhook
    expect(c.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(c.webhook).toMatchObject({ status: 'ACTIVE', contracts: [contractId] })
    hookId = c.webhook.id
    const listed = await gql<{ webhooks: Record<string, unknown>[] }>(api.url, `{ webhooks { id url } }`, {}, bearer(key))
    expect(listed.body.data!.webhooks).toEqual([{ id: hookId, url: receiver.url }])

    const outside = await gql(api.url, `mutation { createWebhook(url: "https://example.com/h", contracts: ["${CHAIN}:0x${'1'.repeat(40)}"]) { secret } }`, {}, bearer(key))
    expect(outside.status).toBe(400)
    expect(outside.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'contracts' })
    const badType = await gql(api.url, `mutation { createWebhook(url: "https://example.com/h", eventTypes: ["token.exploded"]) { secret } }`, {}, bearer(key))
    expect(badType.body.errors![0]!.message).toContain('invalid event type "token.exploded"')
    const anonymous = await gql(api.url, `{ webhooks { id } }`)
    expect(anonymous.status).toBe(401)
  })

  it("a subscription over SSE sees a refresh's new metadata once it is stored", async () => {
    const sub = collect(sseClient(), TOKEN_CHANGED, { chain: CHAIN, contract: address, tokenId: '1' })
    const whole = collect(sseClient(), `subscription { contractChanged(chain: "${CHAIN}", contract: "${address}") { type tokenId } }`, {})
    // the stream is open once the server holds its subscriber (no message can be missed after this)
    await waitFor('both streams to be subscribed', async () => (await subscriptionsServed()) === 2)
    const refreshed = await gql(api.url, `mutation { refreshTokens(chain: "${CHAIN}", contract: "${address}", tokenIds: ["0", "1", "2"]) { id } }`, {}, bearer(key))
    expect(refreshed.body.errors).toBeUndefined()
    const got = await waitFor('the new metadata of token 1', async () => sub.messages.find((m) => m.data?.type === 'metadata.updated'))
    expect(got.data).toEqual({ type: 'metadata.updated', tokenId: '1', token: { status: 'AVAILABLE', metadata: { name: 'Revealed #1' } } })
    const [stored] = await db.ds.query(`SELECT updated_at FROM token_metadata WHERE id = $1`, [`${contractId}:1`])
    // the figure the issue asks about (stored -> seen by the subscriber), printed, not asserted
    console.log(`tokenChanged: metadata stored -> SSE message received: ${got.at - new Date(stored.updated_at).getTime()} ms`)
    await waitFor('the refresh to complete on the contract stream', async () => whole.messages.some((m) => m.data?.type === 'refresh.completed'))
    const types = whole.messages.map((m) => `${m.data?.type}:${m.data?.tokenId}`)
    expect(types.filter((t) => t.startsWith('metadata.updated')).sort()).toEqual(['metadata.updated:0', 'metadata.updated:1', 'metadata.updated:2'])
    expect(types).toContain('refresh.completed:null')
    expect(sub.messages.every((m) => m.data?.tokenId === '1')).toBe(true)
  })

  it('the delivery log in GraphQL lists what the webhook was sent', async () => {
    const log = await waitFor('4 deliveries', async () => {
      const r = await gql<{ webhook: { deliveries: { nodes: { eventId: string; type: string; status: string; attempts: number; lastStatus: number }[] } } }>(
        api.url,
        `query($id: ID!) { webhook(id: $id) { deliveries(first: 10) { nodes { eventId type status attempts lastStatus } } } }`,
        { id: hookId },
        bearer(key),
      )
      const nodes = r.body.data?.webhook.deliveries.nodes ?? []
      return nodes.length === 4 && nodes.every((n) => n.status === 'DELIVERED') && nodes
    })
    expect(log.map((n) => n.type).sort()).toEqual(['metadata.updated', 'metadata.updated', 'metadata.updated', 'refresh.completed'])
    expect(log.every((n) => n.attempts === 1 && n.lastStatus === 200)).toBe(true)
    expect(
      receiver
        .events()
        .map((e) => e.id)
        .sort(),
    ).toEqual(log.map((n) => n.eventId).sort())
    const completed = receiver.events().find((e) => e.type === 'refresh.completed')!
    expect(completed.data).toMatchObject({ chain: CHAIN, contract: address, tokenCount: 3, succeeded: 3, failed: 0 })
  })

  it("resumeWebhook and deleteWebhook act on the key's own webhooks only", async () => {
    const other = await newKey(db.ds, 'someone else', [contractId])
    const foreign = await gql(api.url, `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: hookId }, bearer(other))
    expect(foreign.status).toBe(404)
    expect(foreign.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' })
    const resumed = await gql<{ resumeWebhook: { status: string; consecutiveFailures: number } }>(
      api.url,
      `mutation($id: ID!) { resumeWebhook(id: $id) { status consecutiveFailures } }`,
      { id: hookId },
      bearer(key),
    )
    expect(resumed.body.data!.resumeWebhook).toEqual({ status: 'ACTIVE', consecutiveFailures: 0 })
    const created = await gql<{ createWebhook: { webhook: { id: string } } }>(
      api.url,
      `mutation { createWebhook(url: "https://example.com/h") { webhook { id } } }`,
      {},
      bearer(other),
    )
    const id = created.body.data!.createWebhook.webhook.id
    expect((await gql(api.url, `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id }, bearer(other))).body.data).toEqual({ deleteWebhook: true })
    expect((await gql<{ webhooks: unknown[] }>(api.url, `{ webhooks { id } }`, {}, bearer(other))).body.data!.webhooks).toEqual([])
  })

  it('a stream holds at most SUBSCRIPTION_MAX_PER_CONNECTION subscriptions', async () => {
    const c = sseClient(true)
    const a = collect(c, TOKEN_CHANGED, { chain: CHAIN, contract: address, tokenId: '0' })
    const b = collect(c, TOKEN_CHANGED, { chain: CHAIN, contract: address, tokenId: '2' })
    const third = collect(c, TOKEN_CHANGED, { chain: CHAIN, contract: address, tokenId: '1' })
    await third.done
    expect(String((third.failure() as Error | undefined)?.message)).toContain('Server responded with 429')
    expect(a.failure()).toBeUndefined()
    expect(b.failure()).toBeUndefined()
  })

  it('bad subscription arguments are refused in GraphQL error shape', async () => {
    const bad = collect(sseClient(), TOKEN_CHANGED, { chain: CHAIN, contract: 'not-an-address', tokenId: '1' })
    await waitFor('the error', async () => bad.messages.length > 0 || bad.failure() !== undefined)
    const errors = (bad.messages[0]?.errors ?? bad.failure()) as { message: string }[]
    expect(JSON.stringify(errors)).toContain('contract')
  })
})

/** Subscriptions the API process serves, from its own metrics. */
async function subscriptionsServed(): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text()
  const m = /^tms_graphql_subscriptions (\d+)$/m.exec(text)
  return m ? Number(m[1]) : 0
}
