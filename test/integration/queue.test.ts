import { Client } from 'pg'
import type { EntityManager } from 'typeorm'
import { describe, expect, it } from 'vitest'
import { PermanentError, RetryableError } from '../../src/core/errors'
import { PRIORITY, JobRequest } from '../../src/core/jobs'
import { silentLogger } from '../../src/lib/logger'
import { claimJobs, extendLeases, releaseJobs, sweepExpiredLeases } from '../../src/store/jobs/claim'
import { enqueueJobs } from '../../src/store/jobs/enqueue'
import { HostSlots } from '../../src/queue/hostSlots'
import { JobRunner } from '../../src/queue/runner'
import { settleJobs } from '../../src/queue/settle'
import { ClaimedJob, JobOutcome, QueueSettings, TokenFetchResult } from '../../src/core/jobOutcome'
import { useTestDatabase } from '../helpers/database'
import { seedCollection } from '../helpers/fixtures'
import { waitFor } from '../helpers/waitFor'

const db = useTestDatabase()
const settings = (workerId: string): QueueSettings => ({ workerId, leaseMs: 30_000, maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 60_000 })

function tokenJob(contractId: string, id: bigint | number, priority: number = PRIORITY.NEW_MINT): JobRequest {
  return { kind: 'TOKEN', chain: 'eip155:31337', contractId, tokenRef: `${contractId}:${id}`, priority }
}

function fetched(name: string): TokenFetchResult {
  return {
    uri: `https://meta.test/${name}`,
    resolvedUrl: `https://meta.test/${name}`,
    contentHash: name,
    metadata: { name },
    normalized: { name },
    raw: { name },
    attributes: [{ traitType: 'Level', value: '1', valueNumber: 1, valueJson: 1, displayType: null, maxValue: null }],
    locales: [],
    failedLocales: [],
    warnings: [],
  }
}

async function job(id: string) {
  const [row] = await db.ds.query(`SELECT * FROM metadata_job WHERE id = $1`, [id])
  return row
}

async function fresh(count: number, address: string) {
  const { contract } = await seedCollection(db.ds.manager, { address, count })
  return contract.id
}

/** Two queued token jobs of a fresh contract, claimed by worker 'w' (the only jobs in the queue). */
async function twoClaimedJobs(address: string): Promise<{ c: string; claimed: ClaimedJob[] }> {
  const c = await fresh(2, address)
  await db.ds.query(`DELETE FROM metadata_job`)
  await enqueueJobs(db.ds.manager, [tokenJob(c, 0), tokenJob(c, 1)], new Date())
  return { c, claimed: await claimJobs(db.ds.manager, 'w', 10, 30_000) }
}

/**
 * Runs `work` in a transaction with a 3 s lock timeout while another connection holds the locks
 * of `holdSql` in an open transaction, committed afterwards: `work` must not wait for them.
 */
async function whileHeld<T>(holdSql: string, params: unknown[], work: (em: EntityManager) => Promise<T>): Promise<T> {
  const other = new Client({ connectionString: db.url })
  await other.connect()
  try {
    await other.query('BEGIN')
    await other.query(holdSql, params)
    const result = await db.ds.transaction(async (em) => {
      await em.query(`SET LOCAL lock_timeout = '3s'`)
      return work(em)
    })
    await other.query('COMMIT')
    return result
  } finally {
    await other.end()
  }
}

describe('job queue', () => {
  it('enqueue merges into one live job per token: priority max, run-at min, version bumped', async () => {
    const c = await fresh(1, '0x0000000000000000000000000000000000000001')
    const later = new Date(Date.now() + 60_000)
    await enqueueJobs(db.ds.manager, [{ ...tokenJob(c, 0, PRIORITY.BACKFILL), runAt: later }], new Date())
    await enqueueJobs(db.ds.manager, [tokenJob(c, 0, PRIORITY.UPDATE_NOTICE), tokenJob(c, 0, PRIORITY.NEW_MINT)], new Date())
    const rows = await db.ds.query(`SELECT * FROM metadata_job WHERE contract_id = $1`, [c])
    expect(rows).toHaveLength(1)
    expect(rows[0].status).toBe('QUEUED')
    expect(rows[0].priority).toBe(PRIORITY.UPDATE_NOTICE)
    expect(rows[0].run_at.getTime()).toBeLessThan(later.getTime())
    expect(rows[0].request_version).toBe(2)
  })

  it('claims highest priority first, and concurrent claims never share a job', async () => {
    const c = await fresh(60, '0x0000000000000000000000000000000000000002')
    const reqs = Array.from({ length: 60 }, (_, i) => tokenJob(c, i, i < 5 ? PRIORITY.USER_REFRESH : PRIORITY.BACKFILL))
    await enqueueJobs(db.ds.manager, reqs, new Date())
    const [a, b, d] = await Promise.all([claimJobs(db.ds.manager, 'w-a', 25, 30_000), claimJobs(db.ds.manager, 'w-b', 25, 30_000), claimJobs(db.ds.manager, 'w-c', 25, 30_000)])
    const all = [...a, ...b, ...d].filter((j) => j.contractId === c)
    expect(new Set(all.map((j) => j.id)).size).toBe(all.length)
    const first = [a, b, d].flat().filter((j) => j.priority === PRIORITY.USER_REFRESH && j.contractId === c)
    expect(first).toHaveLength(5)
    await releaseJobs(
      db.ds.manager,
      'w-a',
      a.map((j) => j.id),
    )
    await releaseJobs(
      db.ds.manager,
      'w-b',
      b.map((j) => j.id),
    )
    await releaseJobs(
      db.ds.manager,
      'w-c',
      d.map((j) => j.id),
    )
    await db.ds.query(`DELETE FROM metadata_job WHERE contract_id = $1`, [c])
  })

  it('a re-request that arrives while the job runs is honoured after it finishes', async () => {
    const c = await fresh(1, '0x0000000000000000000000000000000000000003')
    await db.ds.query(`DELETE FROM metadata_job`)
    await enqueueJobs(db.ds.manager, [tokenJob(c, 0)], new Date())
    const [claimed] = await claimJobs(db.ds.manager, 'w1', 10, 30_000)
    await enqueueJobs(db.ds.manager, [tokenJob(c, 0, PRIORITY.USER_REFRESH)], new Date()) // while it runs
    expect((await job(claimed.id)).status).toBe('RUNNING')
    await settleJobs(db.ds.manager, settings('w1'), [{ job: claimed, ok: true, kind: 'TOKEN', token: fetched('v1') }], new Date())
    const after = await job(claimed.id)
    expect(after.status).toBe('QUEUED')
    expect(after.priority).toBe(PRIORITY.USER_REFRESH)
    const [again] = await claimJobs(db.ds.manager, 'w1', 10, 30_000)
    expect(again.id).toBe(claimed.id)
    await settleJobs(db.ds.manager, settings('w1'), [{ job: again, ok: true, kind: 'TOKEN', token: fetched('v2') }], new Date())
    expect((await job(claimed.id)).status).toBe('DONE')
    const [meta] = await db.ds.query(`SELECT status, name FROM token_metadata WHERE id = $1`, [`${c}:0`])
    expect(meta).toEqual({ status: 'AVAILABLE', name: 'v2' })
  })

  it('retryable errors back off (honouring Retry-After), exhaust into FAILED; permanent errors are INVALID at once', async () => {
    const c = await fresh(2, '0x0000000000000000000000000000000000000004')
    await db.ds.query(`DELETE FROM metadata_job`)
    await enqueueJobs(db.ds.manager, [tokenJob(c, 0), tokenJob(c, 1)], new Date())
    let jobs = await claimJobs(db.ds.manager, 'w1', 10, 30_000)
    const j0 = jobs.find((j) => j.tokenRef === `${c}:0`)!
    const j1 = jobs.find((j) => j.tokenRef === `${c}:1`)!
    const now = new Date()
    await settleJobs(
      db.ds.manager,
      settings('w1'),
      [
        { job: j0, ok: false, host: 'meta.test', error: new RetryableError('rate_limited', '429', { status: 429, retryAfterMs: 45_000 }) },
        { job: j1, ok: false, error: new PermanentError('token_not_found', '404', { status: 404, url: 'https://meta.test/1', body: 'nope' }) },
      ],
      now,
    )
    const r0 = await job(j0.id)
    expect(r0.status).toBe('QUEUED')
    expect(r0.run_at.getTime() - now.getTime()).toBeGreaterThanOrEqual(44_000)
    expect(r0.error_code).toBe('rate_limited')
    const r1 = await job(j1.id)
    expect([r1.status, r1.error_code, r1.error_http_status]).toEqual(['INVALID', 'token_not_found', 404])
    expect((await db.ds.query(`SELECT status, error_code FROM token_metadata WHERE id = $1`, [`${c}:1`]))[0]).toEqual({ status: 'INVALID', error_code: 'token_not_found' })

    // exhaust the retries of j0
    for (let attempt = 2; attempt <= 3; attempt++) {
      await db.ds.query(`UPDATE metadata_job SET run_at = now() WHERE id = $1`, [j0.id])
      jobs = await claimJobs(db.ds.manager, 'w1', 10, 30_000)
      expect(jobs.map((j) => j.id)).toEqual([j0.id])
      await settleJobs(db.ds.manager, settings('w1'), [{ job: jobs[0], ok: false, error: new RetryableError('timeout', 'slow') }], new Date())
    }
    expect((await job(j0.id)).status).toBe('FAILED')
    expect((await db.ds.query(`SELECT status FROM token_metadata WHERE id = $1`, [`${c}:0`]))[0].status).toBe('FAILED')
  })

  it("a dead worker's jobs return to the queue when the lease expires, and its late result is dropped", async () => {
    const c = await fresh(1, '0x0000000000000000000000000000000000000005')
    await db.ds.query(`DELETE FROM metadata_job`)
    await enqueueJobs(db.ds.manager, [tokenJob(c, 0)], new Date())
    const [claimed] = await claimJobs(db.ds.manager, 'dead', 10, 1)
    await new Promise((r) => setTimeout(r, 20))
    expect(await sweepExpiredLeases(db.ds.manager, 5)).toBe(1)
    expect((await job(claimed.id)).status).toBe('QUEUED')
    const [taken] = await claimJobs(db.ds.manager, 'alive', 10, 30_000)
    expect(taken.id).toBe(claimed.id)
    const late = await settleJobs(db.ds.manager, settings('dead'), [{ job: claimed, ok: true, kind: 'TOKEN', token: fetched('stale') }], new Date())
    expect(late.lost).toBe(1)
    await settleJobs(db.ds.manager, settings('alive'), [{ job: taken, ok: true, kind: 'TOKEN', token: fetched('fresh') }], new Date())
    expect((await db.ds.query(`SELECT name FROM token_metadata WHERE id = $1`, [`${c}:0`]))[0].name).toBe('fresh')
  })

  it('settling never waits for a token a reorg rollback is deleting: that outcome is dropped, the others land', async () => {
    const { c, claimed } = await twoClaimedJobs('0x0000000000000000000000000000000000000015')
    // What the processor's rollback of the minting block does: delete the token (its job goes by trigger), uncommitted.
    const summary = await whileHeld(`DELETE FROM token WHERE id = $1`, [`${c}:0`], (em) =>
      settleJobs(
        em,
        settings('w'),
        claimed.map((j) => ({ job: j, ok: true as const, kind: 'TOKEN' as const, token: fetched(`n${j.tokenRef}`) })),
        new Date(),
      ),
    )
    expect(summary).toMatchObject({ done: 1, lost: 1 })
    expect(await db.ds.query(`SELECT token_ref, status FROM metadata_job WHERE contract_id = $1`, [c])).toEqual([{ token_ref: `${c}:1`, status: 'DONE' }])
    expect(await db.ds.query(`SELECT id FROM token_metadata WHERE contract_id = $1`, [c])).toEqual([{ id: `${c}:1` }])
  })

  it('a lease heartbeat skips a job row another transaction holds instead of waiting for it', async () => {
    const { c, claimed } = await twoClaimedJobs('0x0000000000000000000000000000000000000016')
    // What a settle of the same worker holds while it writes an outcome.
    const extended = await whileHeld(`SELECT id FROM metadata_job WHERE id = $1 FOR UPDATE`, [`token:${c}:0`], (em) =>
      extendLeases(
        em,
        'w',
        claimed.map((j) => j.id),
        120_000,
      ),
    )
    expect(extended).toBe(1)
    const leases = await db.ds.query(`SELECT id, locked_until > now() + interval '60 seconds' AS extended FROM metadata_job WHERE contract_id = $1 ORDER BY id`, [c])
    expect(leases).toEqual([
      { id: `token:${c}:0`, extended: false },
      { id: `token:${c}:1`, extended: true },
    ])
  })

  it('counts jobs by status from counters, matching a COUNT over the table', async () => {
    await db.ds.query(`SELECT compact_counters()`)
    const counters = await db.ds.query(`SELECT name, total::int AS n FROM counter WHERE scope = 'job' AND total <> 0 ORDER BY name`)
    const actual = await db.ds.query(`SELECT status AS name, count(*)::int AS n FROM metadata_job GROUP BY status ORDER BY status`)
    expect(counters).toEqual(actual)
  })
})

describe('host slots', () => {
  it('never lets more than the cap fetch from one host across workers, and a 429 cooldown pauses it for all', async () => {
    const cap = 3
    const a = new HostSlots(db.ds.manager, { workerId: 'a', capPerHost: cap, leaseMs: 10_000, waitMs: 3000 })
    const b = new HostSlots(db.ds.manager, { workerId: 'b', capPerHost: cap, leaseMs: 10_000, waitMs: 3000 })
    let inFlight = 0
    let peak = 0
    const fetchOnce = async (slots: HostSlots) => {
      const s = await slots.acquire('slow.test')
      if (!s.ok) return s.reason
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((r) => setTimeout(r, 30))
      inFlight--
      s.release()
      return 'ok'
    }
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => fetchOnce(i % 2 ? a : b)))
    expect(peak).toBeLessThanOrEqual(cap)
    expect(results.filter((r) => r === 'ok').length).toBeGreaterThan(0)

    await a.cooldown('slow.test', 60_000)
    await b.heartbeat()
    const blocked = await b.acquire('slow.test')
    expect(blocked.ok).toBe(false)
    expect(!blocked.ok && blocked.reason).toBe('cooldown')
    await a.releaseAll()
    await b.releaseAll()
  })
})

describe('job runner', () => {
  it('runs every job exactly once to completion and wakes on NOTIFY, not on its poll interval', async () => {
    const c = await fresh(300, '0x0000000000000000000000000000000000000006')
    await db.ds.query(`DELETE FROM metadata_job`)
    const runs = new Map<string, number>()
    const handler = async (j: ClaimedJob): Promise<JobOutcome> => {
      runs.set(j.id, (runs.get(j.id) ?? 0) + 1)
      await new Promise((r) => setTimeout(r, 2))
      return { job: j, ok: true, kind: 'TOKEN', host: 'meta.test', token: fetched(j.tokenRef!) }
    }
    // A poll interval longer than the test: only a notification can start the jobs.
    const runner = new JobRunner(db.ds, db.url, handler, { ...settings('runner'), concurrency: 20, hostCap: 10, pollMs: 600_000 }, silentLogger())
    await runner.start()
    await enqueueJobs(
      db.ds.manager,
      Array.from({ length: 300 }, (_, i) => tokenJob(c, i)),
      new Date(),
    )
    try {
      let done = 0
      await waitFor(
        'the 300 jobs DONE',
        async () => {
          ;[{ n: done }] = await db.ds.query(`SELECT count(*)::int AS n FROM metadata_job WHERE contract_id = $1 AND status = 'DONE'`, [c])
          return done === 300
        },
        150_000,
        50,
        () => `${done} of 300 jobs DONE`,
      )
    } finally {
      await runner.stop()
    }
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM token_metadata WHERE contract_id = $1 AND status = 'AVAILABLE'`, [c])
    expect(n).toBe(300)
    expect([...runs.values()].every((v) => v === 1)).toBe(true)
    const [{ attrs }] = await db.ds.query(`SELECT count(*)::int AS attrs FROM token_attribute WHERE contract_id = $1 AND trait_type = 'Level'`, [c])
    expect(attrs).toBe(300)
  })
})
