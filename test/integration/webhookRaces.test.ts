// Webhook writers that meet at the same moment: an event stored while its webhook is resumed or
// while another transaction stores one, two creations for one key, a paused webhook's job that
// runs. Real transactions on the test database interleave as the processes' would
// (test/helpers/racingTransactions.ts); nothing waits for time.
import { describe, expect, it } from 'vitest'
import type { ChangeEvent } from '../../src/core/notifications'
import type { ClaimedJob, JobOutcome } from '../../src/core/jobOutcome'
import { settleJobs } from '../../src/queue/settle'
import { createApiKey, type ApiKeyRecord } from '../../src/store/apiKeys'
import { claimJobs, releaseJobs } from '../../src/store/jobs/claim'
import { recordChanges } from '../../src/store/notificationEvents'
import type { SqlExecutor } from '../../src/store/sql'
import { pendingDeliveries } from '../../src/store/webhookDeliveries'
import { createWebhook, createWebhookIn, deleteWebhook, MAX_WEBHOOKS_PER_KEY, resumeWebhookIn } from '../../src/store/webhooks'
import { useTestDatabase } from '../helpers/database'
import { startBehind, withRacingTransactions } from '../helpers/racingTransactions'

const db = useTestDatabase()
const CHAIN = 'eip155:31337'
const SETTINGS = { workerId: 'races', leaseMs: 60_000, maxAttempts: 5, backoffBaseMs: 100, backoffMaxMs: 1_000, delivery: { maxAttempts: 6, backoffBaseMs: 50 } }

let keys = 0
async function newAdminKey(): Promise<ApiKeyRecord> {
  return (await createApiKey(db.ds, { name: `races ${++keys}`, contracts: [] }, new Date())).record
}

/** A webhook of its own key on its own contract: each test's events reach its webhook only. */
async function newWebhook(): Promise<{ hook: string; contract: string }> {
  const contract = `${CHAIN}:0x${String(keys + 1).padStart(40, '0')}`
  const created = await createWebhook(db.ds, await newAdminKey(), { url: 'https://example.com/hook', contracts: [contract] }, new Date())
  return { hook: created.record.id, contract }
}

/** A transfer of one token, as a processor batch reports it (no block: no reorg compensation here). */
function transfer(contract: string, token: string, n: number): ChangeEvent {
  return { type: 'token.transferred', chain: CHAIN, contractId: contract, tokenRef: `${contract}:${token}`, blockNumber: null, payload: () => ({ n }) }
}

async function deliveryJob(hook: string): Promise<{ status: string }> {
  const [row] = await db.ds.query(`SELECT status FROM metadata_job WHERE id = $1`, [`webhook:${hook}:${CHAIN}`])
  return row
}

/** Claims the webhook's delivery job as a worker would and settles what `attempt` says it did. */
async function runDeliveryJob(hook: string, attempt: (job: ClaimedJob) => Promise<JobOutcome>): Promise<void> {
  const claimed = await claimJobs(db.ds.manager, SETTINGS.workerId, 100, SETTINGS.leaseMs)
  const job = claimed.find((j) => j.id === `webhook:${hook}:${CHAIN}`)
  await releaseJobs(
    db.ds.manager,
    SETTINGS.workerId,
    claimed.filter((j) => j !== job).map((j) => j.id),
  )
  if (!job) throw new Error(`the delivery job of webhook ${hook} was not claimable (claimed ${claimed.map((j) => j.id).join(', ')})`)
  await settleJobs(db.ds.manager, SETTINGS, [await attempt(job)], new Date())
}

const pause = (hook: string) => db.ds.query(`UPDATE webhook_subscription SET paused_at = now() WHERE id = $1`, [hook])
const pendingIds = async (db: SqlExecutor, hook: string) => (await pendingDeliveries(db, hook, CHAIN, 100)).map((d) => d.eventId)

describe('webhook races', () => {
  it("a paused webhook's delivery job that runs settles DONE and is not queued again", async () => {
    const { hook, contract } = await newWebhook()
    await recordChanges(db.ds.manager, [transfer(contract, '1', 1)], new Date())
    // paused after its job was queued (its job on another chain ran out of attempts)
    await pause(hook)
    // what deliveryJobHandler answers for a paused webhook: nothing sent
    await runDeliveryJob(hook, async (job) => ({ job, ok: true, kind: 'DELIVERY', delivery: { attempts: [] } }))
    expect(await deliveryJob(hook)).toEqual({ status: 'DONE' })
    expect(await pendingIds(db.ds.manager, hook)).toHaveLength(1)
  })

  it('a delivery stored while its paused webhook is resumed leaves its job queued', async () => {
    const { hook, contract } = await newWebhook()
    await recordChanges(db.ds.manager, [transfer(contract, '1', 1)], new Date())
    await runDeliveryJob(hook, async (job) => {
      const [d] = await pendingDeliveries(db.ds.manager, hook, CHAIN, 10)
      return { job, ok: true, kind: 'DELIVERY', delivery: { attempts: [{ deliveryId: d!.deliveryId, ok: true, status: 200, error: null }] } }
    })
    expect(await deliveryJob(hook)).toEqual({ status: 'DONE' })
    await pause(hook)

    await withRacingTransactions(db.ds, 2, async ([store, resume]) => {
      await recordChanges(store!.runner.manager, [transfer(contract, '1', 2)], new Date())
      // the resume either waits for the storing transaction or has already read what is pending
      const resumed = await startBehind(db.ds, store!, resume!, () => resumeWebhookIn(resume!.runner.manager, hook))
      await store!.runner.commitTransaction()
      const r = await resumed.outcome
      if (!r.ok) throw r.error
      await resume!.runner.commitTransaction()
    })
    expect(await pendingIds(db.ds.manager, hook)).toHaveLength(1)
    expect(await deliveryJob(hook)).toEqual({ status: 'QUEUED' })
  })

  it("a transaction waiting for one webhook's job takes no event ids the other webhooks' later events could overtake", async () => {
    // two webhooks on one contract: the busy one (mints only) is woken first, its job id sorting first
    const key = await newAdminKey()
    const contract = `${CHAIN}:0x${'e'.repeat(40)}`
    const create = async (eventTypes: string[]) => (await createWebhook(db.ds, key, { url: 'https://example.com/hook', contracts: [contract], eventTypes }, new Date())).record.id
    let other = await create(['token.minted', 'token.transferred'])
    let busy = await create(['token.minted'])
    // ids are random UUIDs: a fresh pair sorts the right way with probability 1/2 (both are
    // created again: keeping one, a small id of it could make every try fail)
    for (let tries = 1; busy > other; tries++) {
      if (tries === 64) throw new Error('no webhook id sorted before the other one in 64 tries')
      await deleteWebhook(db.ds, busy)
      await deleteWebhook(db.ds, other)
      other = await create(['token.minted', 'token.transferred'])
      busy = await create(['token.minted'])
    }
    const mint: ChangeEvent = { ...transfer(contract, '7', 1), type: 'token.minted' }
    await recordChanges(db.ds.manager, [mint], new Date())
    const seen: bigint[][] = []
    await withRacingTransactions(db.ds, 3, async ([worker, minting, transferring]) => {
      // a worker settling the busy webhook's job holds its row
      await worker!.runner.query(`SELECT 1 FROM metadata_job WHERE id = $1 FOR UPDATE`, [`webhook:${busy}:${CHAIN}`])
      const minted = await startBehind(db.ds, worker!, minting!, () => recordChanges(minting!.runner.manager, [mint], new Date()))
      expect(minted.waited).toBe(true)
      // meanwhile a transfer only the other webhook wants is stored and committed
      await recordChanges(transferring!.runner.manager, [transfer(contract, '7', 2)], new Date())
      await transferring!.runner.commitTransaction()
      seen.push((await pendingIds(db.ds.manager, other)).map(BigInt))
      await worker!.runner.commitTransaction()
      const r = await minted.outcome
      if (!r.ok) throw r.error
      await minting!.runner.commitTransaction()
      seen.push((await pendingIds(db.ds.manager, other)).map(BigInt))
    })
    const [afterTransfer, afterMint] = seen
    // the other webhook's job may already have sent everything pending after the first commit:
    // what becomes pending later must come after it
    expect(afterMint!.slice(0, afterTransfer!.length)).toEqual(afterTransfer)
    expect(afterMint).toHaveLength(afterTransfer!.length + 1)
  })

  it(`two creations at once for a key with ${MAX_WEBHOOKS_PER_KEY - 1} webhooks: one is created, the other refused`, async () => {
    const key = await newAdminKey()
    for (let i = 1; i < MAX_WEBHOOKS_PER_KEY; i++) await createWebhook(db.ds, key, { url: `https://example.com/hook/${i}` }, new Date())
    const outcome = await withRacingTransactions(db.ds, 2, async ([a, b]) => {
      await createWebhookIn(a!.runner.manager, key, { url: 'https://example.com/a' }, new Date())
      const second = await startBehind(db.ds, a!, b!, () => createWebhookIn(b!.runner.manager, key, { url: 'https://example.com/b' }, new Date()))
      await a!.runner.commitTransaction()
      const r = await second.outcome
      if (r.ok) await b!.runner.commitTransaction()
      return r
    })
    expect(outcome.ok ? 'created' : (outcome.error as Error).message).toBe(`API key ${key.prefix} already has ${MAX_WEBHOOKS_PER_KEY} webhooks (at most ${MAX_WEBHOOKS_PER_KEY})`)
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM webhook_subscription WHERE api_key_id = $1`, [key.id])
    expect(n).toBe(MAX_WEBHOOKS_PER_KEY)
  })
})
