/**
 * Child entry of the API benchmarks (started by bench/httpLoad.ts startApiServer): the API server
 * built from lib/ on DATABASE_URL, listening on a free port it reports to the parent over IPC.
 * BENCH_STATUS_CACHE_MS: status snapshot reuse (0 = computed per request); BENCH_POOL_SIZE.
 */
import { buildApiServer } from '../src/api/server'
import { loadConfig } from '../src/config'
import { createLogger } from '../src/lib/logger'
import { Metrics } from '../src/lib/metrics'
import { openDataSource } from '../src/store/dataSource'

async function serve(): Promise<void> {
  const config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    EVM_CHAINS: JSON.stringify([
      { chain: 'eip155:1', rpcUrl: 'http://127.0.0.1:9' },
      { chain: 'eip155:137', rpcUrl: 'http://127.0.0.1:9' },
    ]),
    STACKS_CHAIN: 'stacks:1',
    DB_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '10',
    LOG_LEVEL: 'warn',
    // The load comes from one address at many times an explorer's rate: the read limit is not what is measured.
    READ_LIMIT_PER_IP: '100000000',
  })
  const ds = await openDataSource(config.DATABASE_URL!, config.DB_POOL_SIZE)
  const app = await buildApiServer({ config, ds, log: createLogger('warn'), metrics: new Metrics(), statusCacheMs: Number(process.env.BENCH_STATUS_CACHE_MS ?? 0) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address() as { port: number }
  process.send!({ port: address.port })
  // Exit at once: nothing here needs a graceful stop, and app.close() after SIGTERM never resolves
  // in this process (Apollo Server stops itself on SIGTERM and sends the signal again).
  process.on('SIGTERM', () => process.exit(0))
  // the parent died without stopping us: do not outlive it
  process.on('disconnect', () => process.exit(0))
}

serve().catch((err: unknown) => {
  process.stderr.write(`API server failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
