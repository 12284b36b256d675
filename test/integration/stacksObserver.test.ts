// The event-observer role (`node lib/main/stacks-observer.js`) as a stacks-node sees it: every
// request answered 200 only once stored, retried by the node until then; SIGKILLed in the middle
// of the epoch-3 recording's stream, it loses nothing and stores nothing twice.
import net from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEventArchive, type ArchiveRequest } from '../../src/chains/stacks/node/eventArchive'
import { storedBlocks } from '../../src/store/stacksNodeBlocks'
import { useTestDatabase } from '../helpers/database'
import { waitForIndexed } from '../helpers/indexer'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'

const CHAIN = 'stacks:2147483648'
const RECORDING = path.resolve(__dirname, '../fixtures/stacks-node-events/epoch-3-transition.tsv.gz')
const db = useTestDatabase()
const running: RunningProcess[] = []
let port: number
let requests: ArchiveRequest[]

beforeAll(async () => {
  port = await freePort()
  const archive = await openEventArchive(RECORDING)
  requests = []
  for await (const r of archive.requests) requests.push(r)
})
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()))
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as net.AddressInfo
      s.close(() => resolve(p))
    })
  })
}

function startObserver(): RunningProcess {
  const p = startProcess('stacks-observer', [], { DATABASE_URL: db.url, STACKS_CHAIN: CHAIN, STACKS_OBSERVER_PORT: String(port) })
  running.push(p)
  return p
}

async function post(r: { path: string; body: string }): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${r.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: r.body })
    await res.arrayBuffer()
    return res.status
  } catch {
    return undefined // connection refused or reset: the node retries
  }
}

/** What a stacks-node does with each request: send it again until it is answered 200. */
async function deliver(r: ArchiveRequest): Promise<void> {
  await waitFor(`observer to accept request ${r.id} (${r.path})`, async () => (await post(r)) === 200, 60_000, 50)
}

async function stored() {
  return storedBlocks(db.ds, CHAIN)
}

describe('Stacks event observer', () => {
  it('SIGKILLed mid-stream with a request in flight, then restarted: the node retries and every block is stored exactly once', async () => {
    const observer = startObserver()
    const cut = 120
    for (const r of requests.slice(0, cut)) await deliver(r)
    // a request in flight when the process dies: it may or may not have been committed
    const inFlight = post(requests[cut])
    await observer.kill()
    await inFlight
    startObserver() // the restarted observer, on the same port
    // the node did not get answers for the last few: it sends them again, then carries on
    for (const r of requests.slice(cut - 5)) await deliver(r)

    const blocks = await stored()
    const firstSeen = new Map<string, string>()
    for (const r of requests) {
      if (r.path !== '/new_block') continue
      const hash = (JSON.parse(r.body) as { index_block_hash: string }).index_block_hash
      if (!firstSeen.has(hash)) firstSeen.set(hash, r.body)
    }
    expect(blocks).toHaveLength(firstSeen.size)
    expect(firstSeen.size).toBe(51)
    for (const b of blocks) expect(b.payload).toBe(firstSeen.get(b.indexBlockHash))
    expect(blocks.filter((b) => b.canonical).map((b) => b.height)).toEqual(Array.from({ length: 51 }, (_, i) => i))

    const proc = startProcess('stacks-processor', [], {
      DATABASE_URL: db.url,
      STACKS_SOURCE: 'node',
      STACKS_CHAIN: CHAIN,
      STACKS_START_HEIGHT: '0',
      STACKS_POLL_MS: '50',
      STACKS_SUPPLY_CHECK_SECONDS: '0',
    })
    running.push(proc)
    await waitForIndexed(db.ds, CHAIN, 50, proc)
  })

  it('stores a 40 MB block (real blocks with their events are large)', async () => {
    const [genesis] = requests.filter((r) => r.path === '/new_block')
    const big = JSON.parse(genesis.body) as Record<string, unknown>
    // on top of the recording's tip, so the processor still running from the first test indexes it too
    const [tip] = await db.ds.query(`SELECT index_block_hash AS h, height FROM stacks_node_block WHERE chain = $1 AND canonical ORDER BY height DESC LIMIT 1`, [CHAIN])
    big.index_block_hash = '0x' + 'ab'.repeat(32)
    big.parent_index_block_hash = tip.h
    big.block_height = tip.height + 1
    big.padding = 'x'.repeat(40 * 1024 * 1024)
    expect(await post({ path: '/new_block', body: JSON.stringify(big) })).toBe(200)
    const kept = (await stored()).find((b) => b.indexBlockHash === big.index_block_hash)
    expect(kept?.payload.length).toBe(JSON.stringify(big).length)
  })

  it('acknowledges requests it does not store, unknown paths included, and refuses a /new_block body that is not one', async () => {
    // (the observer restarted by the first test is still running)
    const before = (await stored()).length
    expect(await post({ path: '/new_mempool_tx', body: '["0x00"]' })).toBe(200)
    expect(await post({ path: '/new_burn_block', body: '{}' })).toBe(200)
    expect(await post({ path: '/some_future_path', body: '{}' })).toBe(200)
    expect(await post({ path: '/new_block', body: '{"block_height": 1}' })).toBe(400)
    expect(await post({ path: '/new_block', body: 'not json' })).toBe(400)
    expect((await stored()).length).toBe(before)
  })
})
