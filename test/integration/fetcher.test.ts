/**
 * The metadata fetcher against real local servers, one test per hostile case.
 *
 * Network rule: every connection these tests make goes to 127.0.0.1 (or ::1). Refused targets
 * (10/8, 169.254.169.254, names resolving to private addresses) must be refused before any
 * connection; the `onDial` guard below would turn an accidental dial into a test failure
 * instead of real traffic, and `dialed` lets tests assert what was dialled.
 */
import zlib from 'node:zlib'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/processes'
import { MetadataError, PermanentError, RetryableError, type ErrorCode } from '../../src/core/errors'
import { parseRetryAfter } from '../../src/lib/http'
import { decodeDocument, JSON5_WARNING, SafeAgent, safeFetch, type DialTarget, type FetchResult, type LookupFunction, type SafeFetchOptions } from '../../src/metadata/fetcher'
import { body, gzipBomb, hang, huge, image, json, PNG_1X1, redirect, reset, slowDrip, startMetadataHost, status, type MetadataHost } from '../helpers/metadataHost'

const MIB = 1024 * 1024

// A self-signed certificate for DNS:metadata.test, valid 2000-2100, made for these tests only.
const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgXtopVJGjopfu5PUi
Qm+2hOdpd/DeAcdh4gFVn7rBsN+hRANCAAReaTGMrjYnBzA6Cq5qCpuBLow6oSKS
4ZPnRZFL2zKpd62sMkPmmc62S3/rBn/JUEYl5p5DTPbAQUts2aJTzkxl
-----END PRIVATE KEY-----
`
const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBbjCCAROgAwIBAgIBATAKBggqhkjOPQQDAjAYMRYwFAYDVQQDDA1tZXRhZGF0
YS50ZXN0MCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAYMRYwFAYD
VQQDDA1tZXRhZGF0YS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEXmkx
jK42JwcwOgquagqbgS6MOqEikuGT50WRS9syqXetrDJD5pnOtkt/6wZ/yVBGJeae
Q0z2wEFLbNmiU85MZaNMMEowGAYDVR0RBBEwD4INbWV0YWRhdGEudGVzdDAPBgNV
HRMBAf8EBTADAQH/MB0GA1UdDgQWBBRhidjoNx1oHDW7m4ydsv4/1PSUdTAKBggq
hkjOPQQDAgNJADBGAiEAuSduNl3LhGOKjBdA/xvT6sJfamm+QvuK+P8IVZ5SpvUC
IQCRiSjKWqLp9fIvKxC3o0hqg9EU4bULnzj/NL91g5suGw==
-----END CERTIFICATE-----
`

/** Fake DNS: no test ever asks the real resolver. */
const DNS: Record<string, string[]> = {
  'metadata.test': ['127.0.0.1'],
  'private.test': ['10.1.2.3'],
  'home.test': ['192.168.1.1'],
  'mixed.test': ['127.0.0.1', '10.0.0.1'],
}
const fakeLookup: LookupFunction = async (hostname) => {
  const addresses = DNS[hostname]
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}

const dialed: DialTarget[] = []
function loopbackOnly(target: DialTarget): void {
  dialed.push(target)
  if (target.address !== '127.0.0.1' && target.address !== '::1') {
    throw new Error(`test guard: refusing to dial ${target.address}`)
  }
}

let host: MetadataHost
/** A second local server whose port is NOT in the allow-list. */
let other: MetadataHost

function options(extra: SafeFetchOptions = {}): SafeFetchOptions {
  return { allow: [`127.0.0.1:${host.port}`], lookup: fakeLookup, onDial: loopbackOnly, timeoutMs: 5000, ...extra }
}

function fetchPath(path: string, extra: SafeFetchOptions = {}): Promise<FetchResult> {
  return safeFetch(host.urlFor(path), options(extra))
}

interface Expected {
  retryable: boolean
  code: ErrorCode
  status?: number
}

async function expectError(work: Promise<unknown>, expected: Expected): Promise<MetadataError> {
  const error = await work.then(
    () => expect.unreachable('expected the fetch to fail'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(expected.retryable ? RetryableError : PermanentError)
  const e = error as MetadataError
  expect({ code: e.code, retryable: e.retryable }).toEqual({ code: expected.code, retryable: expected.retryable })
  if (expected.status !== undefined) expect(e.status).toBe(expected.status)
  return e
}

/** Redirects from our host to `target` must be refused without connecting to `target`. */
async function expectRedirectRefused(target: string): Promise<MetadataError> {
  const path = `/to-${encodeURIComponent(target)}`
  host.route(path, redirect(target))
  const e = await expectError(fetchPath(path), { retryable: false, code: 'uri_disallowed' })
  expect(e.url).toBe(new URL(target).href) // the hop that was refused
  expect(e.cause).toBeDefined()
  expect(dialed.every((d) => d.port === host.port)).toBe(true)
  return e
}

beforeAll(async () => {
  host = await startMetadataHost()
  other = await startMetadataHost()
  other.route('/secret', json({ secret: true }))
})

afterAll(async () => {
  await host.close()
  await other.close()
})

afterEach(() => {
  dialed.length = 0
})

describe('safeFetch: healthy responses', () => {
  it('follows a redirect chain inside the allow-list and returns the final document', async () => {
    host
      .route('/start', redirect('/hop', 301))
      .route('/hop', redirect(`${host.url}/doc?x=1`, 307))
      .route('/doc', json({ name: 'Token #1' }))
    const result = await fetchPath('/start')
    expect(result).toMatchObject({ url: host.urlFor('/doc?x=1'), status: 200, redirects: [host.urlFor('/start'), host.urlFor('/hop')] })
    expect(result.contentType).toMatch(/^application\/json/)
    expect(decodeDocument(result)).toEqual({ kind: 'json', document: { name: 'Token #1' }, warnings: [] })
    const request = host.requests.at(-1)!
    expect(request.headers['user-agent']).toMatch(/^token-metadata-squid\//)
    expect(request.headers.accept).toBe('application/json, */*')
  })

  it('decodes gzip and brotli bodies', async () => {
    const doc = JSON.stringify({ name: 'compressed' })
    host.route('/gz', body(zlib.gzipSync(doc), { contentType: 'application/json', headers: { 'content-encoding': 'gzip' } }))
    host.route('/br', body(zlib.brotliCompressSync(doc), { contentType: 'application/json', headers: { 'content-encoding': 'br' } }))
    expect((await fetchPath('/gz')).body.toString()).toBe(doc)
    expect((await fetchPath('/br')).body.toString()).toBe(doc)
  })

  it('connects to the checked address of an allow-listed host name', async () => {
    host.route('/named', json({ ok: true }))
    const result = await safeFetch(`http://metadata.test:${host.port}/named`, options({ allow: [`metadata.test:${host.port}`] }))
    expect(result.status).toBe(200)
    expect(dialed).toEqual([{ hostname: 'metadata.test', address: '127.0.0.1', port: host.port }])
    expect(host.requests.at(-1)!.headers.host).toBe(`metadata.test:${host.port}`)
  })

  it('reuses a shared SafeAgent and refuses policy options next to it', async () => {
    host.route('/shared', json({ shared: true }))
    const agent = new SafeAgent({ allow: [`127.0.0.1:${host.port}`], onDial: loopbackOnly, connections: 1 })
    try {
      const before = host.connections
      for (let i = 0; i < 3; i++) await safeFetch(host.urlFor('/shared'), { agent })
      expect(host.connections - before).toBe(1) // keep-alive: fully read bodies give the socket back
      await expect(safeFetch(host.urlFor('/shared'), { agent, allow: ['10.0.0.0/8'] })).rejects.toThrow(TypeError)
    } finally {
      await agent.close()
    }
  })
})

describe('safeFetch: deadline', () => {
  it('ends a 1 byte/s drip as a timeout within the deadline', async () => {
    host.route('/drip', slowDrip(1))
    const started = Date.now()
    const e = await expectError(fetchPath('/drip', { timeoutMs: 1500 }), { retryable: true, code: 'timeout' })
    // Not before the deadline; a fetch that ignored it would drip for ever (the test's own timeout).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400)
    expect(e.url).toBe(host.urlFor('/drip'))
  })

  it('ends a server that never answers as a timeout', async () => {
    host.route('/hang', hang())
    const started = Date.now()
    // the host never answers: only the deadline ends the fetch (a hang would be the test's timeout)
    await expectError(fetchPath('/hang', { timeoutMs: 500 }), { retryable: true, code: 'timeout' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(450)
  })

  it('counts DNS resolution against the deadline', async () => {
    const never: LookupFunction = () => new Promise(() => undefined)
    const started = Date.now()
    // the lookup never answers: only the deadline ends the fetch
    await expectError(safeFetch('http://slow-dns.test/x', options({ lookup: never, timeoutMs: 300 })), { retryable: true, code: 'timeout' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
  })

  it('turns a caller abort into a retryable error', async () => {
    host.route('/hang', hang())
    const controller = new AbortController()
    const before = host.hits('/hang')
    const fetching = fetchPath('/hang', { signal: controller.signal })
    // abort once the host holds the request: the abort lands in the middle of the fetch
    await waitFor('the host to receive the request', async () => host.hits('/hang') > before, 10_000, 5)
    controller.abort()
    await expectError(fetching, { retryable: true, code: 'unable_to_retrieve_metadata' })
  })
})

describe('safeFetch: size caps', () => {
  it('refuses a body over the cap announced by Content-Length without reading it', async () => {
    host.route('/huge-cl', huge(64 * MIB, { withContentLength: true }))
    await expectError(fetchPath('/huge-cl', { maxBytes: MIB }), { retryable: false, code: 'response_too_large', status: 200 })
  })

  it('stops a chunked body without Content-Length at the cap', async () => {
    host.route('/huge-chunked', huge(64 * MIB, { withContentLength: false }))
    await expectError(fetchPath('/huge-chunked', { maxBytes: MIB }), { retryable: false, code: 'response_too_large' })
  })

  it('accepts a body of exactly the cap', async () => {
    host.route('/exact', huge(MIB, { withContentLength: false }))
    expect((await fetchPath('/exact', { maxBytes: MIB })).body.length).toBe(MIB)
  })

  it('stops a gzip bomb at the cap after decompression', async () => {
    host.route('/bomb', gzipBomb(100 * MIB))
    await expectError(fetchPath('/bomb'), { retryable: false, code: 'response_too_large' })
  })

  it('keeps memory bounded while refusing a 1 GiB gzip bomb', async () => {
    host.route('/gigabomb', gzipBomb(1024 * MIB))
    await fetchPath('/gigabomb', { maxBytes: MIB }).catch(() => undefined) // warm up code paths
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
    try {
      await expectError(fetchPath('/gigabomb'), { retryable: false, code: 'response_too_large' })
    } finally {
      clearInterval(sampler)
    }
    peak = Math.max(peak, process.memoryUsage().rss)
    expect(peak - baseline).toBeLessThan(50 * MIB)
  })

  it('reports a corrupt gzip body as undecodable', async () => {
    host.route('/bad-gzip', body(Buffer.from('definitely not gzip'), { contentType: 'application/json', headers: { 'content-encoding': 'gzip' } }))
    await expectError(fetchPath('/bad-gzip'), { retryable: false, code: 'unable_to_decode_response' })
  })
})

describe('safeFetch: redirects', () => {
  it('detects a redirect loop', async () => {
    host.route('/loop-a', redirect('/loop-b')).route('/loop-b', redirect('/loop-a'))
    await expectError(fetchPath('/loop-a'), { retryable: false, code: 'too_many_redirects' })
    expect(host.hits('/loop-a')).toBe(1)
  })

  it('gives up after maxRedirects hops', async () => {
    for (let i = 0; i < 7; i++) host.route(`/chain-${i}`, redirect(`/chain-${i + 1}`))
    host.route('/chain-7', json({ end: true }))
    await expectError(fetchPath('/chain-0'), { retryable: false, code: 'too_many_redirects' })
    expect((await fetchPath('/chain-2')).redirects).toHaveLength(5)
  })

  it('refuses a redirect to 127.0.0.1 on a port outside the allow-list, before connecting', async () => {
    const before = other.connections
    await expectRedirectRefused(other.urlFor('/secret'))
    expect(other.connections).toBe(before)
    expect(other.hits('/secret')).toBe(0)
  })

  it('refuses loopback spelled as a decimal or IPv4-mapped address', async () => {
    await expectRedirectRefused(`http://2130706433:${other.port}/secret`)
    await expectRedirectRefused(`http://[::ffff:127.0.0.1]:${other.port}/secret`)
    expect(other.hits('/secret')).toBe(0)
  })

  it('refuses a redirect to the cloud metadata address 169.254.169.254', async () => {
    const e = await expectRedirectRefused('http://169.254.169.254/latest/meta-data/')
    expect(e.message).toContain('link_local')
  })

  it('refuses a redirect to [::1]', async () => {
    await expectRedirectRefused(`http://[::1]:${host.port}/doc`)
  })

  it('refuses a redirect to 10.0.0.1', async () => {
    await expectRedirectRefused('http://10.0.0.1/')
  })

  it('refuses a redirect to a host name that resolves to 10.1.2.3', async () => {
    await expectRedirectRefused('http://private.test/token/1')
  })

  it('refuses a redirect to a host name that resolves to 192.168.1.1', async () => {
    await expectRedirectRefused('https://home.test/token/1')
  })

  it('refuses a host name when any of its addresses is private', async () => {
    await expectError(safeFetch(`http://mixed.test:${host.port}/doc`, options()), { retryable: false, code: 'uri_disallowed' })
    expect(dialed).toEqual([])
  })

  it('resolves and checks again for every new connection (DNS rebinding)', async () => {
    host.route('/rebind', json({ ok: true }))
    const answers = ['127.0.0.1', '10.0.0.1']
    const rebinding: LookupFunction = async () => [{ address: answers.shift() ?? '10.0.0.1', family: 4 }]
    const url = `http://rebind.test:${host.port}/rebind`
    expect((await safeFetch(url, options({ lookup: rebinding }))).status).toBe(200)
    await expectError(safeFetch(url, options({ lookup: rebinding })), { retryable: false, code: 'uri_disallowed' })
    expect(dialed.map((d) => d.address)).toEqual(['127.0.0.1'])
  })

  it('refuses URLs that do not parse', async () => {
    await expectError(safeFetch('not a url', options()), { retryable: false, code: 'uri_invalid' })
  })

  it('refuses non-http schemes, directly and as a redirect target', async () => {
    await expectError(safeFetch('file:///etc/passwd', options()), { retryable: false, code: 'uri_disallowed' })
    await expectError(safeFetch('ftp://example.com/x', options()), { retryable: false, code: 'uri_disallowed' })
    host.route('/to-file', redirect('file:///etc/passwd'))
    await expectError(fetchPath('/to-file'), { retryable: false, code: 'uri_disallowed' })
  })
})

describe('safeFetch: status codes', () => {
  it.each([
    [404, 'token_not_found'],
    [410, 'token_not_found'],
    [400, 'invalid_response_status_code'],
    [403, 'invalid_response_status_code'],
    [501, 'invalid_response_status_code'],
  ] as const)('%i is permanent %s', async (code, errorCode) => {
    host.route(`/status-${code}`, status(code, `status ${code} body`, { 'content-type': 'text/plain' }))
    const e = await expectError(fetchPath(`/status-${code}`), { retryable: false, code: errorCode, status: code })
    expect(e.body).toBe(`status ${code} body`)
    expect(e.url).toBe(host.urlFor(`/status-${code}`))
  })

  it.each([408, 500, 502, 504, 599])('%i is retryable invalid_response_status_code', async (code) => {
    host.route(`/status-${code}`, status(code, 'oops'))
    await expectError(fetchPath(`/status-${code}`), { retryable: true, code: 'invalid_response_status_code', status: code })
  })

  it('429 with Retry-After in seconds is rate_limited with retryAfterMs', async () => {
    host.route('/429-seconds', status(429, 'slow down', { 'retry-after': '120' }))
    const e = await expectError(fetchPath('/429-seconds'), { retryable: true, code: 'rate_limited', status: 429 })
    expect(e.retryAfterMs).toBe(120_000)
  })

  it('429 with Retry-After as an HTTP-date is rate_limited with retryAfterMs', async () => {
    // five minutes ahead (an HTTP-date has whole seconds): a slow run still reads well over four
    const at = new Date(Date.now() + 300_000).toUTCString()
    host.route('/429-date', status(429, undefined, { 'retry-after': at }))
    const e = await expectError(fetchPath('/429-date'), { retryable: true, code: 'rate_limited', status: 429 })
    expect(e.retryAfterMs).toBeGreaterThan(240_000)
    expect(e.retryAfterMs).toBeLessThanOrEqual(300_000)
    expect(e.body).toBeUndefined()
  })

  it('503 honours Retry-After', async () => {
    host.route('/503', status(503, 'maintenance', { 'retry-after': '7' }))
    const e = await expectError(fetchPath('/503'), { retryable: true, code: 'invalid_response_status_code', status: 503 })
    expect(e.retryAfterMs).toBe(7000)
  })

  it('keeps at most 1 KiB of an error body', async () => {
    host.route('/500-big', status(500, 'x'.repeat(100_000)))
    const e = await expectError(fetchPath('/500-big'), { retryable: true, code: 'invalid_response_status_code' })
    expect(e.body!.length).toBe(1024)
  })

  it('parses Retry-After forms and clamps them', () => {
    const now = Date.parse('2030-01-01T00:00:00Z')
    expect(parseRetryAfter('0', now)).toBe(0)
    expect(parseRetryAfter(' 5 ', now)).toBe(5000)
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:01:00 GMT', now)).toBe(60_000)
    expect(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0) // in the past
    expect(parseRetryAfter('99999999', now)).toBe(24 * 60 * 60 * 1000)
    for (const bad of [undefined, '', '-5', '1.5', 'soon', '2']) {
      if (bad !== '2') expect(parseRetryAfter(bad, now)).toBeUndefined()
    }
  })
})

describe('safeFetch: connection failures', () => {
  it('a connection reset is retryable unable_to_retrieve_metadata', async () => {
    host.route('/reset', reset())
    const e = await expectError(fetchPath('/reset'), { retryable: true, code: 'unable_to_retrieve_metadata' })
    expect(e.cause).toBeDefined()
  })

  it('a refused connection is retryable unable_to_retrieve_metadata', async () => {
    const closed = await startMetadataHost()
    const port = closed.port
    await closed.close()
    await expectError(safeFetch(`http://127.0.0.1:${port}/x`, options({ allow: [`127.0.0.1:${port}`] })), {
      retryable: true,
      code: 'unable_to_retrieve_metadata',
    })
  })

  it('a DNS failure is retryable unable_to_retrieve_metadata', async () => {
    await expectError(safeFetch('http://nowhere.test/x', options()), { retryable: true, code: 'unable_to_retrieve_metadata' })
    expect(dialed).toEqual([])
  })
})

describe('safeFetch: TLS', () => {
  let tlsHost: MetadataHost

  beforeAll(async () => {
    tlsHost = await startMetadataHost({ tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } })
    tlsHost.route('/doc', json({ name: 'over TLS' }))
  })

  afterAll(() => tlsHost.close())

  const tlsUrl = (): string => `https://metadata.test:${tlsHost.port}/doc`
  const tlsOptions = (extra: SafeFetchOptions = {}): SafeFetchOptions => options({ allow: [`127.0.0.1:${tlsHost.port}`], ...extra })

  it('verifies certificates: an untrusted one is refused', async () => {
    const e = await expectError(safeFetch(tlsUrl(), tlsOptions()), { retryable: true, code: 'unable_to_retrieve_metadata' })
    expect((e.cause as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
  })

  it('verifies the host name, not the dialled IP, against a trusted certificate', async () => {
    const result = await safeFetch(tlsUrl(), tlsOptions({ ca: TEST_TLS_CERT }))
    expect(decodeDocument(result)).toEqual({ kind: 'json', document: { name: 'over TLS' }, warnings: [] })
    expect(dialed.at(-1)!.address).toBe('127.0.0.1')
    // The same certificate does not cover the bare IP.
    const e = await expectError(safeFetch(`https://127.0.0.1:${tlsHost.port}/doc`, tlsOptions({ ca: TEST_TLS_CERT })), {
      retryable: true,
      code: 'unable_to_retrieve_metadata',
    })
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID')
  })
})

describe('decodeDocument on fetched bodies', () => {
  it('refuses invalid UTF-8', async () => {
    host.route('/latin1', body(Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]), { contentType: 'application/json' }))
    const result = await fetchPath('/latin1')
    expect(() => decodeDocument(result)).toThrow(PermanentError)
    await expectError(
      Promise.resolve().then(() => decodeDocument(result)),
      { retryable: false, code: 'unable_to_decode_response' },
    )
  })

  it('strips a UTF-8 BOM', async () => {
    host.route('/bom', body(`\uFEFF${JSON.stringify({ name: 'bom' })}`, { contentType: 'application/json' }))
    expect(decodeDocument(await fetchPath('/bom'))).toEqual({ kind: 'json', document: { name: 'bom' }, warnings: [] })
  })

  it('refuses 100,000-deep JSON without crashing', async () => {
    host.route('/deep', body('['.repeat(100_000) + ']'.repeat(100_000), { contentType: 'application/json' }))
    const result = await fetchPath('/deep')
    await expectError(
      Promise.resolve().then(() => decodeDocument(result)),
      { retryable: false, code: 'unable_to_decode_response' },
    )
    host.route('/deep-obj', body('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), { contentType: 'application/json' }))
    const objects = await fetchPath('/deep-obj')
    await expectError(
      Promise.resolve().then(() => decodeDocument(objects)),
      { retryable: false, code: 'unable_to_decode_response' },
    )
  })

  it('returns a JSON array and a JSON string as they are (the normaliser judges them)', async () => {
    host.route('/array', json([1, { name: 'x' }])).route('/string', json('just a string'))
    expect(decodeDocument(await fetchPath('/array'))).toEqual({ kind: 'json', document: [1, { name: 'x' }], warnings: [] })
    expect(decodeDocument(await fetchPath('/string'))).toEqual({ kind: 'json', document: 'just a string', warnings: [] })
  })

  it('parses a document with trailing commas, comments and single quotes as JSON5, with a warning', async () => {
    host.route(
      '/json5',
      body('{\n  // the team\'s CMS writes this\n  \'name\': \'Lenient #1\',\n  "attributes": [{ "trait_type": "Eyes", "value": \'Big\', },],\n}', {
        contentType: 'application/json',
      }),
    )
    expect(decodeDocument(await fetchPath('/json5'))).toEqual({
      kind: 'json',
      document: { name: 'Lenient #1', attributes: [{ trait_type: 'Eyes', value: 'Big' }] },
      warnings: [JSON5_WARNING],
    })
  })

  it('refuses an HTML page answered with 200', async () => {
    host.route('/html', body('<!DOCTYPE html><html><body>Gateway error</body></html>', { contentType: 'text/html' }))
    const result = await fetchPath('/html')
    const e = await expectError(
      Promise.resolve().then(() => decodeDocument(result)),
      { retryable: false, code: 'unable_to_decode_response' },
    )
    expect(e.body).toContain('Gateway error')
    expect(e.status).toBe(200)
  })

  it('turns an image content type into the image field, keyed by the requested URL', async () => {
    host.route('/img-redirect', redirect('/img')).route('/img', image())
    const result = await fetchPath('/img-redirect')
    expect(decodeDocument(result)).toEqual({ kind: 'media', field: 'image', url: host.urlFor('/img-redirect') })
  })

  it('turns video, audio and model types into animation_url', async () => {
    for (const type of ['video/mp4', 'audio/mpeg', 'model/gltf-binary']) {
      host.route('/media', image({ contentType: type, content: Buffer.from('bytes') }))
      expect(decodeDocument(await fetchPath('/media'))).toMatchObject({ kind: 'media', field: 'animation_url' })
    }
  })

  it('sniffs magic bytes when the content type is missing or generic', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(16)])
    const cases: Array<[Buffer, string | null, string]> = [
      [PNG_1X1, null, 'image'],
      [PNG_1X1, 'application/octet-stream', 'image'],
      [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), null, 'image'],
      [Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), 'application/octet-stream', 'image'],
      [Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]), null, 'image'],
      [mp4, 'application/octet-stream', 'animation_url'],
      [Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'), null, 'image'],
    ]
    for (const [content, contentType, field] of cases) {
      host.route('/sniff', image({ contentType, content }))
      expect(decodeDocument(await fetchPath('/sniff')), `${contentType} ${content.subarray(0, 8).toString('hex')}`).toMatchObject({ kind: 'media', field })
    }
    host.route('/sniff', image({ contentType: null, content: Buffer.from('{"name":"json without type"}') }))
    expect(decodeDocument(await fetchPath('/sniff'))).toEqual({ kind: 'json', document: { name: 'json without type' }, warnings: [] })
  })
})
