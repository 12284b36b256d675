/**
 * The simulator's HTTP side: the subset of the Stacks Blockchain API (`/extended/...`) and of the
 * Stacks node RPC (`/v2/...`) that the indexer uses, answered from the simulator's chain record,
 * plus fault injection (429 / 5xx / hang for the next N requests) for retry tests.
 *
 * Fidelity notes: page-size caps, 400 on a limit above them, 404 bodies, `0x` prefixes, string
 * amounts and `{hex, repr}` values follow the real API. Block transaction lists carry `events: []`
 * like the real API; events come from `/extended/v1/tx/:id`, `/tx/multiple` and `/tx/events`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { deserializeCV, serializeCV, type ClarityValue } from '@stacks/transactions'
import {
  API_LIMITS,
  type ApiBlockList,
  type ApiBlockTransactions,
  type ApiContract,
  type ApiErrorBody,
  type ApiTxEvent,
  type ApiTxEventsPage,
  type ApiTxMultiple,
  type CallReadResponse,
  type ContractInterface,
} from '../../src/chains/stacks/apiTypes'
import { apiBlock, apiStatus, apiTx, nodeInfo } from './apiShapes'
import { normalizeHash, type SimBlockRecord, type SimChain } from './simChain'

export interface FacadeBackend {
  readonly chain: SimChain
  contractInterface(contractId: string): ContractInterface | undefined
  readOnly(contractId: string, fn: string, args: ClarityValue[], sender: string): CallReadOutcome
}

export type CallReadOutcome = { okay: true; result: ClarityValue } | { okay: false; cause: string }

/** One injected failure, applied to the next `times` matching requests. */
export interface FaultRule {
  times: number
  /** answer with this HTTP status (429, 500, 502, 503…) */
  status?: number
  /** never answer (the client must time out); wins over `status` */
  hang?: boolean
  /** `Retry-After` header (seconds) sent with a status answer */
  retryAfterSeconds?: number
  /** only requests whose path (with query) contains / matches this */
  path?: string | RegExp
}

export interface FaultController {
  add(rule: FaultRule): void
  clear(): void
  /** failures still to be served */
  readonly pending: number
}

export interface RequestRecord {
  method: string
  path: string
  status: number | 'hang'
}

class Faults implements FaultController {
  private rules: FaultRule[] = []

  add(rule: FaultRule): void {
    if (!Number.isInteger(rule.times) || rule.times < 1) throw new Error('fault rule needs times >= 1')
    if (!rule.hang && rule.status === undefined) throw new Error('fault rule needs a status or hang')
    this.rules.push({ ...rule })
  }

  clear(): void {
    this.rules = []
  }

  get pending(): number {
    return this.rules.reduce((n, r) => n + r.times, 0)
  }

  take(path: string): FaultRule | undefined {
    const rule = this.rules.find((r) => (r.path === undefined ? true : typeof r.path === 'string' ? path.includes(r.path) : r.path.test(path)))
    if (!rule) return undefined
    rule.times -= 1
    if (rule.times === 0) this.rules = this.rules.filter((r) => r !== rule)
    return rule
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | string,
  ) {
    super(typeof body === 'string' ? body : (body.message ?? body.error))
  }
}

const notFound = (message: string): HttpError => new HttpError(404, { error: 'Not Found', message })
const badRequest = (message: string): HttpError => new HttpError(400, { error: 'Bad Request', message })

const REQUEST_LOG_CAP = 10_000
const MAX_BODY_BYTES = 1 << 20

export interface HttpFacade {
  readonly url: string
  readonly faults: FaultController
  /** the most recent requests (capped), oldest first */
  readonly requests: readonly RequestRecord[]
  close(): Promise<void>
}

export async function startHttpFacade(backend: FacadeBackend, port = 0): Promise<HttpFacade> {
  const faults = new Faults()
  const requests: RequestRecord[] = []
  const sockets = new Set<Socket>()
  const log = (r: RequestRecord): void => {
    requests.push(r)
    if (requests.length > REQUEST_LOG_CAP) requests.splice(0, requests.length - REQUEST_LOG_CAP)
  }

  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    const fault = faults.take(path)
    if (fault?.hang) {
      // keep the socket open and silent; stop() destroys it
      log({ method, path, status: 'hang' })
      req.resume()
      return
    }
    if (fault && fault.status !== undefined) {
      const headers: Record<string, string> = {}
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds)
      log({ method, path, status: fault.status })
      req.resume()
      sendJson(res, fault.status, { error: fault.status === 429 ? 'Too Many Requests' : 'Injected fault' }, headers)
      return
    }
    handle(backend, req, method, path)
      .then(([status, body]) => {
        log({ method, path, status })
        if (typeof body === 'string') sendText(res, status, body)
        else sendJson(res, status, body)
      })
      .catch((e: unknown) => {
        const status = e instanceof HttpError ? e.status : 500
        const body = e instanceof HttpError ? e.body : { error: 'Internal Server Error', message: String(e) }
        log({ method, path, status })
        if (typeof body === 'string') sendText(res, status, body)
        else sendJson(res, status, body)
      })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

type Reply = [number, unknown]

async function handle(backend: FacadeBackend, req: IncomingMessage, method: string, rawPath: string): Promise<Reply> {
  const url = new URL(rawPath, 'http://simulator')
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname
  const q = url.searchParams
  const chain = backend.chain
  let m: RegExpExecArray | null

  if (method === 'POST') {
    if ((m = /^\/v2\/contracts\/call-read\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path))) {
      const body = await readJson(req)
      return [200, callRead(backend, `${m[1]}.${m[2]}`, decodeURIComponent(m[3] ?? ''), body)]
    }
    throw notFound(`Route POST:${path} not found`)
  }
  if (method !== 'GET') throw notFound(`Route ${method}:${path} not found`)

  if (path === '/extended') return [200, apiStatus(chain.tip)]
  if (path === '/v2/info') return [200, nodeInfo(chain.tip)]
  if (path === '/extended/v2/blocks') return [200, blockList(chain, q)]
  if ((m = /^\/extended\/v2\/blocks\/([^/]+)$/.exec(path))) {
    return [200, apiBlock(findBlock(chain, decodeURIComponent(m[1] ?? '')))]
  }
  if ((m = /^\/extended\/v2\/blocks\/([^/]+)\/transactions$/.exec(path))) {
    const block = findBlock(chain, decodeURIComponent(m[1] ?? ''))
    const { limit, offset } = paging(q, 'limit', API_LIMITS.blockTransactions)
    const page: ApiBlockTransactions = {
      limit,
      offset,
      total: block.txs.length,
      results: block.txs.slice(offset, offset + limit).map((tx) => apiTx(tx, block)),
    }
    return [200, page]
  }
  if (path === '/extended/v1/tx/multiple') return [200, txMultiple(chain, q)]
  if (path === '/extended/v1/tx/events') return [200, txEvents(chain, q)]
  if ((m = /^\/extended\/v1\/tx\/([^/]+)$/.exec(path))) {
    const txId = decodeURIComponent(m[1] ?? '')
    const found = chain.findTx(txId)
    if (!found) throw new HttpError(404, { error: `could not find transaction by ID ${normalizeHash(txId)}` })
    const { limit, offset } = paging(q, 'event_limit', API_LIMITS.events, 'event_offset')
    return [200, apiTx(found.tx, found.block, found.tx.events.slice(offset, offset + limit))]
  }
  if ((m = /^\/extended\/v1\/contract\/([^/]+)$/.exec(path))) {
    const contractId = decodeURIComponent(m[1] ?? '')
    const contract = chain.contract(contractId)
    if (!contract) throw new HttpError(404, { error: `cannot find contract by ID ${contractId}` })
    const abi = backend.contractInterface(contractId)
    const body: ApiContract = {
      tx_id: contract.txId,
      canonical: true,
      contract_id: contract.contractId,
      block_height: contract.blockHeight,
      clarity_version: contract.clarityVersion,
      source_code: contract.sourceCode,
      abi: abi ? JSON.stringify(abi) : null,
    }
    return [200, body]
  }
  if ((m = /^\/v2\/contracts\/interface\/([^/]+)\/([^/]+)$/.exec(path))) {
    const abi = backend.contractInterface(`${m[1]}.${m[2]}`)
    if (!abi) throw new HttpError(404, 'No contract interface data found')
    return [200, abi]
  }
  if ((m = /^\/v2\/contracts\/source\/([^/]+)\/([^/]+)$/.exec(path))) {
    const contract = chain.contract(`${m[1]}.${m[2]}`)
    if (!contract) throw new HttpError(404, 'No contract source data found')
    return [200, { source: contract.sourceCode, publish_height: contract.blockHeight, proof: '' }]
  }
  throw notFound(`Route GET:${path} not found`)
}

/** `height_or_hash`: "latest", a height (canonical chain), or a block / index block hash (any). */
function findBlock(chain: SimChain, param: string): SimBlockRecord {
  let block: SimBlockRecord | undefined
  if (param === 'latest') block = chain.tip
  else if (/^[0-9]+$/.test(param)) block = chain.at(Number(param))
  else if (/^(0x)?[0-9a-fA-F]{64}$/.test(param)) block = chain.findByHash(param)
  else throw badRequest('params/height_or_hash must be a block height, a block hash or "latest"')
  if (!block) throw notFound('Block not found')
  return block
}

function paging(q: URLSearchParams, limitKey: string, caps: { default: number; max: number }, offsetKey = 'offset'): { limit: number; offset: number } {
  const int = (key: string, fallback: number): number => {
    const raw = q.get(key)
    if (raw === null || raw === '') return fallback
    if (!/^[0-9]+$/.test(raw)) throw badRequest(`querystring/${key} must be integer`)
    return Number(raw)
  }
  const limit = int(limitKey, caps.default)
  if (limit > caps.max) throw badRequest(`querystring/${limitKey} must be <= ${caps.max}`)
  if (limit < 1) throw badRequest(`querystring/${limitKey} must be >= 1`)
  return { limit, offset: int(offsetKey, 0) }
}

/** Newest first, canonical blocks only; `cursor` is an index block hash to start from. */
function blockList(chain: SimChain, q: URLSearchParams): ApiBlockList {
  const { limit, offset } = paging(q, 'limit', API_LIMITS.blocks)
  const total = chain.height
  let top = total - offset
  const cursor = q.get('cursor')
  if (cursor) {
    const start = chain.findByHash(cursor)
    if (!start || !start.canonical) throw notFound('Cursor not found')
    top = start.height - offset
  }
  const blocks: SimBlockRecord[] = []
  for (let h = top; h >= 1 && blocks.length < limit; h--) {
    const b = chain.at(h)
    if (b) blocks.push(b)
  }
  const first = blocks[0]
  const newer = first ? chain.at(Math.min(total, first.height + limit)) : undefined
  const older = first ? chain.at(first.height - limit) : undefined
  return {
    limit,
    offset,
    total,
    next_cursor: newer && first && newer.height > first.height ? newer.indexBlockHash : null,
    prev_cursor: older ? older.indexBlockHash : null,
    cursor: first ? first.indexBlockHash : null,
    results: blocks.map(apiBlock),
  }
}

function txMultiple(chain: SimChain, q: URLSearchParams): ApiTxMultiple {
  const ids = q
    .getAll('tx_id')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0)
  if (ids.length === 0) throw badRequest("querystring must have required property 'tx_id'")
  for (const id of ids) {
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(id)) throw badRequest(`querystring/tx_id must be a transaction id: ${id}`)
  }
  const { limit, offset } = paging(q, 'event_limit', API_LIMITS.events, 'event_offset')
  const out: ApiTxMultiple = {}
  for (const raw of ids) {
    const id = normalizeHash(raw)
    const found = chain.findTx(id)
    out[id] = found ? { found: true, result: apiTx(found.tx, found.block, found.tx.events.slice(offset, offset + limit)) } : { found: false, result: { tx_id: id } }
  }
  return out
}

function txEvents(chain: SimChain, q: URLSearchParams): ApiTxEventsPage {
  const { limit, offset } = paging(q, 'limit', API_LIMITS.events)
  const txId = q.get('tx_id')
  if (q.get('address')) throw badRequest('the simulator filters events by tx_id only')
  if (!txId) throw badRequest("can not find 'address' or 'tx_id' in the request")
  const types = q
    .getAll('type')
    .flatMap((v) => v.split(','))
    .filter((v) => v.length > 0)
  const found = chain.findTx(txId)
  const all: ApiTxEvent[] = found ? found.tx.events : []
  const filtered = types.length > 0 ? all.filter((e) => types.includes(e.event_type)) : all
  return { limit, offset, events: filtered.slice(offset, offset + limit) }
}

function callRead(backend: FacadeBackend, contractId: string, fn: string, body: unknown): CallReadResponse {
  if (typeof body !== 'object' || body === null) throw badRequest('body must be a JSON object')
  const { sender, arguments: args } = body as { sender?: unknown; arguments?: unknown }
  if (typeof sender !== 'string' || sender.length === 0) throw badRequest('body/sender must be a principal')
  if (!Array.isArray(args) || !args.every((a): a is string => typeof a === 'string')) {
    throw badRequest('body/arguments must be an array of hex strings')
  }
  let cvs: ClarityValue[]
  try {
    cvs = args.map((a) => deserializeCV(a.replace(/^0x/, '')))
  } catch (e) {
    throw badRequest(`body/arguments: not a serialized Clarity value (${String(e)})`)
  }
  const outcome = backend.readOnly(contractId, fn, cvs, sender)
  return outcome.okay ? { okay: true, result: '0x' + serializeCV(outcome.result) } : outcome
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > MAX_BODY_BYTES) throw new HttpError(413, { error: 'Payload Too Large' })
    chunks.push(buf)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw badRequest('body is not JSON')
  }
}
