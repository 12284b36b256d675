// Malformed requests across every surface (the harness's seeded generator, shared with the fuzz
// drill, so failures reproduce): none may be answered with a 5xx or leak a stack trace.
import { expect, it } from 'vitest'
import { CHAIN, EVM, STX } from '../../helpers/apiFixtures'
import { useFixtureApi } from '../../helpers/apiServer'
import { fuzzFailure, fuzzGenerator, sendFuzzRequest, type FuzzReq } from '../../helpers/fuzzRequests'
import { rng } from '../../helpers/prng'

const served = useFixtureApi()

it('answers 1,300 malformed requests across the surfaces without a 5xx or a stack trace', async () => {
  // Raw socket requests are the drill's: some rightly get no answer, which only a timer can tell.
  const next = fuzzGenerator(
    rng(20260101),
    {
      evmChain: CHAIN.eth,
      stacksChain: CHAIN.stacks,
      chainNames: ['ethereum'],
      evmContract: EVM.axes,
      evmTokens: ['0', '1', '2', '3'],
      stxNft: STX.nft,
      stxFt: STX.ft,
      stxSft: STX.sft,
      stxTokens: ['1', '2'],
    },
    ['graphql', 'hiro', 'sequence', 'refresh', 'misc'],
  )
  const requests: FuzzReq[] = Array.from({ length: 1300 }, next)
  // A few oversized bodies, on every surface that takes one.
  for (const path of ['/rpc/Metadata/GetTokenMetadataBatch', '/graphql', '/metadata/v1/ft', '/v1/metadata-refreshes']) {
    requests.push({ surface: 'oversized', method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) })
  }
  const failures: string[] = []
  let clientErrors = 0
  let i = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (i < requests.length) {
        const q = requests[i++]
        const o = await sendFuzzRequest(served.api.url, q, 50_000)
        const failure = fuzzFailure(q, o)
        if (failure) failures.push(failure)
        if (typeof o.status === 'number' && o.status >= 400 && o.status < 500) clientErrors++
      }
    }),
  )
  expect(failures).toEqual([])
  // Most are refused; some well-formed ones among them legitimately succeed.
  expect(clientErrors).toBeGreaterThan(requests.length / 2)
}, 120_000)
