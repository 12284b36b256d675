import { describe, expect, it } from 'vitest'
import { PermanentError, type ErrorCode, type TokenStandardName } from '../../../src/core'
import { localeUris, resolveUri, substituteTokenId, type FetchPlan, type GatewayConfig, type InlineFetchPlan } from '../../../src/metadata'

const CID0 = 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'
const CID1 = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'
const TX = 'bNbA3TEQVL60xlgCcqdz4ZPHFZ711cZ3hmkpGttDt_U'
const GW = 'https://gw.example'

const gateways: GatewayConfig = {
  ipfsGateway: GW,
  arweaveGateway: 'https://ar.example',
  rewriteGateways: ['ipfs.io', 'gateway.pinata.cloud', 'cloudflare-ipfs.com', 'dweb.link', 'nftstorage.link', '*.mypinata.cloud'],
}

interface Extra {
  tokenId?: bigint
  standard?: TokenStandardName
  gateways?: GatewayConfig
}

function plan(raw: string, extra: Extra = {}): FetchPlan {
  return resolveUri(raw, { gateways, ...extra })
}

function url(raw: string, extra: Extra = {}): string {
  const p = plan(raw, extra)
  if (p.kind !== 'http') throw new Error(`expected an http plan, got ${JSON.stringify(p)}`)
  return p.url
}

function inline(raw: string, extra: Extra = {}): InlineFetchPlan {
  const p = plan(raw, extra)
  if (p.kind !== 'inline') throw new Error(`expected an inline plan, got ${JSON.stringify(p)}`)
  return p
}

function errorCode(raw: string, extra: Extra = {}): ErrorCode {
  try {
    plan(raw, extra)
  } catch (e) {
    if (e instanceof PermanentError) return e.code
    throw e
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`)
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64')

describe('resolveUri: trimming', () => {
  it('trims surrounding whitespace and newlines', () => {
    expect(url(`  \n\tipfs://${CID0}/1\r\n `)).toBe(`${GW}/ipfs/${CID0}/1`)
  })

  it.each([
    ['double quotes', `"ipfs://${CID0}"`],
    ['single quotes', `'ipfs://${CID0}'`],
    ['backticks', `\`ipfs://${CID0}\``],
    ['a UTF-8 BOM', `\uFEFFipfs://${CID0}`],
    ['a BOM, whitespace and nested quotes', `\uFEFF  "'ipfs://${CID0}'" `],
    ['trailing NUL padding from a fixed-size contract string', `ipfs://${CID0}\u0000\u0000\u0000`],
  ])('strips %s around the URI', (_label, raw) => {
    expect(url(raw)).toBe(`${GW}/ipfs/${CID0}`)
  })

  it.each([
    ['an empty string', ''],
    ['only whitespace', ' \n\t '],
    ['an empty quoted string', '""'],
    ['only a BOM', '\uFEFF'],
    ['only NULs', '\u0000\u0000'],
  ])('rejects %s as uri_missing', (_label, raw) => {
    expect(errorCode(raw)).toBe('uri_missing')
  })
})

describe('resolveUri: ipfs', () => {
  it('maps ipfs://<cid> to the configured gateway', () => {
    expect(url(`ipfs://${CID0}`)).toBe(`${GW}/ipfs/${CID0}`)
  })

  it('keeps the path after the CID', () => {
    expect(url(`ipfs://${CID1}/metadata/7.json`)).toBe(`${GW}/ipfs/${CID1}/metadata/7.json`)
  })

  it('ipfs://ipfs/<cid> drops the duplicated ipfs segment', () => {
    expect(url(`ipfs://ipfs/${CID0}/1`)).toBe(`${GW}/ipfs/${CID0}/1`)
  })

  it('drops any number of duplicated ipfs segments, in any case', () => {
    expect(url(`ipfs://IPFS/ipfs//${CID0}/1`)).toBe(`${GW}/ipfs/${CID0}/1`)
  })

  it('accepts ipfs:/<cid> with a single slash', () => {
    expect(url(`ipfs:/${CID0}/2`)).toBe(`${GW}/ipfs/${CID0}/2`)
  })

  it('accepts ipfs:///<cid> with three slashes', () => {
    expect(url(`ipfs:///${CID0}/3`)).toBe(`${GW}/ipfs/${CID0}/3`)
  })

  it('accepts ipfs:<cid> with no slashes', () => {
    expect(url(`ipfs:${CID0}`)).toBe(`${GW}/ipfs/${CID0}`)
  })

  it('accepts an upper-case scheme', () => {
    expect(url(`IPFS://${CID1}/4`)).toBe(`${GW}/ipfs/${CID1}/4`)
  })

  it('treats a bare CIDv0 as ipfs', () => {
    expect(url(CID0)).toBe(`${GW}/ipfs/${CID0}`)
  })

  it('treats a bare CIDv1 with a path as ipfs', () => {
    expect(url(`${CID1}/5.json`)).toBe(`${GW}/ipfs/${CID1}/5.json`)
  })

  it('treats an /ipfs/<cid> path as ipfs', () => {
    expect(url(`/ipfs/${CID0}/6`)).toBe(`${GW}/ipfs/${CID0}/6`)
  })

  it('treats an ipfs/<cid> path without the leading slash as ipfs', () => {
    expect(url(`ipfs/${CID0}/6`)).toBe(`${GW}/ipfs/${CID0}/6`)
  })

  it('keeps the query string of ipfs://<cid>/path?query', () => {
    expect(url(`ipfs://${CID1}/a.json?v=2&x=y`)).toBe(`${GW}/ipfs/${CID1}/a.json?v=2&x=y`)
  })

  it('drops the fragment, which is never sent to a server', () => {
    expect(url(`ipfs://${CID0}/1#section`)).toBe(`${GW}/ipfs/${CID0}/1`)
  })

  it('percent-encodes spaces in the path', () => {
    expect(url(`ipfs://${CID0}/My Token 1.json`)).toBe(`${GW}/ipfs/${CID0}/My%20Token%201.json`)
  })

  it('never appends .json', () => {
    expect(url(`ipfs://${CID0}/42`)).toBe(`${GW}/ipfs/${CID0}/42`)
    expect(url('https://api.example.com/token/42')).toBe('https://api.example.com/token/42')
  })

  it.each([
    ['ipfs:// with nothing after it', 'ipfs://'],
    ['ipfs://ipfs/ with no CID', 'ipfs://ipfs/'],
    ['a CID containing punctuation', 'ipfs://Qm$notacid/1'],
  ])('rejects %s as uri_invalid', (_label, raw) => {
    expect(errorCode(raw)).toBe('uri_invalid')
  })

  it('rejects a path that climbs out of the CID with ..', () => {
    expect(errorCode(`ipfs://${CID0}/../../admin`)).toBe('uri_invalid')
    expect(errorCode(`ipfs://${CID0}/%2e%2e/%2e%2e/admin`)).toBe('uri_invalid')
  })
})

describe('resolveUri: configured gateways', () => {
  it('works with a trailing slash on the configured gateway', () => {
    expect(url(`ipfs://${CID0}/1`, { gateways: { ...gateways, ipfsGateway: `${GW}/` } })).toBe(`${GW}/ipfs/${CID0}/1`)
  })

  it('keeps a path prefix of the configured gateway', () => {
    expect(url(`ipfs://${CID0}/1`, { gateways: { ...gateways, ipfsGateway: 'https://proxy.example/gw/' } })).toBe(`https://proxy.example/gw/ipfs/${CID0}/1`)
  })

  it('does not double the ipfs segment when the gateway is configured as …/ipfs/', () => {
    expect(url(`ipfs://${CID0}/1`, { gateways: { ...gateways, ipfsGateway: 'https://ipfs.io/ipfs/' } })).toBe(`https://ipfs.io/ipfs/${CID0}/1`)
  })

  it('works with a trailing slash on the arweave gateway', () => {
    expect(url(`ar://${TX}`, { gateways: { ...gateways, arweaveGateway: 'https://arweave.net/' } })).toBe(`https://arweave.net/${TX}`)
  })

  it('reports an unparseable configured gateway as a configuration error, not a token error', () => {
    expect(() => plan(`ipfs://${CID0}`, { gateways: { ...gateways, ipfsGateway: 'not a url' } })).toThrow(/configured gateway/)
    expect(() => plan(`ipfs://${CID0}`, { gateways: { ...gateways, ipfsGateway: 'not a url' } })).not.toThrow(PermanentError)
  })
})

describe('resolveUri: public gateway rewrite', () => {
  it('rewrites a path-form gateway URL keeping path and query', () => {
    expect(url(`https://ipfs.io/ipfs/${CID0}/x.json?y=1`)).toBe(`${GW}/ipfs/${CID0}/x.json?y=1`)
  })

  it('rewrites a path-form gateway URL without a query', () => {
    expect(url(`https://gateway.pinata.cloud/ipfs/${CID1}/7`)).toBe(`${GW}/ipfs/${CID1}/7`)
  })

  it('rewrites a dedicated *.mypinata.cloud gateway, keeping its token query', () => {
    expect(url(`https://myproject.mypinata.cloud/ipfs/${CID0}/8?pinataGatewayToken=abc`)).toBe(`${GW}/ipfs/${CID0}/8?pinataGatewayToken=abc`)
  })

  it('does not let *.mypinata.cloud match the bare domain', () => {
    expect(url(`https://mypinata.cloud/ipfs/${CID0}`)).toBe(`https://mypinata.cloud/ipfs/${CID0}`)
  })

  it('rewrites the subdomain form <cid>.ipfs.<host> keeping path and query', () => {
    expect(url(`https://${CID1}.ipfs.dweb.link/meta/9.json?a=b`)).toBe(`${GW}/ipfs/${CID1}/meta/9.json?a=b`)
  })

  it('rewrites the subdomain form with no path', () => {
    expect(url(`https://${CID1}.ipfs.nftstorage.link/`)).toBe(`${GW}/ipfs/${CID1}`)
  })

  it('rewrites a plain-http gateway URL to the configured https gateway', () => {
    expect(url(`http://cloudflare-ipfs.com/ipfs/${CID0}/1`)).toBe(`${GW}/ipfs/${CID0}/1`)
  })

  it('rewrites an /ipns/ path on a public gateway to /ipns/ on the configured one', () => {
    expect(url('https://ipfs.io/ipns/app.example.eth/meta/1')).toBe(`${GW}/ipns/app.example.eth/meta/1`)
  })

  it('drops a duplicated ipfs segment inside a gateway URL', () => {
    expect(url(`https://ipfs.io/ipfs/ipfs/${CID0}/1`)).toBe(`${GW}/ipfs/${CID0}/1`)
  })

  it('leaves /ipfs/ URLs on hosts that are not listed alone', () => {
    expect(url(`https://meta.example.com/ipfs/${CID0}/1?q=1`)).toBe(`https://meta.example.com/ipfs/${CID0}/1?q=1`)
  })

  it('leaves non-content paths on a listed host alone', () => {
    expect(url('https://ipfs.io/docs/page?x=1')).toBe('https://ipfs.io/docs/page?x=1')
  })
})

describe('resolveUri: ipns and ar', () => {
  it('maps ipns://<name> to <gateway>/ipns/<name>', () => {
    expect(url('ipns://k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8/1.json')).toBe(
      `${GW}/ipns/k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8/1.json`,
    )
  })

  it('maps a DNSLink ipns name', () => {
    expect(url('ipns://nft.example.org/3')).toBe(`${GW}/ipns/nft.example.org/3`)
  })

  it('reads ipfs://ipns/<name> as ipns', () => {
    expect(url('ipfs://ipns/nft.example.org/3')).toBe(`${GW}/ipns/nft.example.org/3`)
  })

  it('maps ar://<txid> to the arweave gateway', () => {
    expect(url(`ar://${TX}`)).toBe(`https://ar.example/${TX}`)
  })

  it('keeps path and query of ar:// URIs', () => {
    expect(url(`ar://${TX}/12.json?v=1`)).toBe(`https://ar.example/${TX}/12.json?v=1`)
  })

  it('accepts ar:/// with extra slashes and an upper-case scheme', () => {
    expect(url(`AR:///${TX}/1`)).toBe(`https://ar.example/${TX}/1`)
  })

  it('rejects ar:// without a transaction id', () => {
    expect(errorCode('ar://')).toBe('uri_invalid')
  })
})

describe('resolveUri: http(s)', () => {
  it('passes an https URL through', () => {
    expect(url('https://api.example.com/metadata/1?format=json')).toBe('https://api.example.com/metadata/1?format=json')
  })

  it('allows plain http (address checks belong to the fetcher)', () => {
    expect(url('http://api.example.com/1')).toBe('http://api.example.com/1')
  })

  it('reads a protocol-relative //host/path as https', () => {
    expect(url('//api.example.com/1')).toBe('https://api.example.com/1')
  })

  it('rejects an http URI without a host', () => {
    expect(errorCode('https://')).toBe('uri_invalid')
  })
})

describe('resolveUri: {id} substitution', () => {
  it('ERC-1155 {id} becomes 64 lower-case hex digits without 0x', () => {
    expect(url('https://api.example.com/{id}.json', { standard: 'ERC1155', tokenId: 255n })).toBe(`https://api.example.com/${'0'.repeat(62)}ff.json`)
  })

  it('ERC-1155 {id} handles a 77-digit token id', () => {
    const id = 10n ** 76n
    expect(id.toString()).toHaveLength(77)
    expect(url('https://api.example.com/{id}', { standard: 'ERC1155', tokenId: id })).toBe(
      'https://api.example.com/161bcca7119915b50764b4abe86529797775a5f1719510000000000000000000',
    )
  })

  it('ERC-1155 {ID} in upper case is substituted too', () => {
    expect(url('https://api.example.com/{ID}', { standard: 'ERC1155', tokenId: 1n })).toBe(`https://api.example.com/${'0'.repeat(63)}1`)
  })

  it('ERC-1155 percent-encoded %7Bid%7D is substituted', () => {
    expect(url('https://api.example.com/%7Bid%7D.json', { standard: 'ERC1155', tokenId: 16n })).toBe(`https://api.example.com/${'0'.repeat(62)}10.json`)
  })

  it('ERC-1155 substitutes every occurrence, including inside ipfs URIs', () => {
    expect(url(`ipfs://${CID0}/{id}/{id}.json`, { standard: 'ERC1155', tokenId: 10n })).toBe(`${GW}/ipfs/${CID0}/${'0'.repeat(63)}a/${'0'.repeat(63)}a.json`)
  })

  it('SIP-009 {id} becomes the decimal token id', () => {
    expect(url('https://api.example.com/nft/{id}.json', { standard: 'SIP009', tokenId: 1234n })).toBe('https://api.example.com/nft/1234.json')
  })

  it('SIP-013 {id} keeps a uint128 id exact in decimal', () => {
    const id = (1n << 128n) - 1n
    expect(url('ipfs://' + CID0 + '/{id}', { standard: 'SIP013', tokenId: id })).toBe(`${GW}/ipfs/${CID0}/${id.toString()}`)
  })

  it('token id 0 is substituted (it is a valid id)', () => {
    expect(url('https://api.example.com/{id}', { standard: 'SIP009', tokenId: 0n })).toBe('https://api.example.com/0')
  })

  it('ERC-721 leaves {id} alone', () => {
    expect(url('https://api.example.com/{id}', { standard: 'ERC721', tokenId: 5n })).toBe('https://api.example.com/%7Bid%7D')
  })

  it('leaves {id} alone when no token id is known', () => {
    expect(url('https://api.example.com/{id}', { standard: 'ERC1155' })).toBe('https://api.example.com/%7Bid%7D')
  })

  it('fungible SIP-010 URIs take no id, so {id} is left alone', () => {
    expect(substituteTokenId('x/{id}', { standard: 'SIP010', tokenId: 0n })).toBe('x/{id}')
  })

  it('does not substitute inside data: payloads (the normaliser handles JSON values)', () => {
    const p = inline('data:application/json;utf8,{"image":"ipfs://x/{id}.png"}', { standard: 'ERC1155', tokenId: 1n })
    expect(p.text).toBe('{"image":"ipfs://x/{id}.png"}')
  })
})

describe('resolveUri: data: URIs', () => {
  const doc = { name: 'Frog #1', description: 'a frog' }

  it('decodes ;base64, JSON', () => {
    expect(inline(`data:application/json;base64,${b64(doc)}`)).toEqual({
      kind: 'inline',
      mediaType: 'application/json',
      text: JSON.stringify(doc),
      source: 'data-uri',
    })
  })

  it('decodes multi-byte UTF-8 inside base64', () => {
    expect(JSON.parse(inline(`data:application/json;base64,${b64({ name: 'Ünïcødé 🐸' })}`).text)).toEqual({ name: 'Ünïcødé 🐸' })
  })

  it('keeps raw JSON after ;utf8,', () => {
    expect(inline('data:application/json;utf8,{"name":"A"}').text).toBe('{"name":"A"}')
  })

  it('keeps raw JSON after ;charset=utf-8,', () => {
    expect(inline('data:application/json;charset=utf-8,{"name":"A"}')).toMatchObject({ mediaType: 'application/json', text: '{"name":"A"}' })
  })

  it('decodes ;charset=UTF-8;base64,', () => {
    expect(inline(`data:application/json;charset=UTF-8;base64,${b64(doc)}`).text).toBe(JSON.stringify(doc))
  })

  it('decodes a percent-encoded payload', () => {
    expect(inline(`data:application/json,${encodeURIComponent(JSON.stringify(doc))}`).text).toBe(JSON.stringify(doc))
  })

  it('keeps raw JSON with a literal %, # and spaces unchanged', () => {
    const text = '{"name":"100% frog","background_color":"#00ff00","description":"a b"}'
    expect(inline(`data:application/json,${text}`).text).toBe(text)
  })

  it('sniffs application/json when the media type is missing', () => {
    expect(inline('data:,{"name":"A"}')).toMatchObject({ mediaType: 'application/json', text: '{"name":"A"}' })
  })

  it('decodes ;base64 with no media type', () => {
    expect(inline(`data:;base64,${b64(doc)}`)).toMatchObject({ mediaType: 'application/json', text: JSON.stringify(doc) })
  })

  it('reports text/plain for a missing media type with non-JSON text', () => {
    expect(inline('data:,hello%20world')).toMatchObject({ mediaType: 'text/plain', text: 'hello world' })
  })

  it('decodes base64url', () => {
    expect(inline('data:application/json;base64,eyJuIjoiYT8-In0').text).toBe('{"n":"a?>"}')
  })

  it('ignores whitespace and line breaks inside base64', () => {
    const encoded = b64(doc).replace(/(.{8})/g, '$1\n ')
    expect(inline(`data:application/json;base64,${encoded}`).text).toBe(JSON.stringify(doc))
  })

  it('accepts percent-encoded base64 padding', () => {
    expect(inline('data:application/json;base64,eyJuIjoiYT8+In0%3D').text).toBe('{"n":"a?>"}')
  })

  it('accepts an upper-case header', () => {
    expect(inline(`DATA:APPLICATION/JSON;BASE64,${b64(doc)}`)).toMatchObject({ mediaType: 'application/json', text: JSON.stringify(doc) })
  })

  it('strips a BOM inside the decoded payload', () => {
    expect(inline('data:application/json;base64,77u/eyJuYW1lIjoiYm9tIn0=').text).toBe('{"name":"bom"}')
  })

  it('decodes base64 JSON whose ;base64 flag was forgotten', () => {
    expect(inline(`data:application/json,${b64(doc)}`).text).toBe(JSON.stringify(doc))
  })

  it('decodes a percent-encoded SVG and reports its media type', () => {
    expect(inline("data:image/svg+xml;utf8,%3Csvg%20fill='%23fff'%3E%3C/svg%3E")).toMatchObject({
      mediaType: 'image/svg+xml',
      text: "<svg fill='#fff'></svg>",
    })
  })

  it('keeps a raw SVG with a literal % unchanged', () => {
    expect(inline('data:image/svg+xml;utf8,<svg width="100%"></svg>').text).toBe('<svg width="100%"></svg>')
  })

  it('rejects malformed base64 as uri_invalid', () => {
    expect(errorCode('data:application/json;base64,eyJu@@@!!')).toBe('uri_invalid')
  })

  it('rejects malformed percent-encoding as uri_invalid', () => {
    expect(errorCode('data:application/json,%7B%22a%22%3A%ZZ%7D')).toBe('uri_invalid')
  })

  // Correctness on hostile lengths; a quadratic (backtracking) implementation would not finish
  // within the test timeout. Speed itself belongs to benchmarks, not to a timed assertion here.
  it('handles long inner runs of whitespace and padding (hostile URIs)', () => {
    const spaced = `{"a":"x${' '.repeat(200_000)}y"}`
    expect(inline(`  data:application/json,${spaced}  x`).text).toBe(`${spaced}  x`)
    expect(errorCode(`data:application/json;base64,a${'='.repeat(200_000)}b`)).toBe('uri_invalid')
  })

  it('rejects a data: URI without a comma as uri_invalid', () => {
    expect(errorCode('data:application/json;base64')).toBe('uri_invalid')
  })
})

describe('resolveUri: raw JSON in place of a URI', () => {
  it('returns raw JSON as an inline document', () => {
    expect(inline('{"name":"On-chain"}')).toEqual({
      kind: 'inline',
      mediaType: 'application/json',
      text: '{"name":"On-chain"}',
      source: 'raw-json',
    })
  })

  it('strips a BOM and whitespace before raw JSON', () => {
    expect(inline('\uFEFF \n{"name":"A"} ').text).toBe('{"name":"A"}')
  })

  it('strips quotes around raw JSON', () => {
    expect(inline(`'{"name":"A"}'`).text).toBe('{"name":"A"}')
  })
})

describe('resolveUri: rejected URIs', () => {
  it.each([
    ['file:', 'file:///etc/passwd'],
    ['ftp:', 'ftp://files.example.com/1.json'],
    ['javascript:', 'javascript:alert(1)'],
    ['ws:', 'ws://example.com/socket'],
    ['gopher:', 'gopher://example.com/1'],
    ['a Windows drive path', 'C:\\metadata\\1.json'],
  ])('rejects %s as uri_disallowed', (_label, raw) => {
    expect(errorCode(raw)).toBe('uri_disallowed')
  })

  it('rejects text that is neither a URI nor a CID as uri_invalid', () => {
    expect(errorCode('not a uri')).toBe('uri_invalid')
  })

  it('throws a non-retryable PermanentError that carries the URI', () => {
    let caught: unknown
    try {
      plan('ftp://files.example.com/1.json')
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(PermanentError)
    expect(caught).toMatchObject({ retryable: false, code: 'uri_disallowed', url: 'ftp://files.example.com/1.json' })
  })
})

describe('resolveUri: localization URIs', () => {
  it('resolves each localized ipfs URI with {locale} and ERC-1155 {id} substituted', () => {
    const info = { uri: `ipfs://${CID0}/{id}/{locale}.json`, default: 'en', locales: ['en', 'es', 'pt-BR'] }
    const ctx = { standard: 'ERC1155' as const, tokenId: 2n }
    const urls = localeUris(info, ctx).map((l) => ({ locale: l.locale, url: url(l.uri, ctx) }))
    expect(urls).toEqual([
      { locale: 'es', url: `${GW}/ipfs/${CID0}/${'0'.repeat(63)}2/es.json` },
      { locale: 'pt-BR', url: `${GW}/ipfs/${CID0}/${'0'.repeat(63)}2/pt-BR.json` },
    ])
  })

  it('resolves SIP-016 localized URIs with a decimal {id}', () => {
    const info = { uri: 'https://api.example.com/{locale}/{id}.json', default: 'en', locales: ['de'] }
    const ctx = { standard: 'SIP009' as const, tokenId: 77n }
    expect(localeUris(info, ctx).map((l) => url(l.uri, ctx))).toEqual(['https://api.example.com/de/77.json'])
  })
})
