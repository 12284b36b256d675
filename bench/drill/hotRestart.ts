/**
 * A targeted probe the crash drill runs after its random kills, because they revealed the
 * mechanism: when the evm-processor restarts at the chain head, Subsquid hands it the top hot
 * block again ("navigating a fork between N#h to N#h"), TypeormDatabase rolls that block back
 * from hot_change_log and applies it again. The rollback restores every metadata_job row the
 * block touched to its image from before the block, so whatever happened to the row since
 * (a worker's completion, a user refresh merged into it) is undone.
 *
 * Deterministic: tokens minted in the head block, a user refresh created for them (the store
 * function the refresh APIs call), the processor SIGKILLed and restarted, then a worker. The
 * refresh must complete; the jobs must keep the refresh's version and priority.
 */
import type { Client as PgClient } from 'pg'
import { Client } from 'pg'
import { startMetadataHost } from '../../test/helpers/metadataHost'
import type * as RefreshesModule from '../../src/store/refreshes'
import { EVM_CHAIN, evmChainsEnv } from './chains'
import { indexedHeight, waitQuiet, type DrillContext } from './context'
import { DrillCollection } from './evmCollection'
import { Fleet } from './processes'
import { check, type Check } from './report'
import { deploymentEnv, roleSpecs } from './roles'
import { lib, sleep, waitFor } from './runtime'

export interface HotRestartOutcome {
  checks: Check[]
  figures: [string, string, string][]
  faults: string[]
}

interface JobRow {
  id: string
  status: string
  priority: number
  request_version: number
}

export async function runHotRestartProbe(ctx: DrillContext, logDir: string): Promise<HotRestartOutcome> {
  const log = (m: string) => ctx.log(`[crash/hot-restart] ${m}`)
  const checks: Check[] = []
  const chain = await ctx.evm()
  const host = await startMetadataHost()
  const fleet = new Fleet(logDir, log)
  const db = await ctx.pg.createDatabase('drill_hot_restart')
  let client: PgClient | undefined
  try {
    const col = await DrillCollection.deploy(chain, host, 'Hot')
    await col.mint(chain.driver.accounts[1], 3)
    const head = await chain.head()
    const env = deploymentEnv({ databaseUrl: db.url, evmChains: evmChainsEnv(chain.rpcUrl, { finality: 5, startBlock: col.deployBlock, contracts: [col.address] }), allowHosts: [`127.0.0.1:${host.port}`] })
    const [procSpec, workerSpec] = roleSpecs({ env, evmProcessor: true, workers: 1 })
    const proc = fleet.add({ ...procSpec, restartDelayMs: () => 300 })
    proc.start()
    await waitFor('the processor at the head', async () => (await indexedHeight(db, EVM_CHAIN)) >= head, 60_000, 100, () => proc.tail())
    await sleep(500)

    // A user refresh of the three tokens, in its own transaction, as the refresh APIs do it.
    const { createRefresh } = lib<typeof RefreshesModule>('store/refreshes')
    client = new Client({ connectionString: db.url })
    await client.connect()
    const c = client
    const exec = { query: async (sql: string, params?: unknown[]) => (await c.query(sql, params as unknown[])).rows }
    await c.query('BEGIN')
    const refreshId = await createRefresh(exec, { surface: 'graphql', chain: EVM_CHAIN, contractId: col.contractId, tokenIds: [0n, 1n, 2n] }, new Date())
    await c.query('COMMIT')
    const jobs = async () => (await db.q<JobRow>(`SELECT id, status, priority, request_version FROM metadata_job WHERE kind = 'TOKEN' ORDER BY id`))
    const before = await jobs()
    log(`refresh ${refreshId} created; jobs ${JSON.stringify(before.map((j) => [j.status, j.priority, j.request_version]))}`)

    const forks = () => (proc.tail(300).match(/navigating a fork/g) ?? []).length
    const forksBefore = forks()
    await proc.kill('SIGKILL')
    await waitFor('the processor restarted and at the head', async () => proc.alive && (await indexedHeight(db, EVM_CHAIN)) >= head, 60_000, 100, () => proc.tail())
    // If the head block is handed over again, it happens at the first head poll after the restart.
    const reprocessed = await waitFor('the restarted processor to re-apply the head block', async () => forks() > forksBefore, 15_000, 100).then(() => true, () => false)
    await sleep(1000)
    const after = await jobs()
    log(`after restart (head block re-applied: ${reprocessed}): ${JSON.stringify(after.map((j) => [j.status, j.priority, j.request_version]))}`)

    const worker = fleet.add(workerSpec)
    worker.start()
    await waitQuiet(db, 'hot-restart probe', { [EVM_CHAIN]: head }, 60_000, () => fleet.tails())
    await sleep(300)
    const [refresh] = await db.q<{ status: string; pending: number; succeeded: number }>(
      `SELECT r.status, count(*) FILTER (WHERE i.status = 'PENDING')::int AS pending, count(*) FILTER (WHERE i.status = 'SUCCEEDED')::int AS succeeded
         FROM refresh r JOIN refresh_item i ON i.refresh_id = r.id WHERE r.id = $1 GROUP BY r.status`,
      [refreshId],
    )
    const kept = after.every((j, i) => j.request_version >= before[i].request_version && j.priority >= before[i].priority)
    check(
      checks,
      'a refresh requested while its tokens\' block is hot survives a processor restart (jobs keep its version and priority)',
      kept,
      `before the restart ${before.map((j) => `v${j.request_version}/p${j.priority}`).join(' ')}; after ${after.map((j) => `v${j.request_version}/p${j.priority}`).join(' ')}${reprocessed ? ' (log: "navigating a fork" onto the same head block)' : ''}`,
    )
    check(checks, 'that refresh completes once a worker runs', refresh?.status === 'COMPLETED' && refresh.pending === 0, `refresh ${refresh?.status}, items: ${refresh?.succeeded ?? 0} succeeded, ${refresh?.pending ?? '?'} still PENDING after the queue drained`)
    await fleet.stopAll()
    return {
      checks,
      figures: [['hot-restart probe', `${before.length} tokens`, `refresh at v${before[0]?.request_version}; after processor SIGKILL + restart: v${after[0]?.request_version}, refresh ${refresh?.status}`]],
      faults: ['SIGKILL evm-processor with a user refresh pending on tokens of the head (hot) block'],
    }
  } finally {
    await client?.end().catch(() => undefined)
    await fleet.stopAll().catch(() => undefined)
    await db.close()
    await host.close()
  }
}
