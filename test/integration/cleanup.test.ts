// Housekeeping: the worker role prunes the append-only tables (job_stat_minute,
// rate_limit_window, host_lease) to their retention. The clock is moved by passing `now`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config'
import { cleanupRetention } from '../../src/queue/cleanup'
import { runCleanup } from '../../src/store/retention'
import { HostSlots } from '../../src/queue/hostSlots'
import { createApiKey } from '../../src/store/apiKeys'
import { consumeRateLimit } from '../../src/store/rateLimits'
import { useTestDatabase } from '../helpers/database'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'

const db = useTestDatabase()
const retention = cleanupRetention(loadConfig({}))
const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const NOW = new Date('2026-06-01T12:00:00Z')

async function addStatMinute(minute: Date, host = 'ipfs.io'): Promise<void> {
  await db.ds.query(`INSERT INTO job_stat_minute (id, minute, chain, host, completed, failed, invalid, retried) VALUES ($1, $2, 'eip155:1', $3, 1, 0, 0, 0)`, [
    `${minute.toISOString()}|eip155:1|${host}`,
    minute,
    host,
  ])
}

async function statMinutes(): Promise<string[]> {
  const r: { minute: Date }[] = await db.ds.query(`SELECT minute FROM job_stat_minute ORDER BY minute`)
  return r.map((x) => x.minute.toISOString())
}

async function rateWindows(): Promise<string[]> {
  const r: { window_start: Date }[] = await db.ds.query(`SELECT window_start FROM rate_limit_window ORDER BY window_start`)
  return r.map((x) => x.window_start.toISOString())
}

const hostLeases = async (): Promise<string[]> => (await db.ds.query(`SELECT worker_id FROM host_lease ORDER BY worker_id`)).map((r: { worker_id: string }) => r.worker_id)

async function clearTables(): Promise<void> {
  await db.ds.query(`TRUNCATE job_stat_minute, rate_limit_window, host_lease`)
}

describe('cleanup', () => {
  it('keeps 7 days of per-minute job statistics by default', () => {
    expect(retention.jobStatsMs).toBe(7 * DAY)
  })

  it('drops per-minute statistics older than the retention and keeps the rest', async () => {
    await clearTables()
    for (const ago of [7 * DAY + MIN, 7 * DAY - MIN, HOUR, 0]) await addStatMinute(new Date(NOW.getTime() - ago))
    const r = await runCleanup(db.ds, retention, NOW)
    expect(r).toEqual({ ran: true, deleted: { job_stat_minute: 1, rate_limit_window: 0, host_lease: 0, webhook_delivery: 0, notification_event: 0 } })
    expect(await statMinutes()).toEqual(['2026-05-25T12:01:00.000Z', '2026-06-01T11:00:00.000Z', '2026-06-01T12:00:00.000Z'])
  })

  it('moving the clock a day on drops the next day of statistics', async () => {
    const r = await runCleanup(db.ds, retention, new Date(NOW.getTime() + DAY))
    expect(r).toEqual({ ran: true, deleted: { job_stat_minute: 1, rate_limit_window: 0, host_lease: 0, webhook_delivery: 0, notification_event: 0 } })
    expect(await statMinutes()).toEqual(['2026-06-01T11:00:00.000Z', '2026-06-01T12:00:00.000Z'])
  })

  it('drops rate-limit windows that started before the retention (24 hours by default)', async () => {
    await clearTables()
    const { record } = await createApiKey(db.ds, { name: 'cleanup', contracts: [] }, NOW)
    for (const at of [0, 2 * HOUR, 3 * HOUR]) await consumeRateLimit(db.ds, record.id, 'tokens', HOUR, 100, 1, new Date(NOW.getTime() + at))
    const r = await runCleanup(db.ds, retention, new Date(NOW.getTime() + 26 * HOUR + 30 * MIN))
    expect(r).toMatchObject({ ran: true, deleted: { rate_limit_window: 2 } })
    expect(await rateWindows()).toEqual(['2026-06-01T15:00:00.000Z'])
  })

  it('drops the host lease of a worker that died without letting go, once it expired an hour ago', async () => {
    await clearTables()
    const dead = new HostSlots(db.ds.manager, { workerId: 'dead-worker', capPerHost: 4, leaseMs: 5000, waitMs: 1000 })
    expect((await dead.acquire('gateway.example')).ok).toBe(true)
    expect(await runCleanup(db.ds, retention, new Date())).toMatchObject({ deleted: { host_lease: 0 } })
    expect(await hostLeases()).toEqual(['dead-worker'])
    expect(await runCleanup(db.ds, retention, new Date(Date.now() + HOUR + 10_000))).toMatchObject({ deleted: { host_lease: 1 } })
    expect(await hostLeases()).toEqual([])
  })

  it('drops webhook deliveries made before the retention (7 days by default), then their events; pending ones stay', async () => {
    await clearTables()
    const { record } = await createApiKey(db.ds, { name: 'hooks', contracts: [] }, NOW)
    await db.ds.query(
      `INSERT INTO webhook_subscription (id, api_key_id, url, secret, chains, contracts, event_types, created_at)
                       VALUES ('sub', $1, 'https://example.com/h', 'whsec_x', '{}', '{}', '{}', $2)`,
      [record.id, NOW],
    )
    const event = async (id: number, status: string, ago: number) => {
      const at = new Date(NOW.getTime() - ago)
      await db.ds.query(
        `INSERT INTO notification_event (id, type, chain, contract_id, token_ref, block_number, payload, created_at)
                         VALUES ($1, 'token.minted', 'eip155:1', 'eip155:1:0xaa', 'eip155:1:0xaa:1', 5, '{}', $2)`,
        [id, at],
      )
      await db.ds.query(
        `INSERT INTO webhook_delivery (subscription_id, event_id, chain, subject, status, delivered_at, created_at)
                         VALUES ('sub', $1, 'eip155:1', 'eip155:1:0xaa:1', $2, $3, $4)`,
        [id, status, status === 'DELIVERED' ? at : null, at],
      )
    }
    await event(1, 'DELIVERED', 8 * DAY)
    await event(2, 'PENDING', 8 * DAY)
    await event(3, 'DELIVERED', DAY)
    expect(retention.webhookLogMs).toBe(7 * DAY)
    const r = await runCleanup(db.ds, retention, NOW)
    expect(r).toMatchObject({ ran: true, deleted: { webhook_delivery: 1, notification_event: 1 } })
    expect(await db.ds.query(`SELECT event_id::int AS id, status FROM webhook_delivery ORDER BY event_id`)).toEqual([
      { id: 2, status: 'PENDING' },
      { id: 3, status: 'DELIVERED' },
    ])
    // pruning is no reorg: nothing compensates the delivered event that went
    expect(await db.ds.query(`SELECT id::int FROM notification_event ORDER BY id`)).toEqual([{ id: 2 }, { id: 3 }])
    await db.ds.query(`DELETE FROM webhook_subscription`)
    await db.ds.query(`DELETE FROM notification_event`)
  })

  it('skips while another worker holds the cleanup lock, and deletes nothing', async () => {
    await clearTables()
    await addStatMinute(new Date(NOW.getTime() - 30 * DAY))
    const other = db.ds.createQueryRunner()
    await other.connect()
    try {
      await other.startTransaction()
      await other.query(`SELECT pg_advisory_xact_lock(7305002)`)
      expect(await runCleanup(db.ds, retention, NOW)).toEqual({ ran: false })
      expect(await statMinutes()).toEqual(['2026-05-02T12:00:00.000Z'])
    } finally {
      await other.rollbackTransaction()
      await other.release()
    }
    expect(await runCleanup(db.ds, retention, NOW)).toMatchObject({ ran: true, deleted: { job_stat_minute: 1 } })
  })

  it('two workers cleaning at once delete each row once between them', async () => {
    await clearTables()
    for (let i = 0; i < 50; i++) await addStatMinute(new Date(NOW.getTime() - 8 * DAY - i * MIN))
    await addStatMinute(NOW)
    const results = await Promise.all([runCleanup(db.ds, retention, NOW), runCleanup(db.ds, retention, NOW)])
    const deleted = results.reduce((n, r) => n + (r.ran ? r.deleted.job_stat_minute : 0), 0)
    expect(deleted).toBe(50)
    expect(await statMinutes()).toEqual([NOW.toISOString()])
  })
})

describe('the worker process', () => {
  let worker: RunningProcess | undefined
  beforeAll(async () => {
    await clearTables()
  })
  afterAll(async () => {
    await worker?.stop()
  })

  it('prunes the housekeeping tables at start and again every CLEANUP_INTERVAL_SECONDS', async () => {
    const now = Date.now()
    const old = (days: number) => new Date(Math.floor((now - days * DAY) / MIN) * MIN)
    const recent = new Date(Math.floor(now / MIN) * MIN)
    await addStatMinute(old(30))
    await addStatMinute(recent)
    worker = startProcess('worker', [], { DATABASE_URL: db.url, EVM_CHAINS: '[]', CLEANUP_INTERVAL_SECONDS: '1' })
    await waitFor(
      'the 30-day-old statistics row to be pruned',
      async () => (await statMinutes()).length === 1,
      30_000,
      100,
      () => worker!.output(),
    )
    expect(await statMinutes()).toEqual([recent.toISOString()])
    // A row that turns up after the first run goes at a later one.
    await addStatMinute(old(20))
    await waitFor(
      'the 20-day-old statistics row to be pruned',
      async () => (await statMinutes()).length === 1,
      30_000,
      100,
      () => worker!.output(),
    )
    expect(await statMinutes()).toEqual([recent.toISOString()])
    // The log line follows the commit; wait for it rather than race it.
    await waitFor(
      'both prunings to be logged',
      async () => worker!.output().match(/housekeeping tables pruned/g)?.length === 2,
      10_000,
      50,
      () => worker!.output(),
    )
  })
})
