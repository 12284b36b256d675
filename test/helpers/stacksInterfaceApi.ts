/**
 * A local stand-in for a Stacks API that only knows contract interfaces
 * (`GET /v2/contracts/interface/:address/:name`), for contracts deployed before a recording starts.
 * The SIP-009 and SIP-010 interfaces are written from the traits (the function names, access and
 * argument types the traits require); BNS's is its NFT `names` and a few of its functions, which
 * do not make it a SIP-009 token. Anything else is a 404, as the node answers for an unknown contract.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ClarityAbiType, ContractInterface, ContractInterfaceFunction } from '../../src/chains/stacks/apiTypes'

const uint: ClarityAbiType = 'uint128'
const principal: ClarityAbiType = 'principal'
const ok = (t: ClarityAbiType): { type: ClarityAbiType } => ({ type: { response: { ok: t, error: uint } } })
const fn = (name: string, access: ContractInterfaceFunction['access'], args: ClarityAbiType[], out: { type: ClarityAbiType }): ContractInterfaceFunction => ({
  name,
  access,
  args: args.map((type, i) => ({ name: `a${i}`, type })),
  outputs: out,
})
const base = { variables: [], maps: [], epoch: 'Epoch20', clarity_version: 'Clarity1' }

export function sip009Interface(nft: string): ContractInterface {
  return {
    ...base,
    functions: [
      fn('get-last-token-id', 'read_only', [], ok(uint)),
      fn('get-token-uri', 'read_only', [uint], ok({ optional: { 'string-ascii': { length: 256 } } })),
      fn('get-owner', 'read_only', [uint], ok({ optional: principal })),
      fn('transfer', 'public', [uint, principal, principal], ok('bool')),
    ],
    fungible_tokens: [],
    non_fungible_tokens: [{ name: nft, type: uint }],
  }
}

export function sip010Interface(ft: string): ContractInterface {
  return {
    ...base,
    functions: [
      fn('transfer', 'public', [uint, principal, principal, { optional: { buffer: { length: 34 } } }], ok('bool')),
      fn('get-name', 'read_only', [], ok({ 'string-ascii': { length: 32 } })),
      fn('get-symbol', 'read_only', [], ok({ 'string-ascii': { length: 32 } })),
      fn('get-decimals', 'read_only', [], ok(uint)),
      fn('get-balance', 'read_only', [principal], ok(uint)),
      fn('get-total-supply', 'read_only', [], ok(uint)),
      fn('get-token-uri', 'read_only', [], ok({ optional: { 'string-utf8': { length: 256 } } })),
    ],
    fungible_tokens: [{ name: ft }],
    non_fungible_tokens: [],
  }
}

const nameType: ClarityAbiType = {
  tuple: [
    { name: 'name', type: { buffer: { length: 48 } } },
    { name: 'namespace', type: { buffer: { length: 20 } } },
  ],
}

export const BNS_INTERFACE: ContractInterface = {
  ...base,
  functions: [
    fn('name-register', 'public', [{ buffer: { length: 20 } }, { buffer: { length: 48 } }, { buffer: { length: 20 } }, { buffer: { length: 20 } }], ok('bool')),
    fn('name-transfer', 'public', [{ buffer: { length: 20 } }, { buffer: { length: 48 } }, principal, { optional: { buffer: { length: 20 } } }], ok('bool')),
    fn('name-resolve', 'read_only', [{ buffer: { length: 20 } }, { buffer: { length: 48 } }], ok(nameType)),
  ],
  fungible_tokens: [],
  non_fungible_tokens: [{ name: 'names', type: nameType }],
}

export interface InterfaceApi {
  url: string
  /** contract ids asked for, in order */
  asked: string[]
  close(): Promise<void>
}

export async function startInterfaceApi(interfaces: Record<string, ContractInterface>): Promise<InterfaceApi> {
  const asked: string[] = []
  const server = http.createServer((req, res) => {
    const m = /^\/v2\/contracts\/interface\/([^/]+)\/([^/?]+)/.exec(req.url ?? '')
    const id = m ? `${m[1]}.${decodeURIComponent(m[2])}` : undefined
    if (id) asked.push(id)
    const iface = id ? interfaces[id] : undefined
    res.writeHead(iface ? 200 : 404, { 'content-type': 'application/json' })
    res.end(JSON.stringify(iface ?? { error: 'not found' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, asked, close: () => new Promise((r) => server.close(() => r())) }
}
