// Malformed requests across every surface (seeded, so failures reproduce): none may be answered
// with a 5xx or leak a stack trace.
import { expect, it } from 'vitest'
import { EVM, STX } from '../../helpers/apiFixtures'
import { useFixtureApi } from '../../helpers/apiServer'
import { prng } from '../../helpers/prng'

const served = useFixtureApi()

interface Req {
  method: string
  path: string
  headers?: Record<string, string>
  body?: string
}

function build(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]
  const int = (n: number) => Math.floor(rand() * n)
  const junk = (max = 40) => {
    const chars = [
      'a',
      'Z',
      '0',
      '9',
      '.',
      '-',
      '_',
      '%',
      '/',
      '?',
      '#',
      '&',
      '=',
      ' ',
      '"',
      "'",
      '\\',
      '\u0000',
      '\u0007',
      'é',
      '中',
      '🙂',
      '\ud800',
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      '+',
      '*',
    ]
    return Array.from({ length: int(max) }, () => pick(chars)).join('')
  }
  const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))
  const tokenIds = [
    '-1',
    'abc',
    '1e5',
    '0x1f',
    '١٢٣',
    '9'.repeat(200),
    '',
    ' 1',
    '1.0',
    '01',
    '+1',
    (1n << 256n).toString(),
    (1n << 128n).toString(),
    'NaN',
    'Infinity',
    '1',
    '0',
    '%00',
    '%ff',
    '..',
    '1;DROP TABLE token',
  ]
  const principals = [
    STX.nft,
    STX.ft,
    STX.sft,
    'SP123',
    'x'.repeat(5000),
    `${STX.deployer}.`,
    `.${STX.nft}`,
    `${STX.deployer}.a%00b`,
    'sp2x0tz59d5sz8acq6ymchhnr2zn51z32e2cj173.boombox',
    EVM.axes,
    '%2e%2e',
    '',
  ]
  const chainIds = [
    '',
    '0',
    '-1',
    '1e3',
    '18446744073709551616',
    '99999999999999999999999',
    'eip155:1',
    'eip155:abc',
    'stacks:1',
    '1 ',
    ' 1',
    '80002',
    '1\u0000',
    null,
    7,
    true,
    [],
    {},
  ]
  const addresses = [EVM.axes, EVM.axes.toUpperCase(), '0x123', '', 'not an address', `${EVM.axes}00`, '0x' + 'g'.repeat(40), 5, null, {}, STX.nft]
  const jsonValue = (depth = 0): unknown => {
    const kind = depth > 3 ? int(4) : int(7)
    if (kind === 0) return junk(10)
    if (kind === 1) return rand() * 1e30 - 1e15
    if (kind === 2) return pick([true, false, null])
    if (kind === 3) return pick(tokenIds)
    if (kind === 4) return Array.from({ length: int(4) }, () => jsonValue(depth + 1))
    return Object.fromEntries(Array.from({ length: int(4) }, () => [junk(8), jsonValue(depth + 1)]))
  }

  const hiro = (): Req => {
    const prefix = pick(['/metadata/v1', '/metadata'])
    const kind = pick(['ft', 'nft', 'sft', 'xft', ''])
    // Values go either encoded, or raw so that %00, broken UTF-8 and the like reach the server decoded.
    const rawValues = ['%00', '%ff', '%c3%28', `${STX.deployer}%00`, `${STX.deployer}.x%00y`, '%ed%a0%80', '%E2%82']
    const value = rand() < 0.5 ? enc(pick([junk(20), '-1', '61', '1e99', '99999999999999999999', 'desc', 'asc', 'true', 'maybe', STX.deployer])) : pick(rawValues)
    const q = rand() < 0.6 ? `?${pick(['locale', 'limit', 'offset', 'order_by', 'order', 'name', 'symbol', 'address', 'valid_metadata_only', junk(5)])}=${value}` : ''
    const path = kind === 'ft' && rand() < 0.4 ? `${prefix}/ft${q}` : `${prefix}/${kind}/${rand() < 0.7 ? enc(pick(principals)) : enc(junk())}/${enc(pick(tokenIds))}${q}`
    const method = rand() < 0.85 ? 'GET' : pick(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
    return { method, path, headers: rand() < 0.2 ? { 'if-none-match': junk(30).replace(/[^\x20-\x7e]/g, 'x') } : undefined }
  }

  const sequence = (): Req => {
    const method = pick(['GetTokenMetadata', 'GetTokenMetadataBatch', 'RefreshTokenMetadata', junk(10)])
    let body: unknown
    const shape = int(6)
    if (shape === 0) body = jsonValue()
    else if (shape === 1)
      body = { chainID: pick(chainIds), contractAddress: pick(addresses), tokenIDs: rand() < 0.5 ? Array.from({ length: int(80) }, () => pick(tokenIds)) : jsonValue() }
    else if (shape === 2)
      body = {
        chainID: pick(chainIds),
        contractTokenMap:
          rand() < 0.5
            ? Object.fromEntries(
                Array.from({ length: int(70) }, (_, i) => [
                  i % 3 ? pick(addresses as unknown[]) : `0x${i.toString(16).padStart(40, '0')}`,
                  Array.from({ length: int(60) }, () => pick(tokenIds)),
                ]),
              )
            : jsonValue(),
      }
    else if (shape === 3) body = { chainID: '1', contractTokenMap: { [EVM.axes]: [pick(tokenIds)] }, [junk(5)]: jsonValue() }
    else body = undefined
    const raw =
      body === undefined ? pick(['{', '{"chainID":', 'null', '[]', '"x"', '', junk(50), '{"__proto__": {"a": 1}}', '{"constructor": {"prototype": {}}}']) : JSON.stringify(body)
    const contentType =
      rand() < 0.85 ? 'application/json' : pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', junk(10).replace(/[^\x20-\x7e]/g, 'x')])
    return {
      method: rand() < 0.9 ? 'POST' : pick(['GET', 'PUT', 'DELETE']),
      path: `/rpc/Metadata/${enc(method)}`,
      headers: { 'content-type': contentType, 'x-access-key': junk(10).replace(/[^\x20-\x7e]/g, 'x') },
      body: raw,
    }
  }

  const graphqlReq = (): Req => {
    const valid = [
      `{ token(chain: "eip155:1", contract: "${EVM.axes}", tokenId: "1") { id metadata { name } } }`,
      `{ tokens(chain: "stacks:1", contract: "${STX.nft}", first: 5) { nodes { tokenId status } pageInfo { endCursor } } }`,
      `query($ids: [TokenKeyInput!]!) { tokensByIds(ids: $ids) { id } }`,
      `{ account(chain: "eip155:1", address: "${EVM.axes}") { holdings { nodes { amount } } } }`,
      `{ status { chains { chain } } }`,
      `{ contracts(first: 3) { nodes { id tokens(first: 2) { nodes { id } } } } }`,
    ]
    const shape = int(8)
    let query = pick(valid)
    if (shape === 0) query = query.slice(0, int(query.length))
    else if (shape === 1) query = query.replace(/"[^"]*"/, JSON.stringify(junk(20)))
    else if (shape === 2) query = `{ ${'token(chain: "eip155:1", contract: "x", tokenId: "1") { contract { tokens { nodes { '.repeat(1 + int(6))} id ${'} } } }'.repeat(1)} }`
    else if (shape === 3) query = `{ ${Array.from({ length: 100 + int(2000) }, (_, i) => `a${i}: status { version }`).join(' ')} }`
    else if (shape === 4) query = junk(200)
    const variables =
      rand() < 0.6
        ? {
            ids: pick([
              jsonValue(),
              [{ chain: pick(chainIds), contract: pick(addresses), tokenId: pick([...tokenIds, 5, null, {}]) }],
              Array.from({ length: 300 }, () => ({ chain: 'eip155:1', contract: EVM.axes, tokenId: '1' })),
            ]),
          }
        : jsonValue()
    if (rand() < 0.15)
      return { method: 'GET', path: `/graphql?query=${enc(query)}&variables=${enc(junk(20))}`, headers: rand() < 0.5 ? { 'apollo-require-preflight': 'true' } : {} }
    const body =
      rand() < 0.1
        ? junk(60)
        : rand() < 0.1
          ? JSON.stringify([{ query }, { query }])
          : JSON.stringify({ query: rand() < 0.1 ? jsonValue() : query, variables, operationName: rand() < 0.1 ? junk(5) : undefined })
    return { method: 'POST', path: '/graphql', headers: { 'content-type': rand() < 0.9 ? 'application/json' : 'text/plain' }, body }
  }

  const misc = (): Req => ({
    method: pick(['GET', 'POST', 'DELETE']),
    path: pick(['/status', '/health', '/docs', '/openapi.json', '/metrics', '/', `/${enc(junk())}`, `/status?${enc(junk())}`, '/metadata/v1/?x=%00', '/rpc', '/graphql/x']),
    headers: { 'content-type': 'application/json' },
    body: rand() < 0.5 ? junk(30) : undefined,
  })

  return { hiro, sequence, graphqlReq, misc }
}

async function send(req: Req): Promise<{ status: number; text: string }> {
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body
  const r = await fetch(`${served.api.url}${req.path}`, { method: req.method, headers: req.headers, body })
  return { status: r.status, text: await r.text() }
}

it('answers 1,300 malformed requests across the surfaces without a 5xx or a stack trace', async () => {
  const rand = prng(20260101)
  const g = build(rand)
  const requests: Req[] = [
    ...Array.from({ length: 400 }, g.hiro),
    ...Array.from({ length: 400 }, g.sequence),
    ...Array.from({ length: 400 }, g.graphqlReq),
    ...Array.from({ length: 100 }, g.misc),
  ]
  // A few oversized bodies, on every surface that takes one.
  for (const path of ['/rpc/Metadata/GetTokenMetadataBatch', '/graphql', '/metadata/v1/ft']) {
    requests.push({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) })
  }
  const failures: string[] = []
  const statuses = new Map<number, number>()
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < requests.length) {
        const req = requests[next++]
        let res: { status: number; text: string }
        try {
          res = await send(req)
        } catch (err) {
          failures.push(`${req.method} ${req.path.slice(0, 120)}: ${(err as Error).message}`)
          continue
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (res.status >= 500 || /\n\s+at\s|"stack"/.test(res.text))
          failures.push(`${res.status} ${req.method} ${req.path.slice(0, 120)} ${String(req.body ?? '').slice(0, 160)} -> ${res.text.slice(0, 300)}`)
      }
    }),
  )
  expect(failures).toEqual([])
  expect(requests.length).toBeGreaterThanOrEqual(1000)
  // Most are refused; some well-formed ones among them legitimately succeed.
  const clientErrors = [...statuses].filter(([s]) => s >= 400 && s < 500).reduce((n, [, c]) => n + c, 0)
  expect(clientErrors).toBeGreaterThan(requests.length / 2)
})
