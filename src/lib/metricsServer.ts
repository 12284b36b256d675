import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Metrics } from './metrics'

/**
 * GET /metrics for processes without an HTTP server of their own (processors, workers).
 * `extra` appends another registry's exposition text (Subsquid's processor metrics).
 */
export async function startMetricsServer(metrics: Metrics, port: number, extra?: () => Promise<string>): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    void Promise.all([metrics.render(), extra?.() ?? ''])
      .then(([ours, theirs]) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType })
        res.end(ours + '\n' + theirs)
      })
      .catch((e: unknown) => res.writeHead(500).end(String(e)))
  })
  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
