import type { DataSource, QueryRunner } from 'typeorm'
import { waitFor } from './waitFor'

/**
 * Two real transactions on one database, interleaved by the test as two workers' (or a worker's
 * and an API call's) would be: the way to show a race deterministically, without timing.
 */
export interface RacingTransaction {
  runner: QueryRunner
  pid: number
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }

/** Opens `count` transactions; `run` gets them, and they are released (rolled back if still open) after. */
export async function withRacingTransactions<T>(ds: DataSource, count: number, run: (txs: RacingTransaction[]) => Promise<T>): Promise<T> {
  const runners = Array.from({ length: count }, () => ds.createQueryRunner())
  try {
    const txs: RacingTransaction[] = []
    for (const runner of runners) {
      await runner.startTransaction()
      // a statement stuck behind a lock fails, naming it, before the test's timeout (a safety net, as waitFor's)
      await runner.query(`SET LOCAL lock_timeout = '45s'`)
      const [row] = await runner.query(`SELECT pg_backend_pid() AS pid`)
      txs.push({ runner, pid: row.pid })
    }
    return await run(txs)
  } finally {
    for (const r of runners) {
      if (r.isTransactionActive) await r.rollbackTransaction()
      await r.release()
    }
  }
}

/**
 * Starts `op` (on `behind`) while `ahead` is still open, and returns once `op` has either
 * finished or is waiting for a lock `ahead` holds: `waited` says which. The test then decides
 * the commit order.
 */
export async function startBehind<T>(
  ds: DataSource,
  ahead: RacingTransaction,
  behind: RacingTransaction,
  op: () => Promise<T>,
): Promise<{ waited: boolean; outcome: Promise<Settled<T>> }> {
  let done = false
  const outcome = op().then(
    (value): Settled<T> => ((done = true), { ok: true, value }),
    (error): Settled<T> => ((done = true), { ok: false, error }),
  )
  const waited = await waitFor(`the operation of backend ${behind.pid} to wait for backend ${ahead.pid} or to finish`, async () => {
    if (done) return 'finished'
    const [row] = await ds.query(`SELECT $2::int = ANY(pg_blocking_pids($1::int)) AS waits`, [behind.pid, ahead.pid])
    return row.waits ? 'waited' : undefined
  })
  return { waited: waited === 'waited', outcome }
}
