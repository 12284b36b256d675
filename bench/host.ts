/**
 * Services for the pipeline benchmark, run as a child process (fork, IPC) so they do not share
 * an event loop with the bench's own polling:
 *
 *   - a metadata host on 127.0.0.1 answering `GET /t/<collection>/<id>` after a fixed delay
 *     (default 20 ms) with a small ERC-721 JSON document (name, description, image, 2 attributes);
 *     it counts requests and the requests in flight (time-weighted average and maximum);
 *   - a stub JSON-RPC endpoint answering the worker's contract reads (`tokenURI`, `name`,
 *     `symbol`, `totalSupply`, `contractURI`, `supportsInterface`) at once, with the URI of the
 *     host above: the variant that takes the hardhat node out of the measurement.
 *
 * IPC: sends {type:'ready', hostPort, rpcPort}; answers {type:'stats'} with the counters since
 * the last {type:'reset'}. Exits when the parent goes away.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

const latencyMs = Number(process.argv[2] ?? 20)

let served = 0
let inFlight = 0
let maxInFlight = 0
let since = performance.now()
let lastChange = since
let weighted = 0
let firstAt: number | undefined
let lastAt: number | undefined
let rpcRequests = 0
let rpcCalls = 0

function track(delta: number): void {
  const now = performance.now()
  weighted += inFlight * (now - lastChange)
  lastChange = now
  inFlight += delta
  if (inFlight > maxInFlight) maxInFlight = inFlight
}

function reset(): void {
  served = 0
  maxInFlight = inFlight
  since = performance.now()
  lastChange = since
  weighted = 0
  firstAt = undefined
  lastAt = undefined
  rpcRequests = 0
  rpcCalls = 0
}

function stats() {
  track(0)
  const window = (lastAt ?? performance.now()) - (firstAt ?? since)
  return {
    served,
    maxInFlight,
    /** mean requests in flight between the first and the last response since the reset */
    avgInFlight: window > 0 ? weighted / window : 0,
    activeSeconds: window / 1000,
    rpcRequests,
    rpcCalls,
  }
}

const host = http.createServer((req, res) => {
  const m = /^\/t\/([^/]+)\/(\d+)$/.exec(req.url ?? '')
  if (!m) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}')
    return
  }
  track(1)
  firstAt ??= performance.now()
  const id = m[2]
  setTimeout(() => {
    const body = JSON.stringify({
      name: `Bench #${id}`,
      description: `Token ${id} of collection ${m[1]}`,
      image: `ipfs://QmBenchImage/${id}.png`,
      attributes: [
        { trait_type: 'Eyes', value: Number(id) % 2 ? 'Big' : 'Small' },
        { trait_type: 'Level', value: Number(id) % 100 },
      ],
    })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
    served++
    lastAt = performance.now()
    track(-1)
  }, latencyMs)
})
host.keepAliveTimeout = 120_000
host.headersTimeout = 130_000
host.maxRequestsPerSocket = 0

// ---------------------------------------------------------------------------------------------
// stub JSON-RPC

const word = (hex: string) => hex.padStart(64, '0')

function abiString(s: string): string {
  const bytes = Buffer.from(s, 'utf8').toString('hex')
  const padded = bytes.padEnd(Math.ceil(bytes.length / 64) * 64, '0')
  return '0x' + word('20') + word(Buffer.byteLength(s).toString(16)) + padded
}

interface RpcReq {
  id: unknown
  method: string
  params?: unknown[]
}

function answer(r: RpcReq, hostUrl: string): unknown {
  const ok = (result: unknown) => ({ jsonrpc: '2.0', id: r.id, result })
  switch (r.method) {
    case 'eth_chainId':
      return ok('0x7a69')
    case 'eth_blockNumber':
      return ok('0x1')
    case 'eth_call': {
      rpcCalls++
      const call = (r.params?.[0] ?? {}) as { to?: string; data?: string; input?: string }
      const data = (call.data ?? call.input ?? '').toLowerCase()
      const sel = data.slice(0, 10)
      const to = (call.to ?? '0x').toLowerCase()
      if (sel === '0xc87b56dd') return ok(abiString(`${hostUrl}/t/${to.slice(2, 10)}/${BigInt('0x' + (data.slice(10) || '0'))}`))
      if (sel === '0x06fdde03') return ok(abiString('Bench'))
      if (sel === '0x95d89b41') return ok(abiString('BNCH'))
      if (sel === '0x18160ddd') return ok('0x' + word('186a0'))
      if (sel === '0xe8a3d485') return ok(abiString(''))
      if (sel === '0x01ffc9a7') return ok('0x' + word(data.slice(10, 18) === '80ac58cd' ? '1' : '0'))
      return { jsonrpc: '2.0', id: r.id, error: { code: 3, message: 'execution reverted', data: '0x' } }
    }
    default:
      return { jsonrpc: '2.0', id: r.id, error: { code: -32601, message: `method ${r.method} not supported by the stub` } }
  }
}

let hostUrl = ''
const rpc = http.createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    rpcRequests++
    let out: unknown
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RpcReq | RpcReq[]
      out = Array.isArray(body) ? body.map((r) => answer(r, hostUrl)) : answer(body, hostUrl)
    } catch {
      out = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }
    }
    const text = JSON.stringify(out)
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text)
  })
})
rpc.keepAliveTimeout = 120_000
rpc.headersTimeout = 130_000

host.listen(0, '127.0.0.1', () => {
  rpc.listen(0, '127.0.0.1', () => {
    const hostPort = (host.address() as AddressInfo).port
    const rpcPort = (rpc.address() as AddressInfo).port
    hostUrl = `http://127.0.0.1:${hostPort}`
    process.send?.({ type: 'ready', hostPort, rpcPort })
  })
})

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'reset') {
    reset()
    process.send?.({ type: 'reset-done' })
  } else if (msg.type === 'stats') {
    process.send?.({ type: 'stats', stats: stats() })
  }
})
process.on('disconnect', () => process.exit(0))
