// `npm run dev` as a user runs it: a child process on a clean data directory, used only through
// the URLs it prints, then stopped with Ctrl-C (SIGINT to its process group).
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { useDevRun, waitForHiroToken } from '../helpers/devRun'
import { waitFor } from '../helpers/processes'

const dev = useDevRun('tms-dev-')

/** Every process below `pid` (from /proc): what must be gone after Ctrl-C. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)])
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = []
  const walk = (p: number) => (parents.get(p) ?? []).forEach((c) => (out.push(c), walk(c)))
  walk(pid)
  return out
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function stage(what: string, started: number): void {
  process.stderr.write(`[dev e2e] ${what} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
}

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return res.json()
}

describe('npm run dev', () => {
  it('indexes both chains, serves metadata and errors through the public API, and stops cleanly on Ctrl-C', async () => {
    const started = Date.now()
    const run = dev.start('npm', ['run', 'dev'])
    const output = await run.banner()
    stage('URLs printed', started)
    const api = /GraphQL sandbox\s+(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(output)![1]
    const squids = /"contractAddress":"(0x[0-9a-f]{40})"/.exec(output)![1]

    // Within seconds of the banner, /status shows the head and the lag of both chains (recorded by their processors).
    const chains = await waitFor(
      'a chain height and lag for both chains on /status',
      async () => {
        const body = (await (await fetch(`${api}/status`)).json()) as { chains: { chain: string; chainHeight: number | null; lag: number | null }[] }
        const known = body.chains.filter((c) => c.chainHeight !== null && c.lag !== null)
        return known.length === 2 ? known : undefined
      },
      15_000,
      200,
    )
    expect(chains.map((c) => c.chain)).toEqual(['eip155:31337', 'stacks:2147483648'])
    stage('chain heads on /status', started)
    const stacksNft = /\/metadata\/v1\/nft\/([A-Z0-9]+\.[a-z-]+)\/1/.exec(output)![1]

    // EVM tokens with AVAILABLE metadata, through the Sequence surface
    const squid = await waitFor(
      'an EVM token with metadata',
      async () => {
        const r = await post(`${api}/rpc/Metadata/GetTokenMetadata`, { chainID: '31337', contractAddress: squids, tokenIDs: ['1'] })
        return r.tokenMetadata?.[0]?.status === 'AVAILABLE' ? r.tokenMetadata[0] : undefined
      },
      120_000,
      500,
    )
    const firstMetadataSeconds = (Date.now() - started) / 1000
    stage('EVM metadata', started)
    expect(squid.name).toBe('Squid #1')
    expect(squid.image).toMatch(/^ipfs:\/\/bafy/)

    // Stacks tokens with AVAILABLE metadata, through the Hiro surface
    const hiro = await waitForHiroToken(api, stacksNft)
    expect(hiro.metadata.name).toBe('Stacks Punk #1')
    stage('Stacks metadata', started)

    // the broken tokens with their error codes, through GraphQL
    const contracts = await post(`${api}/graphql`, { query: '{ contracts(chain: "eip155:31337") { nodes { address name } } }' })
    const brokenAddress = contracts.data.contracts.nodes.find((c: { name: string }) => c.name === 'Broken').address
    const brokenQuery = `{ tokens(chain: "eip155:31337", contract: "${brokenAddress}") { nodes { tokenId status error { code } } } }`
    const broken = await waitFor(
      'the broken tokens to fail',
      async () => {
        const r = await post(`${api}/graphql`, { query: brokenQuery })
        const nodes: { tokenId: string; status: string; error: { code: string } | null }[] = r.data?.tokens?.nodes ?? []
        return nodes.length === 3 && nodes.every((n) => n.status === 'INVALID' || n.status === 'FAILED') ? nodes : undefined
      },
      120_000,
      1000,
    )
    stage('broken tokens', started)
    const codes = Object.fromEntries(broken.map((n) => [n.tokenId, n.error?.code]))
    expect(codes).toEqual({ '0': 'token_not_found', '1': 'unable_to_decode_response', '2': 'timeout' })

    // status counts move (the live activity keeps minting and updating)
    const done = async () => {
      const s = (await (await fetch(`${api}/metadata/v1/`)).json()) as { job_queue?: { done?: number } }
      return Number(s.job_queue?.done ?? 0)
    }
    const before = await done()
    await waitFor('the done count to move', async () => (await done()) > before, 60_000, 500)

    stage('status moved', started)
    // Ctrl-C: SIGINT to the dev process (npm itself only relays it); the whole tree must end, npm with 0
    const tree = [run.child.pid!, ...descendants(run.child.pid!)]
    expect(tree.length).toBeGreaterThan(4)
    // the node process itself (not the `sh -c` npm wraps it in, whose command line names it too)
    const devPid = tree.find((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[1]?.endsWith('.cache/devnet/devnet/dev.js'))!
    process.kill(devPid, 'SIGINT')
    expect(await run.exited).toBe(0)
    stage('exited', started)
    await waitFor('every process of the tree to be gone', async () => tree.every((p) => !alive(p)), 15_000, 100)
    process.stdout.write(`npm run dev: first token metadata after ${firstMetadataSeconds.toFixed(1)} s\n`)
  }, 400_000)
})
