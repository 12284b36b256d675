// `npm run dev -- --stacks-node`: the Stacks side through the event stream (the simulator posts
// its blocks to the event-observer role, the processor reads what it stored), used only through
// the URLs it prints, then stopped with Ctrl-C.
import { describe, expect, it } from 'vitest'
import { useDevRun, waitForHiroToken } from '../helpers/devRun'

const dev = useDevRun('tms-dev-node-')

describe('npm run dev -- --stacks-node', () => {
  it('indexes the Stacks simulator through the event observer and serves its tokens on the Hiro surface', async () => {
    const run = dev.start('node', ['.cache/devnet/devnet/dev.js', '--stacks-node', '--no-activity'])
    const output = await run.banner()
    expect(output).toMatch(/Stacks observer\s+http:\/\/127\.0\.0\.1:\d+ \(the simulator posts its blocks here/)
    const api = /GraphQL sandbox\s+(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(output)![1]
    const stacksNft = /\/metadata\/v1\/nft\/([A-Z0-9]+\.[a-z-]+)\/1/.exec(output)![1]

    const hiro = await waitForHiroToken(api, stacksNft, () => run.output().slice(-3000))
    expect(hiro.metadata.name).toBe('Stacks Punk #1')

    process.kill(run.child.pid!, 'SIGINT')
    expect(await run.exited).toBe(0)
  }, 400_000)
})
