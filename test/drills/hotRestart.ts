/**
 * A targeted probe the crash drill runs after its random kills, on the mechanism those kills
 * exposed: when the evm-processor restarts, Subsquid applies its hot blocks again. At the head it
 * hands over the top block once more ("navigating a fork between N#h to N#h"; HotProcessor treats
 * a head height equal to its own as unknown); behind the head, TypeormDatabase.transact rolls every
 * hot block back before applying the now-final blocks. Either way the same blocks are rolled back
 * and re-applied, and nothing the workers or the API did since may be undone or redone:
 *
 * 1. At the head: tokens minted in the head block, a user refresh created for them (the store
 *    function the refresh APIs call), the processor SIGKILLed and restarted. The jobs must keep the
 *    refresh's version and priority, and the refresh must complete once a worker runs.
 * 2. Behind the head: tokens minted in a hot block and fetched; the processor SIGKILLed, 8 blocks
 *    mined while it is down, then restarted. Their metadata and finished jobs must stay as they
 *    were: nothing deleted, no document fetched again.
 */
import type { Client as PgClient } from 'pg'
import { Client } from 'pg'
import { startMetadataHost } from '../helpers/metadataHost'
import { createRefresh } from '../../src/store/refreshes'
import { EVM_CHAIN, evmChainsEnv } from './chains'
import { indexedHeight, waitForProcessorAt, waitQuiet, type DrillContext } from './context'
import { DrillCollection } from './evmCollection'
import { Fleet } from './processes'
import { check, type Check } from './report'
import { deploymentEnv, roleSpecs } from './roles'
import { sleep, waitFor } from './runtime'

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
    const colB = await DrillCollection.deploy(chain, host, 'HotB')
    await col.mint(chain.driver.accounts[1], 3)
    const head = await chain.head()
    const env = deploymentEnv({
      databaseUrl: db.url,
      evmChains: evmChainsEnv(chain.rpcUrl, { finality: 5, startBlock: col.deployBlock, contracts: [col.address, colB.address] }),
      allowHosts: [`127.0.0.1:${host.port}`],
    })
    const [procSpec, workerSpec] = roleSpecs({ env, evmProcessor: true, workers: 1 })
    const proc = fleet.add({ ...procSpec, restartDelayMs: () => 300 })
    proc.start()
    await waitForProcessorAt(db, proc, head)
    await sleep(500)

    // A user refresh of the three tokens, in its own transaction, as the refresh APIs do it.
    client = new Client({ connectionString: db.url })
    await client.connect()
    const c = client
    const exec = { query: async (sql: string, params?: unknown[]) => (await c.query(sql, params as unknown[])).rows }
    await c.query('BEGIN')
    const { id: refreshId } = await createRefresh(exec, { surface: 'graphql', chain: EVM_CHAIN, contractId: col.contractId, tokenIds: [0n, 1n, 2n] }, new Date())
    await c.query('COMMIT')
    const jobs = async () => await db.q<JobRow>(`SELECT id, status, priority, request_version FROM metadata_job WHERE kind = 'TOKEN' ORDER BY id`)
    const before = await jobs()
    log(`refresh ${refreshId} created; jobs ${JSON.stringify(before.map((j) => [j.status, j.priority, j.request_version]))}`)

    const forks = () => (proc.tail(300).match(/navigating a fork/g) ?? []).length
    const forksBefore = forks()
    await proc.kill('SIGKILL')
    await waitFor(
      'the processor restarted and at the head',
      async () => proc.alive && (await indexedHeight(db, EVM_CHAIN)) >= head,
      60_000,
      100,
      () => proc.tail(),
    )
    // If the head block is handed over again, it happens at the first head poll after the restart.
    const reprocessed = await waitFor('the restarted processor to re-apply the head block', async () => forks() > forksBefore, 15_000, 100).then(
      () => true,
      () => false,
    )
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
      "a refresh requested while its tokens' block is hot survives a processor restart (jobs keep its version and priority)",
      kept,
      `before the restart ${before.map((j) => `v${j.request_version}/p${j.priority}`).join(' ')}; after ${after.map((j) => `v${j.request_version}/p${j.priority}`).join(' ')}${reprocessed ? ' (log: "navigating a fork" onto the same head block)' : ''}`,
    )
    check(
      checks,
      'that refresh completes once a worker runs',
      refresh?.status === 'COMPLETED' && refresh.pending === 0,
      `refresh ${refresh?.status}, items: ${refresh?.succeeded ?? 0} succeeded, ${refresh?.pending ?? '?'} still PENDING after the queue drained`,
    )

    // Scenario 2: tokens minted in a hot block and already fetched; the processor is killed, the
    // chain moves on past the finality depth while it is down, and it restarts behind the head.
    // Subsquid then rolls its hot blocks back and applies them again as final blocks: the same
    // blocks, so nothing the workers did for those tokens may be undone or done again.
    await colB.mint(chain.driver.accounts[1], 3)
    const headB = await chain.head()
    await waitQuiet(db, 'hot-restart probe, scenario 2', { [EVM_CHAIN]: headB }, 60_000, () => fleet.tails())
    const snapshot = async () =>
      db.q<{ id: string; fetched: Date | null; status: string; v: number }>(
        `SELECT t.id, m.last_fetched_at AS fetched, j.status, j.request_version AS v
           FROM token t LEFT JOIN token_metadata m ON m.id = t.id LEFT JOIN metadata_job j ON j.id = 'token:' || t.id
          WHERE t.contract_id = $1 ORDER BY t.id`,
        [colB.contractId],
      )
    const fetchesB = () => host.requests.filter((q) => q.url.startsWith(colB.pathPrefix)).length
    const beforeB = await snapshot()
    const fetchesBefore = fetchesB()
    await proc.kill('SIGKILL', true)
    await chain.driver.mine(8)
    const headC = await chain.head()
    proc.start()
    await waitQuiet(db, 'hot-restart probe, after the restart behind the head', { [EVM_CHAIN]: headC }, 60_000, () => fleet.tails())
    await sleep(500)
    const afterB = await snapshot()
    const fetchesAfter = fetchesB()
    const show = (rows: typeof beforeB) =>
      rows
        .map((x) => `${x.id.split(':').pop()} ${x.status ?? 'no job'} v${x.v ?? '-'} ${x.fetched ? `fetched ${x.fetched.toISOString().slice(11, 23)}` : 'no metadata'}`)
        .join(', ')
    check(
      checks,
      'tokens of hot blocks keep their metadata and finished jobs when the processor restarts behind the head (hot blocks re-applied unchanged: nothing deleted, nothing fetched again)',
      beforeB.length === 3 && JSON.stringify(afterB) === JSON.stringify(beforeB) && fetchesAfter === fetchesBefore,
      `before: ${show(beforeB)}; after: ${show(afterB)}; documents fetched ${fetchesBefore} → ${fetchesAfter}`,
    )
    await fleet.stopAll()
    return {
      checks,
      figures: [
        [
          'hot-restart probe: refresh',
          `${before.length} tokens`,
          `refresh at v${before[0]?.request_version}; after processor SIGKILL + restart at the head: v${after[0]?.request_version}, refresh ${refresh?.status}`,
        ],
        ['hot-restart probe: restart behind the head', `${beforeB.length} tokens`, `fetched documents ${fetchesBefore} → ${fetchesAfter} after the restart`],
      ],
      faults: [
        'SIGKILL evm-processor with a user refresh pending on tokens of the head (hot) block',
        'SIGKILL evm-processor, 8 blocks mined while it is down, restart behind the head',
      ],
    }
  } finally {
    await client?.end().catch(() => undefined)
    await fleet.stopAll().catch(() => undefined)
    await db.close()
    await host.close()
  }
}
