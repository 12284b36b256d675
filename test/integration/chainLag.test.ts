// Chain head and lag from the processes themselves: the API, a worker and both chain processors
// run as their own processes (lib/main) over one database, on the local hardhat chain and the
// Stacks simulator. Nothing is injected: the heads on every status surface are the ones the
// processors and the worker recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/lib/net'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { useHardhatChain } from '../helpers/evmChain'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { useStacksSimulator } from '../helpers/stacksSimulator'

const chain = useHardhatChain()
const stacks = useStacksSimulator()
const EVM = 'eip155:31337'
const STX = 'stacks:2147483648'
const EVM_FINALITY = 5
const STX_FINALITY = 6
const MAX_LAG = 20

let db: TestDatabase
let apiUrl: string
/** A second API whose silence limit is 1 s (and lag limit out of reach): it names the processors check. */
let strictUrl: string
const running: RunningProcess[] = []
const processors = new Map<string, RunningProcess>()

function env(): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    EVM_CHAINS: JSON.stringify([{ chain: EVM, rpcUrl: chain.rpcUrl, finality: EVM_FINALITY, headPollMs: 50 }]),
    STACKS_API_URL: stacks.sim.url,
    STACKS_CHAIN: STX,
    STACKS_POLL_MS: '50',
    STACKS_FINALITY: String(STX_FINALITY),
    PROGRESS_INTERVAL_MS: '200',
    READY_MAX_LAG_BLOCKS: String(MAX_LAG),
    READY_MAX_SILENCE_SECONDS: '600',
    API_HOST: '127.0.0.1',
  }
}

function start(entry: string, args: string[] = [], extra: Record<string, string> = {}): RunningProcess {
  const p = startProcess(entry, args, { ...env(), ...extra })
  running.push(p)
  return p
}

function startProcessor(which: 'evm' | 'stacks'): RunningProcess {
  const p = which === 'evm' ? start('evm-processor', [EVM]) : start('stacks-processor')
  processors.set(which, p)
  return p
}

function logs(): string {
  return running.map((p) => p.output().split('\n').slice(-15).join('\n')).join('\n---\n')
}

interface ChainStatus {
  chain: string
  indexedHeight: number | null
  chainHeight: number | null
  lag: number | null
  newestBlockAgeSeconds: number | null
  processorLastSeenAt: string | null
}

async function status(chainId: string, url = apiUrl): Promise<ChainStatus> {
  const body = (await (await fetch(`${url}/status`)).json()) as { chains: ChainStatus[] }
  return body.chains.find((c) => c.chain === chainId)!
}

async function ready(url = apiUrl): Promise<{ code: number; body: { status: string; failed: string[]; checks: Record<string, { ok: boolean; detail?: string }> } }> {
  const r = await fetch(`${url}/ready`)
  return { code: r.status, body: (await r.json()) as never }
}

async function waitForStatus(what: string, chainId: string, ok: (c: ChainStatus) => boolean, url = apiUrl): Promise<ChainStatus> {
  return waitFor(
    what,
    async () => {
      const c = await status(chainId, url).catch(() => undefined)
      return c && ok(c) ? c : undefined
    },
    90_000,
    100,
    logs,
  )
}

async function waitForReady(url = apiUrl): Promise<Awaited<ReturnType<typeof ready>>> {
  return waitFor(
    `${url}/ready to answer 200`,
    async () => {
      const r = await ready(url).catch(() => undefined)
      return r?.code === 200 ? r : undefined
    },
    90_000,
    100,
    logs,
  )
}

async function gql(query: string): Promise<{ chains: { chain: string; chainHeight: number | null; lag: number | null }[] }> {
  const r = await fetch(`${apiUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  return ((await r.json()) as { data: { status: { chains: { chain: string; chainHeight: number | null; lag: number | null }[] } } }).data.status
}

beforeAll(async () => {
  db = await createTestDatabase()
  const [port, strictPort] = [await freePort(), await freePort()]
  apiUrl = `http://127.0.0.1:${port}`
  strictUrl = `http://127.0.0.1:${strictPort}`
  await chain.driver.mine(3)
  start('api', [], { API_PORT: String(port) })
  start('api', [], { API_PORT: String(strictPort), READY_MAX_SILENCE_SECONDS: '1', READY_MAX_LAG_BLOCKS: '1000000' })
  start('worker')
  startProcessor('evm')
  startProcessor('stacks')
}, 120_000)

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()))
  await db?.drop()
})

/** Waits until the chain is indexed to its head and the API shows both at that height. */
async function atHead(chainId: string, head: number): Promise<void> {
  await waitForStatus(`${chainId} indexed to its head ${head}`, chainId, (c) => c.indexedHeight === head && c.chainHeight === head)
}

describe('chain head and lag', { timeout: 150_000 }, () => {
  it('at the head both chains show their height, zero lag, the newest block age and the processor heartbeat, and /ready answers 200', async () => {
    await atHead(EVM, Number(await chain.driver.blockNumber()))
    await atHead(STX, stacks.sim.tip().height)
    for (const id of [EVM, STX]) {
      const c = await status(id)
      expect(c.lag, id).toBe(0)
      expect(c.newestBlockAgeSeconds, id).toEqual(expect.any(Number))
      expect(c.processorLastSeenAt, id).toEqual(expect.any(String))
    }
    expect((await waitForReady()).body).toMatchObject({ status: 'ready', failed: [] })
  })

  it('EVM processor stopped, 50 blocks mined: every surface shows a lag of 50 and /ready answers 503 naming the lag check', async () => {
    const head = Number(await chain.driver.blockNumber())
    await atHead(EVM, head)
    await processors.get('evm')!.stop()
    await chain.driver.mine(50)
    const c = await waitForStatus('the worker to record the new EVM head', EVM, (s) => s.chainHeight === head + 50)
    expect([c.indexedHeight, c.chainHeight, c.lag]).toEqual([head, head + 50, 50])
    const r = await ready()
    expect(r.code).toBe(503)
    expect(r.body.status).toBe('not_ready')
    expect(r.body.failed).toEqual(['lag'])
    expect(r.body.checks.lag.detail).toBe(`${EVM} is 50 blocks behind its head`)
    expect((await gql('{ status { chains { chain chainHeight lag } } }')).chains.find((x) => x.chain === EVM)).toEqual({ chain: EVM, chainHeight: head + 50, lag: 50 })
    const metrics = await (await fetch(`${apiUrl}/metrics`)).text()
    expect(metrics).toMatch(new RegExp(`tms_chain_lag_blocks\\{[^}]*chain="${EVM}"[^}]*\\} 50\\n`))
    expect(metrics).toMatch(new RegExp(`tms_chain_height\\{[^}]*chain="${EVM}"[^}]*\\} ${head + 50}\\n`))
  })

  it('a processor silent longer than READY_MAX_SILENCE_SECONDS fails the processors check', async () => {
    expect(processors.get('evm')!.child.exitCode).not.toBeNull()
    // On a loaded machine the running Stacks processor may miss the strict 1 s for a moment too:
    // wait for the answer that names the stopped processor alone.
    const onlyEvm = new RegExp(`^${EVM} processor silent for \\d+ s$`)
    const r = await waitFor(
      'the strict API to see the EVM processor, and it alone, silent',
      async () => {
        const x = await ready(strictUrl)
        return x.code === 503 && onlyEvm.test(x.body.checks.processors?.detail ?? '') ? x : undefined
      },
      90_000,
      100,
      logs,
    )
    expect(r.body.failed).toEqual(['processors'])
    expect(r.body.checks.processors.detail).toMatch(onlyEvm)
  })

  it('EVM processor restarted: the lag returns to at most the finality depth and /ready recovers', async () => {
    startProcessor('evm')
    const head = Number(await chain.driver.blockNumber())
    // /ready passes at a lag of READY_MAX_LAG_BLOCKS (20), while the processor may still be catching up
    const c = await waitForStatus(`the EVM lag to come within the finality depth at head ${head}`, EVM, (x) => x.chainHeight === head && x.lag !== null && x.lag <= EVM_FINALITY)
    expect(c.lag).toBeLessThanOrEqual(EVM_FINALITY)
    await waitForReady()
    await waitForReady(strictUrl)
  })

  it('Stacks processor stopped, 50 blocks mined on the simulator: lag 50 on /status and the Hiro status, /ready 503 naming the lag check', async () => {
    const head = stacks.sim.tip().height
    await atHead(STX, head)
    await processors.get('stacks')!.stop()
    await stacks.sim.mineEmptyBlocks(50)
    const c = await waitForStatus('the worker to record the new Stacks tip', STX, (s) => s.chainHeight === head + 50)
    expect([c.indexedHeight, c.chainHeight, c.lag]).toEqual([head, head + 50, 50])
    const r = await ready()
    expect([r.code, r.body.failed, r.body.checks.lag.detail]).toEqual([503, ['lag'], `${STX} is 50 blocks behind its head`])
    const hiro = (await (await fetch(`${apiUrl}/metadata/v1/`)).json()) as { chain_tip: { block_height: number }; sync: { chain_height: number; lag_blocks: number } }
    expect([hiro.chain_tip.block_height, hiro.sync.chain_height, hiro.sync.lag_blocks]).toEqual([head, head + 50, 50])
  })

  it('Stacks processor restarted: the lag returns to at most the finality depth and /ready recovers', async () => {
    startProcessor('stacks')
    const c = await waitForStatus('the Stacks lag to come within the finality depth', STX, (x) => x.lag !== null && x.lag <= STX_FINALITY)
    expect(c.lag).toBeLessThanOrEqual(STX_FINALITY)
    await waitForReady()
  })
})
