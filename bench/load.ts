/**
 * Bare HTTP load on the benchmark's metadata host, run as a child process (fork, IPC): keeps
 * `concurrency` GET requests in flight over an undici Agent with as many keep-alive connections
 * (the worker's fetcher is undici too) until `count` responses or `timeLimitMs`, and reports the
 * served rate. This is the host's actual ceiling at that concurrency on this machine.
 *
 *   args: <base url> <concurrency> <count> <timeLimitMs>
 */
import { Agent, request } from 'undici'

async function main(): Promise<void> {
  const [base, c, n, limit] = process.argv.slice(2)
  const concurrency = Number(c)
  const count = Number(n)
  const deadline = performance.now() + Number(limit)
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 60_000 })
  // warm-up: open the connections
  await Promise.all(Array.from({ length: concurrency }, (_, i) => request(`${base}/t/warm/${i}`, { dispatcher: agent }).then((r) => r.body.text())))
  let next = 0
  let done = 0
  let failed = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && performance.now() < deadline) {
        const i = next++
        try {
          const r = await request(`${base}/t/load/${i}`, { dispatcher: agent })
          await r.body.text()
          if (r.statusCode === 200) done++
          else failed++
        } catch {
          failed++
        }
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  await agent.close()
  process.send?.({ done, failed, seconds, rate: done / seconds })
}

main().then(
  () => process.disconnect?.(),
  (e: unknown) => {
    process.send?.({ error: String(e) })
    process.exit(1)
  },
)
