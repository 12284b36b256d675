// Part of the harness shared by the tests, the drills and the benchmarks: no vitest imports here.
// The one generator of malformed API requests (seeded, so a failing case reproduces), used by the
// API fuzz test and the fuzz drill, and how each request is sent and judged.
import net from 'node:net'
import type { Rng } from './prng'

export interface FuzzReq {
  surface: string
  method: string
  path: string
  headers?: Record<string, string>
  body?: string
  /** raw bytes for the socket (no fetch) */
  raw?: string
  /** the raw request announces more body than it sends: the server rightly waits for the rest */
  incomplete?: boolean
}

/** What the requests aim at: real ids of the database under test (so some requests get through) and a key. */
export interface FuzzTargets {
  evmChain: string
  stacksChain: string
  /** the surface's chain names (Immutable zkEVM `CHAIN_NAMES`) the server knows */
  chainNames: string[]
  evmContract: string
  evmTokens: string[]
  stxNft: string
  stxFt: string
  stxSft: string
  stxTokens: string[]
  /** a valid API key, so the authenticated paths are fuzzed too (a made-up one when absent) */
  key?: string
}

export type FuzzSurface = 'graphql' | 'hiro' | 'sequence' | 'refresh' | 'misc' | 'raw'

/** The request generator: every choice from the seeded stream. */
export function fuzzGenerator(r: Rng, targets: FuzzTargets, only?: readonly FuzzSurface[]): () => FuzzReq {
  const k = { ...targets, key: targets.key ?? `tms_${'B'.repeat(32)}` }
  const EVM_CHAIN = k.evmChain
  const STACKS_CHAIN = k.stacksChain
  const pick = <T>(xs: readonly T[]): T => r.pick(xs)
  const junkChars = [
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
    '\u0001',
    '\u007f',
    'ß',
    'ж',
    '字',
    '😀',
    '\ud83d',
    '<',
    '>',
    '{',
    '}',
    '[',
    ']',
    ':',
    ',',
    '+',
    '*',
    '$',
    '@',
    '\n',
    '\t',
  ]
  const junk = (max = 30) => Array.from({ length: r.int(0, max) }, () => pick(junkChars)).join('')
  // Lone surrogates cannot be percent-encoded; everything else is sent encoded or as is.
  const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x'))
  const asciiHeader = (s: string) => s.replace(/[^\x20-\x7e]/g, 'x')
  const numbers = [
    '0',
    '1',
    '-1',
    '01',
    '1.5',
    '1e3',
    '1e400',
    '0x10',
    '0b1',
    ' 7',
    '7 ',
    '+1',
    'NaN',
    'Infinity',
    '-0',
    '٣',
    '１',
    '9'.repeat(90),
    (1n << 256n).toString(),
    ((1n << 256n) - 1n).toString(),
    (1n << 128n).toString(),
    '%00',
    '',
    'null',
    'true',
  ]
  const tokenId = () => (r.chance(0.3) ? pick(k.evmTokens.concat(k.stxTokens)) : pick(numbers))
  const evmAddresses = [
    k.evmContract,
    k.evmContract.toUpperCase().replace('0X', '0x'),
    '0x',
    '0x1234',
    `${k.evmContract}00`,
    '0x' + 'g'.repeat(40),
    'not-an-address',
    '',
    k.stxNft,
    '0x' + '0'.repeat(40),
  ]
  const principals = [
    k.stxNft,
    k.stxFt,
    k.stxSft,
    k.stxNft.toLowerCase(),
    `${k.stxNft}.extra`,
    k.stxNft.split('.')[0],
    `.${k.stxNft.split('.')[1]}`,
    'SP000',
    'x'.repeat(3000),
    k.evmContract,
    '',
    `${k.stxNft}%00`,
  ]
  const evmChainId = EVM_CHAIN.split(':')[1]
  const chainNames = [...k.chainNames, ...k.chainNames.map((n) => n.toUpperCase()), 'unknown-chain', '', '..', '%2e%2e', 'x'.repeat(500), EVM_CHAIN]
  const chainIds = [evmChainId, '1', '', '-1', '0x7a69', EVM_CHAIN, STACKS_CHAIN, '99999999999999999999', null, Number(evmChainId), true, {}, []]
  const keys = () =>
    pick<Record<string, string>>([
      {},
      { 'x-immutable-api-key': k.key },
      { 'x-api-key': k.key },
      { 'x-access-key': k.key },
      { authorization: `Bearer ${k.key}` },
      { authorization: `bearer ${k.key}` },
      { authorization: 'Bearer ' },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { 'x-immutable-api-key': 'tms_' + 'A'.repeat(32) },
      { 'x-api-key': asciiHeader(junk(60)) },
      { 'x-access-key': `${k.key}x` },
      { authorization: `Bearer ${k.key}`, 'x-access-key': 'tms_junk' },
      { 'x-immutable-api-key': 'x'.repeat(8000) },
    ])
  const json = (depth = 0): unknown => {
    const kind = depth > 4 ? r.int(0, 3) : r.int(0, 7)
    switch (kind) {
      case 0:
        return junk(12)
      case 1:
        return r.chance(0.5) ? r.int(-1e9, 1e9) : r.next() * 1e308 * (r.chance(0.5) ? 1 : -1)
      case 2:
        return pick([true, false, null])
      case 3:
        return tokenId()
      case 4:
      case 5:
        return Array.from({ length: r.int(0, 5) }, () => json(depth + 1))
      default:
        return Object.fromEntries(
          Array.from({ length: r.int(0, 5) }, () => [r.chance(0.2) ? pick(['__proto__', 'constructor', 'prototype', 'toString']) : junk(8), json(depth + 1)]),
        )
    }
  }
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)
  const brokenJson = () =>
    pick([
      '{',
      '{"a":',
      '[1,2',
      '"unterminated',
      '{"a":1}}',
      'nul',
      '\u0000',
      '{"a":1,}',
      "{'a':1}",
      deep(r.int(100, 5000)),
      junk(80),
      '',
      ' ',
      '{"__proto__":{"polluted":true}}',
      '1e99999',
      '-',
      '[' + '1,'.repeat(20000) + '1]',
    ])
  const body = (shape: () => unknown) => (r.chance(0.12) ? brokenJson() : JSON.stringify(shape()))
  const contentType = () =>
    r.chance(0.85)
      ? 'application/json'
      : pick([
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-16',
          'application/graphql',
          asciiHeader(junk(20)),
          '',
        ])

  const graphql = (): FuzzReq => {
    const c = JSON.stringify(k.evmContract)
    const valid = [
      `{ token(chain: "${EVM_CHAIN}", contract: ${c}, tokenId: "${pick(k.evmTokens)}") { id owner metadata { name attributes { traitType value } } } }`,
      `{ tokens(chain: "${EVM_CHAIN}", contract: ${c}, first: 5) { nodes { id tokenId } pageInfo { endCursor hasNextPage } } }`,
      `{ tokens(chain: "${STACKS_CHAIN}", contract: "${k.stxNft}", first: 3, attributes: [{ traitType: "n", value: "1" }]) { nodes { id } } }`,
      `query Q($ids: [TokenKeyInput!]!) { tokensByIds(ids: $ids) { id metadata { name } } }`,
      `{ contract(chain: "${EVM_CHAIN}", address: ${c}) { id standard tokens(first: 2) { nodes { id } } } }`,
      `{ contracts(first: 3) { nodes { id } } }`,
      `{ account(chain: "${EVM_CHAIN}", address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8") { holdings(first: 2) { nodes { amount } } } }`,
      `{ status { chains { chain } } }`,
      `{ __schema { types { name fields { name } } } }`,
      `mutation { refreshTokens(chain: "${EVM_CHAIN}", contract: ${c}, tokenIds: ["1"]) { id } }`,
    ]
    let q = pick(valid)
    switch (r.int(0, 9)) {
      case 0:
        q = q.slice(0, r.int(0, q.length))
        break
      case 1:
        q = q.replace(/"[^"]*"/, JSON.stringify(junk(30)))
        break
      case 2:
        q = `{ ${`token(chain: "${EVM_CHAIN}", contract: "0x1", tokenId: "1") { contract { tokens(first: 200) { nodes { `.repeat(r.int(1, 12))} id } } } }`
        break
      case 3:
        q = `{ ${Array.from({ length: r.int(50, 3000) }, (_, i) => `a${i}: status { chains { chain } }`).join(' ')} }`
        break
      case 4:
        q = `query { ...F } fragment F on Query { ...G } fragment G on Query { ...F }`
        break
      case 5:
        q = junk(300)
        break
      case 6:
        q = q.replace(/first: \d+/, `first: ${pick(['-1', '0', '100000', '1e3', '"5"', 'null', '2147483648'])}`)
        break
      case 7:
        q = `${q} @${junk(5)}`
        break
      default:
        break
    }
    const variables = r.chance(0.6)
      ? {
          ids: pick<unknown>([
            json(),
            [{ chain: pick(chainIds), contract: pick(evmAddresses), tokenId: tokenId() }],
            Array.from({ length: r.int(150, 400) }, () => ({ chain: EVM_CHAIN, contract: k.evmContract, tokenId: tokenId() })),
          ]),
        }
      : json()
    if (r.chance(0.15)) {
      return {
        surface: 'graphql',
        method: 'GET',
        path: `/graphql?query=${enc(q)}&variables=${enc(junk(30))}${r.chance(0.3) ? `&operationName=${enc(junk(5))}` : ''}`,
        headers: r.chance(0.5) ? { 'apollo-require-preflight': 'true' } : {},
      }
    }
    const payload = r.chance(0.1)
      ? JSON.stringify([{ query: q }, { query: pick(valid) }])
      : JSON.stringify({ query: r.chance(0.08) ? json() : q, variables, operationName: r.chance(0.1) ? junk(6) : undefined, extensions: r.chance(0.05) ? json() : undefined })
    return {
      surface: 'graphql',
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': contentType(), ...(r.chance(0.2) ? keys() : {}) },
      body: r.chance(0.08) ? brokenJson() : payload,
    }
  }

  const hiro = (): FuzzReq => {
    const prefix = pick(['/metadata/v1', '/metadata'])
    const kind = pick(['ft', 'nft', 'sft', 'ft', '', 'NFT', 'tokens'])
    const raws = ['%00', '%ff', '%c3%28', '%ed%a0%80', '%E2%82', '..%2f..%2f', '%252e']
    const value = r.chance(0.6) ? enc(pick([junk(20), '-1', '0', '61', '1e9', '99999999999999999999', 'asc', 'desc', 'name', 'true', 'es', 'en-US', 'x'.repeat(2000)])) : pick(raws)
    const param = pick(['locale', 'limit', 'offset', 'order_by', 'order', 'name', 'symbol', 'address', 'valid_metadata_only', 'cursor', junk(6)])
    const qs = r.chance(0.6) ? `?${enc(param)}=${value}${r.chance(0.2) ? `&${enc(param)}=${value}` : ''}` : ''
    let path: string
    if (kind === 'ft' && r.chance(0.4)) path = `${prefix}/ft${qs}`
    else if (kind === '' && r.chance(0.5)) path = `${prefix}/${qs}`
    else path = `${prefix}/${kind}/${r.chance(0.7) ? enc(pick(principals)) : pick(raws)}${kind === 'ft' ? '' : `/${enc(tokenId())}`}${qs}`
    const method = r.chance(0.85) ? 'GET' : pick(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])
    const headers: Record<string, string> = {}
    if (r.chance(0.2)) headers['if-none-match'] = asciiHeader(pick(['*', 'W/"x"', '"', junk(40), '"' + 'a'.repeat(5000) + '"']))
    if (r.chance(0.1)) headers['accept-language'] = asciiHeader(junk(20))
    return { surface: 'hiro', method, path, headers, body: method === 'GET' || method === 'HEAD' ? undefined : junk(40) }
  }

  const sequence = (): FuzzReq => {
    const method = pick(['GetTokenMetadata', 'GetTokenMetadataBatch', 'RefreshTokenMetadata', 'GetTask', 'GetTaskStatus', 'SearchTokenMetadata', junk(10)])
    const shape = (): unknown => {
      switch (r.int(0, 5)) {
        case 0:
          return { chainID: pick(chainIds), contractAddress: pick(evmAddresses), tokenIDs: r.chance(0.5) ? Array.from({ length: r.int(0, 120) }, tokenId) : json() }
        case 1:
          return {
            chainID: pick(chainIds),
            contractTokenMap: r.chance(0.6)
              ? Object.fromEntries(
                  Array.from({ length: r.int(0, 60) }, (_, i) => [
                    i % 4 ? pick(evmAddresses) : `0x${i.toString(16).padStart(40, '0')}`,
                    Array.from({ length: r.int(0, 60) }, tokenId),
                  ]),
                )
              : json(),
          }
        case 2:
          return { chainID: pick(chainIds), contractAddress: pick(evmAddresses), tokenIDs: r.chance(0.5) ? [tokenId()] : undefined, refreshAll: pick([true, false, 'yes', null]) }
        case 3:
          return { taskId: pick([1, -1, 0, 2 ** 53, '1', null, junk(10), 1.5]) }
        case 4:
          return json()
        default:
          return {}
      }
    }
    return {
      surface: 'sequence',
      method: r.chance(0.9) ? 'POST' : pick(['GET', 'PUT', 'DELETE']),
      path: `/rpc/Metadata/${enc(method)}`,
      headers: { 'content-type': contentType(), ...(r.chance(0.6) ? keys() : {}) },
      body: body(shape),
    }
  }

  const refresh = (): FuzzReq => {
    const headers = { 'content-type': contentType(), ...keys() }
    switch (r.int(0, 6)) {
      case 0:
        return {
          surface: 'imx',
          method: 'POST',
          path: '/v1/metadata-refreshes',
          headers,
          body: body(() =>
            r.chance(0.7)
              ? { collection_address: pick(evmAddresses), token_ids: r.chance(0.6) ? Array.from({ length: pick([0, 1, 5, 999, 1000, 1001, 3000]) }, tokenId) : json() }
              : json(),
          ),
        }
      case 1: {
        const qs = [
          `collection_address=${enc(pick(evmAddresses))}`,
          `page_size=${enc(pick(['0', '1', '200', '201', '-5', 'abc', '1e2']))}`,
          `cursor=${enc(junk(40))}`,
          `status=${enc(junk(8))}`,
        ]
          .filter(() => r.chance(0.5))
          .join('&')
        return { surface: 'imx', method: 'GET', path: `/v1/metadata-refreshes${qs ? `?${qs}` : ''}`, headers }
      }
      case 2:
        return {
          surface: 'imx',
          method: pick(['GET', 'DELETE', 'PUT']),
          path: `/v1/metadata-refreshes/${enc(pick([junk(40), '00000000-0000-0000-0000-000000000000', '1', '..', 'x'.repeat(3000)]))}${r.chance(0.5) ? `/errors?page_size=${enc(pick(['1', '0', '500', 'x']))}&cursor=${enc(junk(20))}` : ''}`,
          headers,
        }
      case 3:
      case 4: {
        const item = () =>
          r.chance(0.7)
            ? {
                token_id: tokenId(),
                name: r.chance(0.5) ? junk(20) : json(),
                description: junk(40),
                image: pick(['https://x/1.png', '', junk(10), null]),
                external_url: null,
                animation_url: null,
                youtube_url: null,
                attributes: r.chance(0.5) ? [{ trait_type: junk(6), value: json(), display_type: pick(['number', 'boost_percentage', 'date', junk(5), null]) }] : json(),
              }
            : json()
        const n = pick([0, 1, 3, 250, 251])
        const bodyText = r.chance(0.05)
          ? JSON.stringify({ nft_metadata: [{ token_id: '1', name: 'x'.repeat(240 * 1024) }] })
          : body(() => (r.chance(0.8) ? { nft_metadata: Array.from({ length: n }, item) } : json()))
        return {
          surface: 'zkevm',
          method: r.chance(0.9) ? 'POST' : 'GET',
          path: `/v1/chains/${enc(pick(chainNames))}/collections/${enc(pick(evmAddresses))}/nfts/refresh-metadata`,
          headers,
          body: bodyText,
        }
      }
      default:
        return {
          surface: 'mavis',
          method: r.chance(0.9) ? 'POST' : pick(['GET', 'PUT']),
          path: `${pick(['/mavis-market-partner', '/mavis-market-partner/v1', ''])}/collections/${enc(pick(evmAddresses))}/refresh_metadata`,
          headers,
          body: body(() => (r.chance(0.7) ? { token_ids: Array.from({ length: pick([0, 1, 100, 101, 500]) }, tokenId) } : json())),
        }
    }
  }

  const misc = (): FuzzReq => ({
    surface: 'misc',
    method: pick(['GET', 'GET', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND']),
    path: pick([
      '/status',
      '/status?chain=' + enc(junk(10)),
      '/health',
      '/health?x=%00',
      '/docs',
      '/docs/json',
      '/docs/static/' + enc(junk(10)),
      '/openapi.json',
      '/metrics',
      '/',
      '/' + enc(junk()),
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '//status',
      '/status/',
      '/STATUS',
      '/graphql/x',
      '/rpc',
      '/rpc/Metadata',
      '/v1',
      '/v1/chains',
      '/mavis-market-partner',
    ]),
    headers: { 'content-type': contentType(), ...(r.chance(0.2) ? { 'x-forwarded-for': asciiHeader(junk(30)), host: asciiHeader(junk(20)) || 'x' } : {}) },
    body: r.chance(0.4) ? junk(60) : undefined,
  })

  const raw = (): FuzzReq => {
    const lines = [
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":"{',
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      'GET /status HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(20_000) + '\r\n\r\n',
      'GET /status HTTP/1.1\r\n' + Array.from({ length: 300 }, (_, i) => `X-H${i}: v`).join('\r\n') + '\r\n\r\n',
      'GET /sta tus HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /status HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /status\r\n\r\n',
      'BREW /status HTTP/1.1\r\nHost: x\r\n\r\n',
      '\u0000\u0001\u0002garbage\r\n\r\n',
      'GET /status HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'GET /status HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      'GET /status HTTP/1.1\r\nHo st: x\r\n\r\n',
      'GET /status HTTP/1.1\nHost: x\n\n',
      'POST /rpc/Metadata/GetTokenMetadata HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n{',
      'GET /metadata/v1/nft/%ZZ/1 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /graphql?query=%7B HTTP/1.1\r\nHost: x\r\nAccept: ' + '*/*,'.repeat(3000) + '\r\n\r\n',
    ]
    const raw = pick(lines)
    const incomplete = /Content-Length: (100|2000000)\r\n/.test(raw)
    return { surface: 'raw', method: 'RAW', path: '(socket)', raw, incomplete }
  }

  const weighted: [number, FuzzSurface, () => FuzzReq][] = [
    [24, 'graphql', graphql],
    [18, 'hiro', hiro],
    [16, 'sequence', sequence],
    [28, 'refresh', refresh],
    [10, 'misc', misc],
    [4, 'raw', raw],
  ]
  const surfaces = weighted.filter(([, name]) => !only || only.includes(name)).map(([w, , f]): [number, () => FuzzReq] => [w, f])
  const total = surfaces.reduce((s, [w]) => s + w, 0)
  return (): FuzzReq => {
    let x = r.next() * total
    for (const [w, f] of surfaces) {
      if ((x -= w) < 0) return f()
    }
    return surfaces[surfaces.length - 1][1]()
  }
}

export interface FuzzOutcome {
  status: number | 'closed' | 'timeout' | 'error'
  text: string
}

async function sendFetch(base: string, q: FuzzReq, timeoutMs: number): Promise<FuzzOutcome> {
  const noBody = q.method === 'GET' || q.method === 'HEAD'
  try {
    const res = await fetch(`${base}${q.path}`, { method: q.method, headers: q.headers, body: noBody ? undefined : q.body, signal: AbortSignal.timeout(timeoutMs) })
    return { status: res.status, text: q.method === 'HEAD' ? '' : await res.text() }
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } }
    if (err.name === 'TimeoutError') return { status: 'timeout', text: '' }
    // undici refuses some inputs before sending (invalid header values, methods): not the server's doing.
    if (err.name === 'TypeError' && !err.cause?.code) return { status: 'error', text: `client refused: ${err.message}` }
    return { status: 'closed', text: `${err.message} ${err.cause?.code ?? ''}` }
  }
}

function sendRaw(port: number, raw: string): Promise<FuzzOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let data = ''
    const done = (o: FuzzOutcome) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(o)
    }
    const timer = setTimeout(() => done(data ? parseRaw(data) : { status: 'timeout', text: '' }), 5_000)
    socket.on('data', (d) => {
      data += d.toString('latin1')
      if (/\r\n\r\n/.test(data)) done(parseRaw(data))
    })
    socket.on('error', () => done(data ? parseRaw(data) : { status: 'closed', text: '' }))
    socket.on('close', () => done(data ? parseRaw(data) : { status: 'closed', text: '' }))
    socket.write(raw, 'latin1')
  })
}

function parseRaw(data: string): FuzzOutcome {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(data)
  return m ? { status: Number(m[1]), text: data.slice(0, 300) } : { status: 'closed', text: data.slice(0, 100) }
}

export const STACK_TRACE = /\n\s+at [^\n]+\(|"stack"\s*:|at (async )?[A-Za-z.]+ \(\/[^)]+\.js:\d+/

/** Sends a request (over fetch, or raw bytes on a socket) and reads what came back. */
export function sendFuzzRequest(baseUrl: string, q: FuzzReq, timeoutMs: number): Promise<FuzzOutcome> {
  return q.raw !== undefined ? sendRaw(Number(new URL(baseUrl).port), q.raw) : sendFetch(baseUrl, q, timeoutMs)
}

/**
 * What is wrong with an answer, or undefined: a 5xx, a stack trace, no answer in time (except a
 * raw request that announces more body than it sends: the server rightly waits), or an HTTP
 * request whose connection was closed without an answer.
 */
export function fuzzFailure(q: FuzzReq, o: FuzzOutcome): string | undefined {
  const bad =
    (typeof o.status === 'number' && o.status >= 500) || (o.status === 'timeout' && !q.incomplete) || (o.status === 'closed' && q.raw === undefined) || STACK_TRACE.test(o.text)
  if (!bad) return undefined
  return `${o.status} ${q.method} ${q.path.slice(0, 160)} ${(q.body ?? q.raw ?? '').slice(0, 160).replace(/\s+/g, ' ')} -> ${o.text.slice(0, 240).replace(/\s+/g, ' ')}`
}
