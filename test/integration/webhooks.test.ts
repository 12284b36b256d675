// Webhooks end to end against real local receivers: a hardhat chain, the EVM processor and a
// worker as their own processes, metadata on a local host, webhooks created with the CLI. Each
// test has its own collection and receivers; nothing waits for time, only for state.
import fs from 'node:fs'
import path from 'node:path'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main'
import type { DeployedContract } from '../../devnet/evm'
import { useTestDatabase } from '../helpers/database'
import { useHardhatChain } from '../helpers/evmChain'
import { waitForIndexed } from '../helpers/indexer'
import { json, startMetadataHost, type MetadataHost } from '../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { newKey } from '../helpers/refreshApi'
import { MAX_WEBHOOKS_PER_KEY } from '../../src/store/webhooks'
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../helpers/webhookReceiver'

const chain = useHardhatChain()
const db = useTestDatabase()
const CHAIN = 'eip155:31337'
const PAUSE_AFTER = 6

let host: MetadataHost
const receivers: Record<string, WebhookReceiver> = {}
const running: RunningProcess[] = []
let alice: Address
let bob: Address
let adminKey: string

/** The README's verification snippet, run as a receiver would run it. */
function readmeVerifier(): (secret: string, headers: Record<string, unknown>, body: string) => boolean {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8')
  const m = /<!-- webhook-verification -->\s*```js\n([\s\S]*?)```/.exec(readme)
  if (!m) throw new Error('README has no webhook verification snippet')
  return new Function('require', `${m[1]}\nreturn verifyWebhook`)(require) as (secret: string, headers: Record<string, unknown>, body: string) => boolean
}

async function runWebhooksCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: { DATABASE_URL: db.url } })
  return { code, out, err }
}

async function cli(argv: string[]): Promise<string> {
  const r = await runWebhooksCli(argv)
  if (r.code !== 0) throw new Error(`token-metadata ${argv.join(' ')} exited ${r.code}: ${r.err}`)
  return r.out
}

async function createWebhook(receiver: WebhookReceiver | string, contract: DeployedContract, events: string[] = []): Promise<{ id: string; secret: string }> {
  const url = typeof receiver === 'string' ? receiver : receiver.url
  const args = ['webhooks', 'create', '--key', adminKey.slice(0, 12), '--url', url, '--contract', `${CHAIN}:${contract.address.toLowerCase()}`, '--json']
  for (const e of events) args.push('--event', e)
  return JSON.parse(await cli(args)) as { id: string; secret: string }
}

async function q<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return db.ds.query(sql, params)
}

async function deliveries(subscription: string): Promise<{ event_id: string; status: string; type: string; subject: string; last_error: string | null }[]> {
  return q(
    `SELECT d.event_id::text, d.status, e.type, d.subject, d.last_error FROM webhook_delivery d JOIN notification_event e ON e.id = d.event_id
      WHERE d.subscription_id = $1 ORDER BY d.event_id`,
    [subscription],
  )
}

async function deployCollection(name: string, tokens: number): Promise<DeployedContract> {
  const d = chain.driver
  const nft = await d.deploy('TestERC721', [name, name.slice(0, 3).toUpperCase(), ''])
  for (let i = 0; i < tokens; i++) host.route(`/${name}/${i}`, json({ name: `${name} #${i}`, image: `ipfs://Qm${name}/${i}.png` }))
  return nft
}

beforeAll(async () => {
  host = await startMetadataHost()
  receivers.flaky = await startWebhookReceiver((_r, i) => ({ status: i < 3 ? 500 : 200 }))
  receivers.hang = await startWebhookReceiver(() => 'hang')
  receivers.steady = await startWebhookReceiver(() => ({ status: 200 }))
  receivers.redirect = await startWebhookReceiver(() => ({ status: 307, headers: { location: `${receivers.trap!.url}` } }))
  receivers.trap = await startWebhookReceiver(() => ({ status: 200 }))
  receivers.reorgOk = await startWebhookReceiver(() => ({ status: 200 }))
  receivers.reorgDown = await startWebhookReceiver(() => ({ status: 503 }))
  receivers.pausing = await startWebhookReceiver(() => ({ status: 500 }))
  receivers.inflight = await startWebhookReceiver(() => 'hold')
  // receivers.trap is deliberately not allowed: it stands for a private address behind a redirect
  const allowed = [
    host.port,
    ...Object.entries(receivers)
      .filter(([k]) => k !== 'trap')
      .map(([, r]) => r.port),
  ]
  ;[, alice, bob] = chain.driver.accounts
  adminKey = await newKey(db.ds, 'webhooks test')
  const env = {
    DATABASE_URL: db.url,
    EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl, finality: 10, headPollMs: 50 }]),
    FETCH_ALLOW_HOSTS: allowed.map((p) => `127.0.0.1:${p}`).join(','),
    JOB_BACKOFF_BASE_MS: '100',
    WEBHOOK_BACKOFF_BASE_MS: '50',
    // long enough for a reorg to be indexed while the in-flight test holds a request
    WEBHOOK_TIMEOUT_MS: '30000',
    WEBHOOK_CONCURRENCY: '4',
    WEBHOOK_PAUSE_AFTER_FAILURES: String(PAUSE_AFTER),
  }
  running.push(startProcess('evm-processor', [CHAIN], env), startProcess('worker', [], env))
})

afterAll(async () => {
  if (process.env.WEBHOOK_TEST_LOGS) running.forEach((p, i) => fs.writeFileSync(`${process.env.WEBHOOK_TEST_LOGS}.${i}`, p.output()))
  await Promise.all(running.map((p) => p.stop()))
  await Promise.all(Object.values(receivers).map((r) => r.close()))
  await host?.close()
})

describe('webhooks', () => {
  let flakySecret = ''

  it('a receiver that answers 500 before it answers 200 gets every event exactly once per idempotency id, in order per token', async () => {
    const nft = await deployCollection('flaky', 5)
    const hook = await createWebhook(receivers.flaky!, nft)
    flakySecret = hook.secret
    const d = chain.driver
    await d.mintErc721Batch(nft, alice, 0n, 5, host.urlFor('/flaky/'))
    await d.transferErc721(nft, alice, bob, 1n)
    await d.transferErc721(nft, alice, bob, 3n)
    await waitForIndexed(db.ds, CHAIN, Number(await d.blockNumber()))
    // 5 mints, 2 transfers, 5 documents stored: 12 events, all delivered
    const done = await waitFor(
      '12 events delivered',
      async () => {
        const rows = await deliveries(hook.id)
        return rows.length === 12 && rows.every((r) => r.status === 'DELIVERED') && rows
      },
      90_000,
    )
    const received = receivers.flaky!.events()
    expect(receivers.flaky!.requests.slice(0, 3).map((r) => r.answered)).toEqual([500, 500, 500])
    expect(received.map((e) => e.id).sort()).toEqual(done.map((r) => `evt_${r.event_id}`).sort())
    expect(new Set(received.map((e) => e.id)).size).toBe(received.length)
    const perToken = new Map<string, number[]>()
    for (const e of received) perToken.set(String(e.data.tokenId), [...(perToken.get(String(e.data.tokenId)) ?? []), Number(e.id.slice(4))])
    for (const ids of perToken.values()) expect(ids).toEqual([...ids].sort((a, b) => a - b))
    const byType = (t: string) =>
      received
        .filter((e) => e.type === t)
        .map((e) => String(e.data.tokenId))
        .sort()
    expect(byType('token.minted')).toEqual(['0', '1', '2', '3', '4'])
    expect(byType('token.transferred')).toEqual(['1', '3'])
    expect(byType('metadata.updated')).toEqual(['0', '1', '2', '3', '4'])
    const transfer = received.find((e) => e.type === 'token.transferred' && e.data.tokenId === '3')!
    expect(transfer.data).toMatchObject({ chain: CHAIN, contract: nft.address.toLowerCase(), from: alice.toLowerCase(), to: bob.toLowerCase(), amount: '1' })
    const updated = received.find((e) => e.type === 'metadata.updated' && e.data.tokenId === '2')!
    expect(updated.data).toMatchObject({ name: 'flaky #2', image: 'ipfs://Qmflaky/2.png', uri: host.urlFor('/flaky/2') })
    expect(updated.data.changedFields).toEqual(expect.arrayContaining(['image', 'name']))
  })

  it('a request is verified by the README snippet, and a wrong signature, body or secret is detected by it', () => {
    const verify = readmeVerifier()
    const accepted: ReceivedRequest[] = receivers.flaky!.accepted()
    expect(accepted.length).toBeGreaterThan(0)
    for (const r of accepted) expect(verify(flakySecret, r.headers, r.body)).toBe(true)
    const r = accepted[0]!
    const sig = String(r.headers['webhook-signature'])
    const forged = `${sig.slice(0, -4)}${sig.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`
    expect(verify(flakySecret, { ...r.headers, 'webhook-signature': forged }, r.body)).toBe(false)
    expect(verify(flakySecret, r.headers, r.body.replace('"data":{', '"data":{"x":1,'))).toBe(false)
    expect(verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, r.headers, r.body)).toBe(false)
    expect(verify(flakySecret, { ...r.headers, 'webhook-timestamp': String(Number(r.headers['webhook-timestamp']) - 301) }, r.body)).toBe(false)
  })

  it('a receiver that hangs leaves another subscription of the same collection unaffected', async () => {
    const nft = await deployCollection('hangs', 4)
    const hung = await createWebhook(receivers.hang!, nft, ['token.minted'])
    const steady = await createWebhook(receivers.steady!, nft, ['token.minted'])
    await chain.driver.mintErc721Batch(nft, alice, 0n, 4, host.urlFor('/hangs/'))
    await waitFor('the steady receiver to get the 4 mints', async () => receivers.steady!.events().filter((e) => e.type === 'token.minted').length === 4, 60_000)
    await waitFor('the hanging receiver to hold a request', async () => receivers.hang!.requests.length > 0)
    await waitFor('the steady deliveries recorded', async () => (await deliveries(steady.id)).every((r) => r.status === 'DELIVERED'))
    expect((await deliveries(hung.id)).map((r) => r.status)).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING'])
  })

  it('a target that redirects to a private address is refused, and the address is never connected to', async () => {
    const nft = await deployCollection('redirects', 1)
    const hook = await createWebhook(receivers.redirect!, nft, ['token.minted'])
    await chain.driver.mintErc721Batch(nft, alice, 0n, 1, host.urlFor('/redirects/'))
    const [row] = await waitFor('the refusal in the delivery log', async () => {
      const rows = await deliveries(hook.id)
      return rows[0]?.last_error ? rows : undefined
    })
    expect(row!.status).toBe('PENDING')
    expect(row!.last_error).toMatch(/^uri_disallowed: connection to 127\.0\.0\.1 .* refused: loopback address/)
    expect(receivers.redirect!.requests.length).toBeGreaterThan(0)
    expect(receivers.trap!.connections).toBe(0)
  })

  it('failed attempts in a row pause a subscription; resume sends its backlog', async () => {
    const nft = await deployCollection('pauses', 2)
    const hook = await createWebhook(receivers.pausing!, nft, ['token.minted'])
    await chain.driver.mintErc721Batch(nft, alice, 0n, 2, host.urlFor('/pauses/'))
    const [paused] = await waitFor('the pause', async () => {
      const r = await q<{ paused: boolean; failures: number }>(`SELECT paused_at IS NOT NULL AS paused, consecutive_failures AS failures FROM webhook_subscription WHERE id = $1`, [
        hook.id,
      ])
      return r[0]?.paused ? r : undefined
    })
    expect(paused!.failures).toBe(PAUSE_AFTER)
    expect(await q(`SELECT status, attempts FROM metadata_job WHERE id = $1`, [`webhook:${hook.id}:${CHAIN}`])).toEqual([{ status: 'FAILED', attempts: PAUSE_AFTER }])
    const listed = JSON.parse(await cli(['webhooks', 'list', '--json'])) as { id: string; status: string }[]
    expect(listed.find((h) => h.id === hook.id)?.status).toBe('PAUSED')

    receivers.pausing!.respond(() => ({ status: 200 }))
    expect(await cli(['webhooks', 'resume', hook.id])).toContain('is active')
    await waitFor('the backlog delivered', async () => (await deliveries(hook.id)).every((r) => r.status === 'DELIVERED'))
    expect(
      receivers
        .pausing!.events()
        .map((e) => e.data.tokenId)
        .sort(),
    ).toEqual(['0', '1'])
  })

  it('Retry-After is honoured: the next attempt is not due before the receiver asked', async () => {
    const nft = await deployCollection('later', 1)
    receivers.reorgDown!.respond(() => ({ status: 503, headers: { 'retry-after': '120' } }))
    const hook = await createWebhook(receivers.reorgDown!, nft, ['token.minted'])
    await chain.driver.mintErc721Batch(nft, alice, 0n, 1, host.urlFor('/later/'))
    const [job] = await waitFor('the failed attempt', async () => {
      const r = await q<{ wait_ms: number; attempts: number }>(
        `SELECT extract(epoch FROM run_at - updated_at) * 1000 AS wait_ms, attempts FROM metadata_job WHERE id = $1 AND status = 'QUEUED' AND attempts > 0`,
        [`webhook:${hook.id}:${CHAIN}`],
      )
      return r.length > 0 ? r : undefined
    })
    expect(job!.attempts).toBe(1)
    expect(Number(job!.wait_ms)).toBe(120_000)
    receivers.reorgDown!.respond(() => ({ status: 503 }))
  })

  it('a reorg removes undelivered events of orphaned blocks and compensates the delivered ones', async () => {
    const d = chain.driver
    const nft = await deployCollection('orphans', 3)
    const delivered = await createWebhook(receivers.reorgOk!, nft, ['token.minted', 'token.burned', 'token.transferred'])
    const undelivered = await createWebhook(receivers.reorgDown!, nft, ['token.minted', 'token.burned', 'token.transferred'])
    const fork = await d.fork()
    await d.mintErc721Batch(nft, alice, 0n, 3, host.urlFor('/orphans/'))
    await waitFor('the 3 mints delivered to one receiver', async () => (await deliveries(delivered.id)).filter((x) => x.status === 'DELIVERED').length === 3)
    const minted = receivers.reorgOk!.events()
    expect((await deliveries(undelivered.id)).map((r) => r.status)).toEqual(['PENDING', 'PENDING', 'PENDING'])

    const r = await fork.reorg({ extraBlocks: 2 })
    await waitFor('the reorg to be indexed', async () => {
      const [row] = await q<{ hash: string }>(`SELECT hash FROM eip155_31337_processor.hot_block WHERE height = $1`, [Number(r.head.number)])
      return row?.hash === r.head.hash
    })
    expect(await deliveries(undelivered.id)).toEqual([])
    const ids = minted.map((e) => e.id.slice(4))
    expect(await q(`SELECT count(*)::int AS n FROM notification_event WHERE id = ANY($1::bigint[])`, [ids])).toEqual([{ n: 0 }])
    await waitFor('3 compensating burns', async () => receivers.reorgOk!.events().length === 6)
    const burns = receivers.reorgOk!.events().slice(3)
    expect(burns.map((e) => e.type)).toEqual(['token.burned', 'token.burned', 'token.burned'])
    expect(burns.map((e) => (e.data.reorg as { compensates: string }).compensates).sort()).toEqual([...ids].sort())
    for (const b of burns) expect(b.data).toMatchObject({ from: alice.toLowerCase(), to: null })
    // The receiver has answered the 6th request before the worker settles it: wait for the settle.
    await waitFor('every delivery settled', async () => (await deliveries(delivered.id)).every((x) => x.status === 'DELIVERED'))
  })

  it('a chain event received while its block is rolled back is compensated once the delivery settles', async () => {
    const d = chain.driver
    const nft = await deployCollection('inflight', 1)
    const hook = await createWebhook(receivers.inflight!, nft, ['token.minted', 'token.burned'])
    const fork = await d.fork()
    await d.mintErc721Batch(nft, alice, 0n, 1, host.urlFor('/inflight/'))
    await waitFor('the mint to be held by the receiver', async () => receivers.inflight!.held === 1)
    const [{ event_id: minted }] = await deliveries(hook.id)
    const r = await fork.reorg({ extraBlocks: 2 })
    await waitFor('the mint to be rolled back', async () => {
      const [row] = await q<{ hash: string }>(`SELECT hash FROM eip155_31337_processor.hot_block WHERE height = $1`, [Number(r.head.number)])
      return row?.hash === r.head.hash
    })
    expect(await deliveries(hook.id)).toEqual([])
    receivers.inflight!.respond(() => ({ status: 200 }))
    receivers.inflight!.release(200)
    const burn = await waitFor('the compensating burn', async () => receivers.inflight!.events().find((e) => e.type === 'token.burned'))
    expect(burn.data).toMatchObject({ tokenId: '0', from: alice.toLowerCase(), to: null, reorg: { compensates: minted } })
    expect(receivers.inflight!.events().map((e) => e.type)).toEqual(['token.minted', 'token.burned'])
  })

  it('the CLI names a bad URL, event type or webhook id, and creates nothing', async () => {
    const before = await q(`SELECT count(*)::int AS n FROM webhook_subscription`)
    const badUrl = await runWebhooksCli(['webhooks', 'create', '--key', adminKey.slice(0, 12), '--url', 'ftp://example.com/h'])
    expect(badUrl.code).toBe(2)
    expect(badUrl.err).toContain('invalid webhook url "ftp://example.com/h": expected http:// or https://')
    const badEvent = await runWebhooksCli(['webhooks', 'create', '--key', adminKey.slice(0, 12), '--url', 'https://example.com/h', '--event', 'token.exploded'])
    expect(badEvent.code).toBe(2)
    expect(badEvent.err).toContain('invalid event type "token.exploded"')
    const noKey = await runWebhooksCli(['webhooks', 'create', '--key', 'tms_nosuchkey', '--url', 'https://example.com/h'])
    expect(noKey.code).toBe(1)
    expect(noKey.err).toContain('no API key has the id or prefix "tms_nosuchkey"')
    const noHook = await runWebhooksCli(['webhooks', 'delete', 'no-such-webhook'])
    expect(noHook.code).toBe(1)
    expect(noHook.err).toContain('no webhook has the id "no-such-webhook"')
    expect(await q(`SELECT count(*)::int AS n FROM webhook_subscription`)).toEqual(before)
  })

  it("the CLI refuses a webhook past the key's limit as a usage error (exit 2), naming the key and the limit", async () => {
    // scoped to a contract with no events: these webhooks never send anything
    const full = (await newKey(db.ds, 'a key at its limit', [`${CHAIN}:0x00000000000000000000000000000000000000f1`])).slice(0, 12)
    for (let i = 0; i < MAX_WEBHOOKS_PER_KEY; i++) await cli(['webhooks', 'create', '--key', full, '--url', `https://example.com/h${i}`])
    const over = await runWebhooksCli(['webhooks', 'create', '--key', full, '--url', 'https://example.com/one-more'])
    expect([over.code, over.err]).toEqual([2, expect.stringContaining(`API key ${full} already has ${MAX_WEBHOOKS_PER_KEY} webhooks (at most ${MAX_WEBHOOKS_PER_KEY})`)])
    expect(await q(`SELECT count(*)::int AS n FROM webhook_subscription WHERE url = 'https://example.com/one-more'`)).toEqual([{ n: 0 }])
  })
})
