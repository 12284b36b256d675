/**
 * Token URI -> FetchPlan (docs/architecture.md §5). Pure: no I/O, no clock, no randomness; the same
 * (raw, options) always give the same plan or the same PermanentError.
 *
 * Error codes:
 * - `uri_missing`: nothing left after trimming whitespace, quotes and BOMs;
 * - `uri_invalid`: not parseable (no CID, bad base64, bad percent-encoding, unknown shape);
 * - `uri_disallowed`: a scheme other than http, https, ipfs, ipns, ar, data.
 */
import { idSubstitution, isFungible, PermanentError, type ErrorCode, type TokenStandardName } from '../core'
import type { FetchPlan, GatewayConfig, HttpFetchPlan, InlineFetchPlan } from './types'

export interface ResolveUriOptions {
  tokenId?: bigint
  standard?: TokenStandardName
  gateways: GatewayConfig
}

export interface TokenIdContext {
  tokenId?: bigint
  standard?: TokenStandardName
}

type Namespace = 'ipfs' | 'ipns'

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/
/** CIDv0 (base58btc, 46 chars) or CIDv1 in base32 (`bafy…`, `bafk…`), the forms seen bare. */
const BARE_CID = /^(?:Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{58,})(?=$|[/?#])/
/** A CID in any multibase is alphanumeric; this is a shape check, not a CID decoder. */
const CID_SHAPE = /^[A-Za-z0-9]+$/
/** IPNS names are keys (alphanumeric) or DNSLink domain names. */
const IPNS_NAME_SHAPE = /^[A-Za-z0-9][A-Za-z0-9.-]*$/
/** Arweave transaction ids (and ArNS names) are base64url. */
const AR_TX_SHAPE = /^[A-Za-z0-9_-]+$/
/** Characters that trimming removes from both ends: whitespace (incl. BOM), NUL, zero-width space. */
const EDGE_JUNK = /[\s\u0000\u200B]/
const QUOTES = new Set(["'", '"', '`'])
/** `{id}` in any letter case, and its percent-encoded form (seen in URIs that were encoded once). */
const ID_PLACEHOLDER = /\{id\}|%7Bid%7D/gi

const utf8 = new TextDecoder('utf-8')

export function resolveUri(raw: string, opts: ResolveUriOptions): FetchPlan {
  const uri = typeof raw === 'string' ? cleanUriText(raw) : ''
  if (uri === '') throw uriError('uri_missing', 'token URI is empty', raw)
  // Raw JSON and data: payloads are documents, not addresses: `{id}` inside them is a JSON value
  // and is substituted by the normaliser, never here.
  if (uri.startsWith('{')) return { kind: 'inline', mediaType: 'application/json', text: uri, source: 'raw-json' }
  const scheme = schemeOf(uri)
  if (scheme === 'data') return resolveDataUri(uri)

  const withId = substituteTokenId(uri, opts)
  if (scheme === undefined) return resolveSchemeless(withId, opts.gateways, raw)
  const rest = withId.slice(scheme.length + 1)
  switch (scheme) {
    case 'http':
    case 'https':
      return resolveHttp(withId, opts.gateways, raw)
    case 'ipfs':
      return httpPlan(contentUrl(opts.gateways, 'ipfs', rest, raw))
    case 'ipns':
      return httpPlan(contentUrl(opts.gateways, 'ipns', rest, raw))
    case 'ar':
      return httpPlan(arweaveUrl(opts.gateways, rest, raw))
    default:
      throw uriError('uri_disallowed', `URI scheme "${scheme}" is not allowed`, raw)
  }
}

/**
 * Replaces `{id}` (any case, also `%7Bid%7D`) with the token id in the form the standard asks
 * for: ERC-1155 = 64 lower-case hex digits without 0x, SIP-016 = decimal. Other standards, and
 * fungible tokens (their URI functions take no id), leave the placeholder alone.
 */
export function substituteTokenId(text: string, ctx: TokenIdContext): string {
  const { tokenId, standard } = ctx
  if (tokenId === undefined || tokenId < 0n || (standard !== undefined && isFungible(standard))) return text
  const mode = idSubstitution(standard)
  if (mode === 'none') return text
  const value = mode === 'hex64' ? tokenId.toString(16).padStart(64, '0') : tokenId.toString(10)
  return text.replace(ID_PLACEHOLDER, value)
}

/** Strips surrounding whitespace, NULs, BOMs and matching quote pairs, as often as they nest. */
export function cleanUriText(raw: string): string {
  let current = raw
  for (;;) {
    const next = stripQuotePair(trimWhile(current, (c) => EDGE_JUNK.test(c)))
    if (next === current) return current
    current = next
  }
}

/**
 * Trims characters matching `junk` from both ends with index loops: an end-anchored regex such
 * as /\s+$/ is quadratic on a long inner run, and URIs come from hostile contracts.
 */
function trimWhile(s: string, junk: (c: string) => boolean): string {
  let start = 0
  let end = s.length
  while (start < end && junk(s[start])) start++
  while (end > start && junk(s[end - 1])) end--
  return start === 0 && end === s.length ? s : s.slice(start, end)
}

function stripQuotePair(s: string): string {
  if (s.length >= 2 && QUOTES.has(s[0]) && s[s.length - 1] === s[0]) return s.slice(1, -1)
  return s
}

function schemeOf(uri: string): string | undefined {
  const match = SCHEME.exec(uri)
  return match ? match[1].toLowerCase() : undefined
}

// ---------------------------------------------------------------------------------------------
// URIs without a scheme: bare CIDs, `/ipfs/<cid>` paths, protocol-relative URLs

function resolveSchemeless(uri: string, gateways: GatewayConfig, raw: string): HttpFetchPlan {
  if (uri.startsWith('//')) return resolveHttp(`https:${uri}`, gateways, raw)
  const path = /^\/?(ipfs|ipns)\/(.*)$/is.exec(uri)
  if (path) return httpPlan(contentUrl(gateways, path[1].toLowerCase() as Namespace, path[2], raw))
  if (BARE_CID.test(uri)) return httpPlan(contentUrl(gateways, 'ipfs', uri, raw))
  throw uriError('uri_invalid', 'token URI has no scheme and is not a CID or an /ipfs/ path', raw)
}

// ---------------------------------------------------------------------------------------------
// ipfs:// and ipns:// (and everything rewritten to them)

/**
 * Builds `<gateway>/<ns>/<root><rest>` from what follows the scheme, tolerating the broken
 * forms seen on chain: any number of slashes (`ipfs:/`, `ipfs:///`) and a duplicated namespace
 * segment (`ipfs://ipfs/<cid>`). `ipfs://ipns/<name>` is taken to mean IPNS.
 */
function contentUrl(gateways: GatewayConfig, ns: Namespace, afterScheme: string, raw: string): string {
  let namespace = ns
  let rest = afterScheme.replace(/^\/+/, '')
  for (;;) {
    const dup = /^(ipfs|ipns)\/+/i.exec(rest)
    if (!dup) break
    namespace = dup[1].toLowerCase() as Namespace
    rest = rest.slice(dup[0].length)
  }
  const split = /^([^/?#]*)(.*)$/s.exec(rest)
  const root = split ? split[1] : ''
  const tail = split ? split[2] : ''
  if (root === '') throw uriError('uri_invalid', `${namespace} URI has no ${namespace === 'ipfs' ? 'CID' : 'name'}`, raw)
  const shape = namespace === 'ipfs' ? CID_SHAPE : IPNS_NAME_SHAPE
  if (!shape.test(root)) throw uriError('uri_invalid', `${namespace} URI has a malformed root "${root}"`, raw)
  const base = gatewayBase(gateways.ipfsGateway, true)
  return confinedUrl(base, `${namespace}/${root}`, tail, raw)
}

/** ar://<txid>/path -> <arweave gateway>/<txid>/path (slashes after the scheme tolerated). */
function arweaveUrl(gateways: GatewayConfig, afterScheme: string, raw: string): string {
  const split = /^([^/?#]*)(.*)$/s.exec(afterScheme.replace(/^\/+/, ''))
  const root = split ? split[1] : ''
  if (root === '') throw uriError('uri_invalid', 'ar URI has no transaction id', raw)
  if (!AR_TX_SHAPE.test(root)) throw uriError('uri_invalid', `ar URI has a malformed transaction id "${root}"`, raw)
  return confinedUrl(gatewayBase(gateways.arweaveGateway, false), root, split ? split[2] : '', raw)
}

/**
 * Joins a gateway base, a root (`ipfs/<cid>`, `<txid>`) and the rest of the URI, and checks the
 * result still lies under the root: `..` segments (also `%2e%2e`, which URL parsing resolves)
 * must not climb out of the content the URI names.
 */
function confinedUrl(base: URL, root: string, tail: string, raw: string): string {
  const prefix = `${base.pathname.replace(/\/+$/, '')}/${root}`
  const url = parseUrl(`${base.origin}${prefix}${tail}`, raw)
  const path = url.pathname
  if (path !== prefix && !path.startsWith(`${prefix}/`)) {
    throw uriError('uri_invalid', 'URI path climbs out of its content root', raw)
  }
  url.hash = ''
  return url.href
}

/**
 * The configured gateway as a URL without trailing slashes. For IPFS a trailing `/ipfs` is
 * dropped too, so `https://ipfs.io/ipfs/` configures the same gateway as `https://ipfs.io`.
 * A bad configured gateway is a configuration error, not the token's fault: plain Error.
 */
function gatewayBase(configured: string, isIpfs: boolean): URL {
  let base = configured.trim().replace(/\/+$/, '')
  if (isIpfs) base = base.replace(/\/ipfs$/i, '')
  let url: URL
  try {
    url = new URL(base)
  } catch {
    throw new Error(`configured gateway is not a URL: ${configured}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`configured gateway is not http(s): ${configured}`)
  }
  return url
}

// ---------------------------------------------------------------------------------------------
// http(s): public gateway URLs are rewritten to the configured gateway

function resolveHttp(uri: string, gateways: GatewayConfig, raw: string): HttpFetchPlan {
  const url = parseUrl(uri, raw)
  if (url.hostname === '') throw uriError('uri_invalid', 'http URI has no host', raw)
  const rewritten = rewritePublicGateway(url, gateways, raw)
  if (rewritten !== undefined) return httpPlan(rewritten)
  url.hash = ''
  return httpPlan(url.href)
}

/**
 * `https://<listed host>/ipfs/<cid>/x?y` and `https://<cid>.ipfs.<listed host>/x?y` become
 * `<gateway>/ipfs/<cid>/x?y` (path and query kept). Other URLs on a listed host are left alone.
 * IPNS subdomains are not rewritten: their DNSLink names are mangled (`a-b--c`) in that form.
 */
function rewritePublicGateway(url: URL, gateways: GatewayConfig, raw: string): string | undefined {
  const host = url.hostname.toLowerCase()
  const tail = (url.pathname === '/' ? '' : url.pathname) + url.search
  const sub = /^([a-z0-9]+)\.ipfs\.(.+)$/.exec(host)
  if (sub && hostListed(sub[2], gateways.rewriteGateways)) {
    return contentUrl(gateways, 'ipfs', `${sub[1]}${tail}`, raw)
  }
  if (!hostListed(host, gateways.rewriteGateways)) return undefined
  const path = /^\/(ipfs|ipns)\/(.*)$/s.exec(url.pathname)
  if (!path) return undefined
  return contentUrl(gateways, path[1] as Namespace, path[2] + url.search, raw)
}

/** Exact host names, or `*.suffix` matching any subdomain of suffix (not suffix itself). */
function hostListed(host: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    const pattern = p.trim().toLowerCase()
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
    return pattern !== '' && host === pattern
  })
}

function parseUrl(text: string, raw: string): URL {
  try {
    return new URL(text)
  } catch {
    throw uriError('uri_invalid', 'token URI is not a parseable URL', raw)
  }
}

function httpPlan(url: string): HttpFetchPlan {
  return { kind: 'http', url }
}

// ---------------------------------------------------------------------------------------------
// data: URIs (RFC 2397 and the ways contracts get it wrong)

/**
 * `data:[<media type>][;param]*[;base64],<payload>`. Handled: `;base64`, `;utf8`,
 * `;charset=…` (the payload is always read as UTF-8), percent-encoded payloads, raw unencoded
 * JSON or SVG after the comma (literal `%`, `#` and quotes allowed), a missing media type
 * (sniffed: JSON-looking text is `application/json`, anything else `text/plain`), base64url,
 * whitespace and percent-encoded padding inside base64, and `data://`.
 */
function resolveDataUri(uri: string): InlineFetchPlan {
  const comma = uri.indexOf(',')
  if (comma < 0) throw uriError('uri_invalid', 'data: URI has no comma', uri)
  const header = parseDataHeader(uri.slice('data:'.length, comma).replace(/^\/\//, ''))
  const payload = uri.slice(comma + 1)
  const text = stripBom(header.base64 ? decodeBase64Payload(payload, uri) : decodeTextPayload(payload, header.mediaType, uri))
  const mediaType = header.mediaType || (looksLikeJson(text) ? 'application/json' : 'text/plain')
  return { kind: 'inline', mediaType, text, source: 'data-uri' }
}

/**
 * The bytes of a `data:` URI (images carried on chain: PNG in base64, SVG percent-encoded), for
 * the media cache; resolveDataUri decodes documents as text instead.
 */
export function dataUriBytes(uri: string): { mediaType: string; bytes: Buffer } {
  const comma = uri.indexOf(',')
  if (comma < 0) throw uriError('uri_invalid', 'data: URI has no comma', uri)
  const header = parseDataHeader(uri.slice('data:'.length, comma).replace(/^\/\//, ''))
  const payload = uri.slice(comma + 1)
  if (header.base64) {
    const bytes = base64Bytes(payload)
    if (bytes === undefined) throw uriError('uri_invalid', 'data: URI has malformed base64', uri)
    return { mediaType: header.mediaType, bytes: Buffer.from(bytes) }
  }
  const text = payload.includes('%') ? percentDecode(payload) : payload
  if (text === undefined) throw uriError('uri_invalid', 'data: URI has malformed percent-encoding', uri)
  return { mediaType: header.mediaType, bytes: Buffer.from(text, 'utf8') }
}

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/

function parseDataHeader(header: string): { mediaType: string; base64: boolean } {
  const parts = header.split(';').map((p) => p.trim().toLowerCase())
  const first = parts[0] ?? ''
  const mediaType = MEDIA_TYPE.test(first) ? first : ''
  const params = first.includes('/') ? parts.slice(1) : parts
  return { mediaType, base64: params.includes('base64') }
}

function decodeBase64Payload(payload: string, uri: string): string {
  const bytes = base64Bytes(payload)
  if (bytes === undefined) throw uriError('uri_invalid', 'data: URI has malformed base64', uri)
  return utf8.decode(bytes)
}

/**
 * Decodes standard or url-safe base64, ignoring whitespace and percent-encoding around it.
 * Returns undefined for anything else: Buffer.from(…, 'base64') would silently skip bad
 * characters and decode garbage.
 */
function base64Bytes(payload: string): Uint8Array | undefined {
  const unescaped = payload.includes('%') ? percentDecode(payload) : payload
  if (unescaped === undefined) return undefined
  const unpadded = unescaped.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/')
  let end = unpadded.length
  while (end > 0 && unpadded[end - 1] === '=') end-- // padding is optional; a loop, not /=+$/ (quadratic)
  const compact = unpadded.slice(0, end)
  if (!/^[A-Za-z0-9+/]*$/.test(compact) || compact.length % 4 === 1) return undefined
  return Buffer.from(compact, 'base64')
}

/**
 * A payload without `;base64`. Raw text is common (`data:application/json,{"name":"100%"}`), so
 * percent-decoding is tried only when the text is not already valid JSON, and a failed
 * percent-decode is an error only when the text does not look raw (no quotes, braces, angle
 * brackets or spaces). JSON media with a base64-looking payload (a forgotten `;base64`) is
 * decoded as base64 when that yields JSON.
 */
function decodeTextPayload(payload: string, mediaType: string, uri: string): string {
  if (isJsonMedia(mediaType) && !looksLikeJson(payload) && /^[A-Za-z0-9+/=_-]{8,}$/.test(payload.trim())) {
    const bytes = base64Bytes(payload)
    const decoded = bytes === undefined ? undefined : utf8.decode(bytes)
    if (decoded !== undefined && looksLikeJson(decoded)) return decoded
  }
  if (!payload.includes('%')) return payload
  if (looksLikeJson(payload) && parsesAsJson(payload)) return payload
  const decoded = percentDecode(payload)
  if (decoded !== undefined) return decoded
  if (/[\s"'{}<>]/.test(payload)) return payload
  throw uriError('uri_invalid', 'data: URI has malformed percent-encoding', uri)
}

/** Strict percent-decoding to UTF-8 text; undefined when a `%` is not followed by two hex digits. */
function percentDecode(s: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return undefined
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => utf8.decode(Buffer.from(run.replace(/%/g, ''), 'hex')))
}

function isJsonMedia(mediaType: string): boolean {
  return mediaType === '' || mediaType === 'application/json' || mediaType.endsWith('+json') || mediaType === 'text/json'
}

function looksLikeJson(text: string): boolean {
  const start = stripBom(text).trimStart()
  return start.startsWith('{') || start.startsWith('[')
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

// ---------------------------------------------------------------------------------------------

const PREVIEW_CHARS = 256

function uriError(code: ErrorCode, message: string, raw: unknown): PermanentError {
  const text = typeof raw === 'string' ? raw : String(raw)
  const url = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text
  return new PermanentError(code, message, { url })
}
