/**
 * The only outbound HTTP client for metadata hosts.
 *
 * Invariants:
 * - Only `http:` and `https:` URLs are fetched; redirects are followed by hand, each hop checked
 *   again, at most `maxRedirects` of them, and never back to a URL already visited.
 * - DNS is resolved here (injectable `lookup`) and every resolved address is judged by the
 *   {@link IpPolicy} inside the connector, immediately before dialling that very address. The
 *   socket is opened to the checked IP, never to the name, so a DNS answer that changes between
 *   check and connect (rebinding) cannot slip through. If any address of a name is refused the
 *   whole name is refused: a public name with a private record is misconfigured or hostile.
 * - One deadline covers DNS, connect, TLS, headers, redirects and body.
 * - The body is capped while streaming, both on the wire and after decompression, so neither a
 *   missing Content-Length nor a compression bomb can make us buffer more than `maxBytes`.
 * - TLS certificates are always verified (`ca` may add trust roots, nothing turns checks off).
 * - Every failure leaves as a RetryableError or PermanentError with a code; the original error is
 *   kept as `cause`.
 */
import { isRetryableStatus, parseRetryAfter } from '../../lib/http'
import { promises as dns } from 'node:dns'
import type { Socket } from 'node:net'
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream'
import zlib from 'node:zlib'
import { Agent, buildConnector, type Dispatcher } from 'undici'
import { MetadataError, PermanentError, RetryableError, type ErrorCode } from '../../core/errors'
import { IpPolicy, isIpLiteral, type BlockReason, type DialTarget } from './ipPolicy'

export const DEFAULT_TIMEOUT_MS = 10_000
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024
export const DEFAULT_MAX_REDIRECTS = 5
export const DEFAULT_USER_AGENT = 'token-metadata-squid/0.1'
export const ACCEPT = 'application/json, */*'
/** Error bodies are kept for diagnostics only, so a short prefix is enough. */
export const MAX_ERROR_BODY_BYTES = 1024
/** A Retry-After further away than this is treated as this (a hostile host cannot park a job forever). */
/** How long we wait for an error response's body before giving up on it (the status decides anyway). */
const ERROR_BODY_WAIT_MS = 500
/** More stacked Content-Encodings than this is not something a metadata host needs. */
const MAX_CONTENT_ENCODINGS = 2
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

export interface FetchResult {
  /** The final URL, after redirects. */
  url: string
  status: number
  /** The Content-Type header as sent (parameters included), if any. */
  contentType: string | undefined
  /** The decoded (decompressed) body, at most `maxBytes` long. */
  body: Buffer
  /** Every URL that answered with a redirect, in order; empty when the first URL answered. */
  redirects: string[]
}

export interface LookupAddress {
  address: string
  family: number
}

/** Resolves a host name to all of its addresses. Rejecting means "DNS failure" (retryable). */
export type LookupFunction = (hostname: string) => Promise<readonly LookupAddress[]>

export interface SafeAgentOptions {
  /** Allow-list entries (see ipPolicy.ts): `127.0.0.1:8080`, `localhost:3000`, `10.0.0.0/8`, … Default: none. */
  allow?: readonly string[]
  /** A prebuilt policy; takes the place of `allow`. */
  policy?: IpPolicy
  /** DNS resolution. Default: the system resolver (`dns.lookup`, all addresses). */
  lookup?: LookupFunction
  /** Extra trusted CA certificates (PEM) on top of Node's defaults. Verification is never disabled. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>
  /** Connect timeout per address, in ms. Default: DEFAULT_TIMEOUT_MS (the fetch deadline still applies). */
  connectTimeoutMs?: number
  /** Called right before a socket is opened to an allowed address (metrics, logging, test guards). Throwing aborts the dial. */
  onDial?: (target: DialTarget) => void
  /** Concurrent connections per origin. Default: 8. */
  connections?: number
}

export interface SafeFetchOptions extends SafeAgentOptions {
  /**
   * A long-lived agent (keep-alive, TLS session reuse) built with the policy to use. When given,
   * the agent-building options above must be left out. Default: a one-off agent per call.
   */
  agent?: SafeAgent
  /** Total deadline in ms covering DNS, connect, every redirect hop and the body. Default 10 s. */
  timeoutMs?: number
  /** Body cap in bytes, on the wire and after decompression. Default 5 MiB. */
  maxBytes?: number
  /** Redirects followed before giving up. Default 5. */
  maxRedirects?: number
  /** Default: DEFAULT_USER_AGENT. */
  userAgent?: string
  /** Cancels the fetch (e.g. on shutdown); surfaces as a retryable `unable_to_retrieve_metadata`. */
  signal?: AbortSignal
  /**
   * A POST with this body and these headers instead of a GET (webhook deliveries). Redirects
   * re-send the same request to the next hop, which the address policy judges like any other.
   */
  post?: { body: string; headers: Record<string, string> }
}

interface Limits {
  timeoutMs: number
  maxBytes: number
  maxRedirects: number
  userAgent: string
  post?: SafeFetchOptions['post']
}

// ---------------------------------------------------------------------------------------------
// Connector: resolve, judge, dial the judged address

/** The policy refused an address; becomes `uri_disallowed`. */
class BlockedAddressError extends Error {
  constructor(
    readonly target: DialTarget,
    readonly reason: BlockReason,
  ) {
    super(`connection to ${target.address} (${target.hostname}:${target.port}) refused: ${reason} address`)
  }
}

/** DNS gave no usable answer; becomes a retryable `unable_to_retrieve_metadata`. */
class LookupFailedError extends Error {
  constructor(hostname: string, cause?: unknown) {
    super(`DNS lookup of ${hostname} failed`, cause === undefined ? undefined : { cause })
  }
}

const systemLookup: LookupFunction = (hostname) => dns.lookup(hostname, { all: true })

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
}

async function resolveAddresses(hostname: string, lookup: LookupFunction): Promise<string[]> {
  if (isIpLiteral(hostname)) return [hostname]
  let answers: readonly LookupAddress[]
  try {
    answers = await lookup(hostname)
  } catch (e) {
    throw new LookupFailedError(hostname, e)
  }
  if (answers.length === 0) throw new LookupFailedError(hostname)
  return answers.map((a) => a.address)
}

/** Resolves the host and judges every address; refuses the whole host if any address is refused. */
async function allowedTargets(hostname: string, port: number, policy: IpPolicy, lookup: LookupFunction): Promise<DialTarget[]> {
  const addresses = await resolveAddresses(hostname, lookup)
  const targets = addresses.map((address) => ({ hostname, address, port }))
  for (const target of targets) {
    const verdict = policy.check(target)
    if (!verdict.allowed) throw new BlockedAddressError(target, verdict.reason)
  }
  return targets
}

type Connector = buildConnector.connector
type ConnectOptions = buildConnector.Options
type ConnectCallback = buildConnector.Callback

/** Tries the judged addresses in order, connecting to the IP itself and keeping the name for TLS. */
function dialInOrder(
  base: Connector,
  options: ConnectOptions,
  targets: DialTarget[],
  onDial: SafeAgentOptions['onDial'],
  callback: ConnectCallback,
  index = 0,
  lastError?: Error,
): void {
  const target = targets[index]
  if (!target) {
    callback(lastError ?? new Error('no address to dial'), null)
    return
  }
  try {
    onDial?.(target)
  } catch (e) {
    callback(e instanceof Error ? e : new Error(String(e)), null)
    return
  }
  // servername keeps SNI and certificate verification on the URL's host name, not on the IP.
  const servername = isIpLiteral(target.hostname) ? undefined : target.hostname
  base({ ...options, hostname: target.address, servername }, (...args) => {
    if (args[0] === null) callback(null, args[1] as Socket)
    else dialInOrder(base, options, targets, onDial, callback, index + 1, args[0])
  })
}

function safeConnector(policy: IpPolicy, lookup: LookupFunction, base: Connector, onDial: SafeAgentOptions['onDial']): Connector {
  return (options, callback) => {
    const hostname = stripBrackets(options.hostname)
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80)
    allowedTargets(hostname, port, policy, lookup).then(
      (targets) => dialInOrder(base, options, targets, onDial, callback),
      (error: Error) => callback(error, null),
    )
  }
}

/**
 * An undici Agent whose every connection goes through the address policy. Share one per worker
 * for keep-alive; it is safe to share because the check happens per connection, not per request.
 */
export class SafeAgent extends Agent {
  readonly policy: IpPolicy

  constructor(options: SafeAgentOptions = {}) {
    const policy = options.policy ?? new IpPolicy(options.allow ?? [])
    // rejectUnauthorized is deliberately left at Node's default (true).
    const base = buildConnector({
      timeout: options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.ca === undefined ? {} : { ca: options.ca as string | Buffer | Array<string | Buffer> }),
    })
    super({
      connect: safeConnector(policy, options.lookup ?? systemLookup, base, options.onDial),
      connections: options.connections ?? 8,
    })
    this.policy = policy
  }
}

// ---------------------------------------------------------------------------------------------
// Deadline

/** Raised inside the fetch when the deadline fires; mapped to `timeout`. */
class DeadlineExceededError extends Error {}

/** One timer for the whole fetch; `race` makes any awaited step give up when it fires. */
class Deadline {
  readonly controller = new AbortController()
  readonly expired: Promise<never>
  fired = false
  callerAborted = false
  private readonly timer: NodeJS.Timeout
  private readonly onCallerAbort = (): void => this.abort(true)
  private rejectExpired!: (e: Error) => void

  constructor(
    readonly timeoutMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.expired = new Promise<never>((_, reject) => (this.rejectExpired = reject))
    this.expired.catch(() => undefined) // observed through race(); never an unhandled rejection
    this.timer = setTimeout(() => this.abort(false), timeoutMs)
    if (callerSignal?.aborted) this.abort(true)
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true })
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.expired])
  }

  clear(): void {
    clearTimeout(this.timer)
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort)
  }

  private abort(byCaller: boolean): void {
    if (this.fired || this.callerAborted) return
    if (byCaller) this.callerAborted = true
    else this.fired = true
    const error = byCaller ? new Error('aborted by caller', { cause: this.callerSignal?.reason }) : new DeadlineExceededError(`deadline of ${this.timeoutMs} ms exceeded`)
    this.controller.abort(error)
    this.rejectExpired(error)
  }
}

// ---------------------------------------------------------------------------------------------
// Body streaming with caps

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Drops a response body we will not (or no longer) read. undici reports destroying an unfinished
 * body as an 'error' event, which is expected here and must not become an uncaught exception.
 */
function discard(body: Readable): void {
  body.on('error', () => undefined)
  body.destroy()
}

function tooLarge(url: string, status: number, maxBytes: number, where: string): PermanentError {
  return new PermanentError('response_too_large', `response ${where} exceeds ${maxBytes} bytes`, { url, status })
}

/** Counts wire bytes and fails the pipeline as soon as they pass the cap. */
function wireCounter(maxBytes: number, onOver: () => Error): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      seen += chunk.length
      if (seen > maxBytes) done(onOver())
      else done(null, chunk)
    },
  })
}

function decoderFor(encoding: string): Transform | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip()
    case 'deflate':
      return zlib.createInflate()
    case 'br':
      return zlib.createBrotliDecompress()
    default:
      return undefined
  }
}

/** Decoders for a Content-Encoding header, innermost encoding last (so decode order is reversed). */
function decodersFor(contentEncoding: string | undefined, url: string, status: number): Transform[] {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity')
  if (encodings.length > MAX_CONTENT_ENCODINGS) {
    throw new PermanentError('unable_to_decode_response', `too many content encodings: ${contentEncoding}`, { url, status })
  }
  return encodings.reverse().map((encoding) => {
    const decoder = decoderFor(encoding)
    if (!decoder) throw new PermanentError('unable_to_decode_response', `unsupported content encoding: ${encoding}`, { url, status })
    return decoder
  })
}

interface BodyReadOptions {
  url: string
  status: number
  maxBytes: number
  /** 'fail': exceeding maxBytes is `response_too_large`; 'truncate': stop quietly at maxBytes. */
  onOverflow: 'fail' | 'truncate'
}

/** Where the first error of a body pipeline came from: the network or a decompressor. */
function trackFirstError(body: Readable, decoders: Transform[]): () => 'network' | 'decoder' | undefined {
  let origin: 'network' | 'decoder' | undefined
  body.on('error', () => (origin ??= 'network'))
  for (const d of decoders) d.on('error', () => (origin ??= 'decoder')) // `on`: late errors stay handled
  return () => origin
}

/** `where` names the cap in the error: the wire's (no decoding) or the decoded body's. */
async function collect(stream: Readable, options: BodyReadOptions & { where: string }): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const room = options.maxBytes - total
    if (chunk.length > room) {
      if (options.onOverflow === 'fail') throw tooLarge(options.url, options.status, options.maxBytes, options.where)
      chunks.push(chunk.subarray(0, room))
      total += room
      break // leaving the loop destroys the stream, and the pipeline the socket
    }
    chunks.push(chunk)
    total += chunk.length
  }
  return Buffer.concat(chunks, total)
}

/**
 * Streams the body through the wire cap and the decoders into a capped buffer. A body without a
 * Content-Encoding is read straight off the response: its wire bytes are its bytes, so collect's
 * cap is the wire cap, and a pipeline (an AbortController and a DOMException per body, a quarter
 * of a millisecond of CPU) buys nothing.
 */
async function readBody(response: Dispatcher.ResponseData, options: BodyReadOptions): Promise<Buffer> {
  const { url, status, maxBytes } = options
  const decoders = decodersFor(header(response.headers, 'content-encoding'), url, status)
  const origin = decoders.length === 0 ? () => 'network' : trackFirstError(response.body, decoders)
  let stream: Readable = response.body
  if (decoders.length > 0) {
    const wireCap = options.onOverflow === 'fail' ? maxBytes : Number.MAX_SAFE_INTEGER
    const counter = wireCounter(wireCap, () => tooLarge(url, status, maxBytes, 'on the wire'))
    stream = pipeline([response.body, counter, ...decoders], () => undefined) as unknown as Readable
  }
  try {
    return await collect(stream, { ...options, where: decoders.length === 0 ? 'on the wire' : 'body after decoding' })
  } catch (e) {
    if (e instanceof MetadataError) throw e
    if (origin() === 'decoder') {
      throw new PermanentError('unable_to_decode_response', 'response body could not be decompressed', { url, status, cause: e })
    }
    throw new RetryableError('unable_to_retrieve_metadata', 'connection failed while reading the body', { url, status, cause: e })
  } finally {
    discard(response.body)
  }
}

/** Rejects a declared body length over the cap before reading a byte of it. */
function checkContentLength(response: Dispatcher.ResponseData, url: string, maxBytes: number): void {
  const declared = Number(header(response.headers, 'content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(response.body)
    throw tooLarge(url, response.statusCode, maxBytes, `Content-Length (${declared})`)
  }
}

/** Best effort: the first KiB of an error response, as text, without letting it cost more than a moment. */
async function readErrorBody(response: Dispatcher.ResponseData, url: string): Promise<string | undefined> {
  const options: BodyReadOptions = { url, status: response.statusCode, maxBytes: MAX_ERROR_BODY_BYTES, onOverflow: 'truncate' }
  let timer: NodeJS.Timeout | undefined
  const giveUp = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ERROR_BODY_WAIT_MS, undefined)))
  try {
    const body = await Promise.race([readBody(response, options).catch(() => undefined), giveUp])
    return body === undefined || body.length === 0 ? undefined : body.toString('utf8')
  } finally {
    clearTimeout(timer)
    discard(response.body)
  }
}

// ---------------------------------------------------------------------------------------------
// Status mapping

export function statusErrorCode(status: number): ErrorCode {
  if (status === 404 || status === 410) return 'token_not_found'
  if (status === 429) return 'rate_limited'
  return 'invalid_response_status_code'
}

async function statusError(response: Dispatcher.ResponseData, url: string): Promise<MetadataError> {
  const status = response.statusCode
  const body = await readErrorBody(response, url)
  const code = statusErrorCode(status)
  const message = `metadata host answered HTTP ${status}`
  if (!isRetryableStatus(status)) return new PermanentError(code, message, { url, status, body })
  const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'))
  return new RetryableError(code, message, { url, status, body, retryAfterMs })
}

// ---------------------------------------------------------------------------------------------
// Redirects and the request loop

/** Parses a URL we are about to fetch; only http(s) is ever fetched. */
function fetchableUrl(raw: string, base?: URL): URL {
  let url: URL
  try {
    url = new URL(raw, base)
  } catch (e) {
    throw new PermanentError('uri_invalid', `not a valid URL: ${raw.slice(0, 200)}`, { url: base?.href ?? raw, cause: e })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PermanentError('uri_disallowed', `scheme ${url.protocol} is not fetched`, { url: url.href })
  }
  url.hash = '' // fragments are never sent, and must not defeat loop detection
  return url
}

/** The next URL when the response is a redirect, `undefined` when it is not. */
function redirectTarget(response: Dispatcher.ResponseData, current: URL): URL | undefined {
  const location = header(response.headers, 'location')
  if (!REDIRECT_STATUSES.has(response.statusCode) || location === undefined) return undefined
  return fetchableUrl(location, current)
}

/** Mutable progress of one fetch, so that errors can name the URL they happened on. */
interface FetchState {
  url: string
  redirects: string[]
}

function send(agent: SafeAgent, url: URL, limits: Limits, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  const post = limits.post
  return agent.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: post ? 'POST' : 'GET',
    headers: { 'user-agent': limits.userAgent, accept: ACCEPT, 'accept-encoding': 'gzip, deflate, br', ...post?.headers },
    body: post?.body,
    signal,
    // The deadline decides; undici's own timers only act as a backstop behind it.
    headersTimeout: limits.timeoutMs + 1000,
    bodyTimeout: limits.timeoutMs + 1000,
  })
}

async function finish(response: Dispatcher.ResponseData, state: FetchState, limits: Limits): Promise<FetchResult> {
  const status = response.statusCode
  if (status < 200 || status > 299) throw await statusError(response, state.url)
  checkContentLength(response, state.url, limits.maxBytes)
  const body = await readBody(response, { url: state.url, status, maxBytes: limits.maxBytes, onOverflow: 'fail' })
  return { url: state.url, status, contentType: header(response.headers, 'content-type'), body, redirects: state.redirects }
}

function redirectError(state: FetchState, message: string, status: number): PermanentError {
  return new PermanentError('too_many_redirects', message, { url: state.url, status })
}

async function followRedirects(start: string, agent: SafeAgent, limits: Limits, signal: AbortSignal, state: FetchState): Promise<FetchResult> {
  let current = fetchableUrl(start)
  const visited = new Set<string>()
  for (;;) {
    state.url = current.href
    visited.add(current.href)
    const response = await send(agent, current, limits, signal)
    const next = redirectTarget(response, current)
    if (!next) return finish(response, state, limits)
    discard(response.body) // a redirect's body is never read
    if (visited.has(next.href)) throw redirectError(state, `redirect loop back to ${next.href}`, response.statusCode)
    if (state.redirects.length >= limits.maxRedirects) throw redirectError(state, `more than ${limits.maxRedirects} redirects`, response.statusCode)
    state.redirects.push(current.href)
    current = next
  }
}

/** Maps anything thrown during a fetch to a MetadataError, keeping the original as `cause`. */
function toMetadataError(e: unknown, url: string, deadline: Deadline): MetadataError {
  if (e instanceof MetadataError) return e
  if (deadline.fired) return new RetryableError('timeout', `no complete response within ${deadline.timeoutMs} ms`, { url, cause: e })
  if (deadline.callerAborted) return new RetryableError('unable_to_retrieve_metadata', 'fetch aborted by caller', { url, cause: e })
  if (e instanceof BlockedAddressError) return new PermanentError('uri_disallowed', e.message, { url, cause: e })
  if (e instanceof LookupFailedError) return new RetryableError('unable_to_retrieve_metadata', e.message, { url, cause: e })
  const message = e instanceof Error ? e.message : String(e)
  return new RetryableError('unable_to_retrieve_metadata', `connection failed: ${message}`, { url, cause: e })
}

function limitsFrom(opts: SafeFetchOptions): Limits {
  return {
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    maxRedirects: opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    userAgent: opts.userAgent ?? DEFAULT_USER_AGENT,
    post: opts.post,
  }
}

/** An `agent` carries its own policy; mixing it with policy options would silently ignore them. */
function assertNoConflictingOptions(opts: SafeFetchOptions): void {
  if (!opts.agent) return
  const conflicting = (['allow', 'policy', 'lookup', 'ca', 'connectTimeoutMs', 'onDial', 'connections'] as const).filter((k) => opts[k] !== undefined)
  if (conflicting.length > 0) throw new TypeError(`safeFetch: ${conflicting.join(', ')} cannot be combined with agent`)
}

/**
 * Fetches a metadata document with every protection described at the top of this file.
 * Resolves with a 2xx response's decoded body; rejects only with RetryableError/PermanentError.
 */
export async function safeFetch(url: string, opts: SafeFetchOptions = {}): Promise<FetchResult> {
  assertNoConflictingOptions(opts)
  const limits = limitsFrom(opts)
  const owned = opts.agent ? undefined : new SafeAgent({ ...opts, connectTimeoutMs: opts.connectTimeoutMs ?? limits.timeoutMs })
  const agent = opts.agent ?? owned!
  const deadline = new Deadline(limits.timeoutMs, opts.signal)
  const state: FetchState = { url, redirects: [] }
  try {
    return await deadline.race(followRedirects(url, agent, limits, deadline.signal, state))
  } catch (e) {
    throw toMetadataError(e, state.url, deadline)
  } finally {
    deadline.clear()
    if (owned) owned.destroy().catch(() => undefined)
  }
}

/** Truncates a body to MAX_ERROR_BODY_BYTES for inclusion in an error. */
export function truncatedBody(body: Buffer): string | undefined {
  return body.length === 0 ? undefined : body.subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8')
}
