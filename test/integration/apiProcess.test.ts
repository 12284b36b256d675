// The API server as its own process (node lib/main/api.js): SIGTERM stops it gracefully, once.
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../helpers/database'
import { startProcess, waitFor } from '../helpers/processes'

const db = useTestDatabase()

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('API process', () => {
  it('SIGTERM: one graceful shutdown, exit code 0', async () => {
    const port = await freePort()
    const api = startProcess('api', [], { DATABASE_URL: db.url, API_HOST: '127.0.0.1', API_PORT: String(port), EVM_CHAINS: '[]' })
    try {
      await waitFor(
        'the API to answer',
        async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200,
        30_000,
        100,
        () => api.output(),
      )
      expect(await api.stop('SIGTERM', 15_000)).toBe(0)
      expect(api.output().match(/shutting down/g), api.output()).toHaveLength(1)
    } finally {
      await api.kill()
    }
  })
})
