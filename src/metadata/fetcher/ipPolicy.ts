/**
 * Which network addresses the metadata fetcher may connect to.
 *
 * Invariant: an address is allowed only if it is public unicast, or it matches an entry of the
 * explicit allow-list from config. Everything that cannot be parsed is refused (fail closed).
 *
 * IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`,
 * 6to4 `2002::/16`) are judged by the IPv4 address they embed, because that is where the packets
 * end up. IPv6 outside global unicast `2000::/3` is refused as reserved.
 */
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'

type IPv4 = ipaddr.IPv4
type IPv6 = ipaddr.IPv6
type Address = IPv4 | IPv6

/** Why an address is refused. `undefined` from {@link classifyAddress} means "public". */
export type BlockReason =
  | 'invalid'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'carrier_grade_nat'
  | 'link_local'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'unique_local'
  | 'site_local'
  | 'teredo'
  | 'nat64_local'

type RangeTable<A> = ReadonlyArray<readonly [reason: BlockReason, range: readonly [A, number]]>

function v4(cidr: string): readonly [IPv4, number] {
  return ipaddr.IPv4.parseCIDR(cidr)
}

function v6(cidr: string): readonly [IPv6, number] {
  return ipaddr.IPv6.parseCIDR(cidr)
}

/** First match wins, so narrower names (broadcast) come before wider ones (240/4). */
const IPV4_BLOCKED: RangeTable<IPv4> = [
  ['unspecified', v4('0.0.0.0/8')],
  ['private', v4('10.0.0.0/8')],
  ['carrier_grade_nat', v4('100.64.0.0/10')],
  ['loopback', v4('127.0.0.0/8')],
  ['link_local', v4('169.254.0.0/16')],
  ['private', v4('172.16.0.0/12')],
  ['reserved', v4('192.0.0.0/24')], // IETF protocol assignments
  ['documentation', v4('192.0.2.0/24')],
  ['reserved', v4('192.88.99.0/24')], // deprecated 6to4 relay anycast
  ['private', v4('192.168.0.0/16')],
  ['benchmarking', v4('198.18.0.0/15')],
  ['documentation', v4('198.51.100.0/24')],
  ['documentation', v4('203.0.113.0/24')],
  ['multicast', v4('224.0.0.0/4')],
  ['broadcast', v4('255.255.255.255/32')],
  ['reserved', v4('240.0.0.0/4')],
]

const IPV6_BLOCKED: RangeTable<IPv6> = [
  ['unspecified', v6('::/128')],
  ['loopback', v6('::1/128')],
  ['reserved', v6('::/96')], // deprecated IPv4-compatible addresses
  ['reserved', v6('::ffff:0:0:0/96')], // SIIT translated addresses
  ['nat64_local', v6('64:ff9b:1::/48')],
  ['reserved', v6('100::/64')], // discard-only
  ['teredo', v6('2001::/32')], // tunnels to arbitrary IPv4, client address obfuscated
  ['benchmarking', v6('2001:2::/48')],
  ['reserved', v6('2001:10::/28')], // ORCHID
  ['reserved', v6('2001:20::/28')], // ORCHIDv2
  ['documentation', v6('2001:db8::/32')],
  ['documentation', v6('3fff::/20')],
  ['unique_local', v6('fc00::/7')],
  ['link_local', v6('fe80::/10')],
  ['site_local', v6('fec0::/10')],
  ['multicast', v6('ff00::/8')],
]

const IPV6_GLOBAL_UNICAST = v6('2000::/3')

/** Prefixes whose IPv6 addresses carry an IPv4 address, with where its 32 bits sit. */
const IPV6_EMBEDDING_V4: ReadonlyArray<readonly [range: readonly [IPv6, number], firstPart: number]> = [
  [v6('::ffff:0:0/96'), 6], // IPv4-mapped
  [v6('64:ff9b::/96'), 6], // NAT64 well-known prefix
  [v6('2002::/16'), 1], // 6to4
]

function lookupReason<A extends Address>(address: A, table: RangeTable<A>): BlockReason | undefined {
  for (const [reason, range] of table) {
    if (address.match(range as [A, number])) return reason
  }
  return undefined
}

function embeddedIPv4(address: IPv6): IPv4 | undefined {
  for (const [range, first] of IPV6_EMBEDDING_V4) {
    if (!address.match(range as [IPv6, number])) continue
    const high = address.parts[first]!
    const low = address.parts[first + 1]!
    return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff])
  }
  return undefined
}

function classifyIPv6(address: IPv6): BlockReason | undefined {
  const inner = embeddedIPv4(address)
  if (inner) return lookupReason(inner, IPV4_BLOCKED)
  const reason = lookupReason(address, IPV6_BLOCKED)
  if (reason) return reason
  return address.match(IPV6_GLOBAL_UNICAST as [IPv6, number]) ? undefined : 'reserved'
}

/**
 * Parses a textual IP address the way the OS would connect to it: only canonical IPv4
 * dotted-quad and IPv6 text (optionally in brackets, with a zone). Shorthands such as `127.1`
 * or `0x7f.0.0.1` are not addresses here (WHATWG URL parsing has already normalised those).
 */
export function parseAddress(text: string): Address | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  const withoutZone = bare.split('%')[0]!
  if (isIP(withoutZone) === 0) return undefined
  return ipaddr.parse(withoutZone)
}

/** Returns why the address must not be dialled, or `undefined` when it is public. */
export function classifyAddress(text: string): BlockReason | undefined {
  const address = parseAddress(text)
  if (!address) return 'invalid'
  return address.kind() === 'ipv4' ? lookupReason(address as IPv4, IPV4_BLOCKED) : classifyIPv6(address as IPv6)
}

/** True when `text` is a literal IP address (with or without brackets) rather than a host name. */
export function isIpLiteral(text: string): boolean {
  return parseAddress(text) !== undefined
}

// ---------------------------------------------------------------------------------------------
// Allow-list

/**
 * One parsed allow-list entry. Host-name entries trust whatever the name resolves to (the dev
 * mode uses `localhost:3000`), so they belong in development configs, not production ones.
 */
export type AllowRule = { kind: 'address'; address: Address; port?: number } | { kind: 'cidr'; range: [Address, number] } | { kind: 'hostname'; hostname: string; port?: number }

/** Where the fetcher is about to connect: the URL's host name, the address it dials, the port. */
export interface DialTarget {
  hostname: string
  address: string
  port: number
}

export type AddressVerdict = { allowed: true; via: 'public' | 'allow-list' } | { allowed: false; reason: BlockReason }

function parsePort(text: string, entry: string): number {
  const port = Number(text)
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) {
    throw new Error(`ip allow-list entry ${JSON.stringify(entry)}: invalid port`)
  }
  return port
}

/** Normalises an address so that `::ffff:127.0.0.1` and `127.0.0.1` compare equal. */
function normalise(address: Address): Address {
  if (address.kind() === 'ipv6' && (address as IPv6).isIPv4MappedAddress()) {
    return (address as IPv6).toIPv4Address()
  }
  return address
}

function normaliseHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '')
}

function parseCidrRule(entry: string): AllowRule {
  if (!ipaddr.isValidCIDR(entry)) throw new Error(`ip allow-list entry ${JSON.stringify(entry)}: invalid CIDR`)
  const [address, bits] = ipaddr.parseCIDR(entry)
  if (address.kind() === 'ipv4' && !ipaddr.IPv4.isValidCIDRFourPartDecimal(entry)) {
    throw new Error(`ip allow-list entry ${JSON.stringify(entry)}: IPv4 CIDR must be a dotted quad`)
  }
  return { kind: 'cidr', range: [address, bits] }
}

/** Splits `host`, `host:port`, `[v6]`, `[v6]:port` and bare IPv6 into host and optional port. */
function splitHostPort(entry: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
  if (bracketed) {
    return { host: bracketed[1]!, port: bracketed[2] === undefined ? undefined : parsePort(bracketed[2], entry) }
  }
  if (isIP(entry) === 6) return { host: entry }
  const colon = entry.lastIndexOf(':')
  if (colon === -1) return { host: entry }
  return { host: entry.slice(0, colon), port: parsePort(entry.slice(colon + 1), entry) }
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/

/**
 * Parses one allow-list entry: `127.0.0.1`, `127.0.0.1:8080`, `::1`, `[::1]:8080`,
 * `localhost`, `localhost:3000`, `10.0.0.0/8`, `fd00::/8`. Throws on anything else, so that a
 * typo in config fails at start-up rather than silently allowing nothing (or too much).
 */
export function parseAllowRule(raw: string): AllowRule {
  const entry = raw.trim()
  if (entry.includes('/')) return parseCidrRule(entry)
  const { host, port } = splitHostPort(entry)
  if (isIP(host) !== 0) return { kind: 'address', address: normalise(ipaddr.parse(host)), port }
  const hostname = normaliseHostname(host)
  if (!HOSTNAME.test(hostname) || /^[\d.]+$/.test(hostname)) {
    throw new Error(`ip allow-list entry ${JSON.stringify(raw)}: not an address, CIDR or host name`)
  }
  return { kind: 'hostname', hostname, port }
}

function sameAddress(a: Address, b: Address): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString()
}

function ruleMatches(rule: AllowRule, target: DialTarget, address: Address): boolean {
  switch (rule.kind) {
    case 'cidr':
      return address.kind() === rule.range[0].kind() && address.match(rule.range)
    case 'address':
      return sameAddress(rule.address, address) && (rule.port === undefined || rule.port === target.port)
    case 'hostname':
      return rule.hostname === normaliseHostname(target.hostname) && (rule.port === undefined || rule.port === target.port)
  }
}

/** The address policy of one fetcher configuration. Immutable once built. */
export class IpPolicy {
  readonly rules: readonly AllowRule[]

  constructor(allow: readonly string[] = []) {
    this.rules = allow.map(parseAllowRule)
  }

  /** Judges one connection about to be made. Allow-list entries win over the block table. */
  check(target: DialTarget): AddressVerdict {
    const parsed = parseAddress(target.address)
    if (!parsed) return { allowed: false, reason: 'invalid' }
    const address = normalise(parsed)
    if (this.rules.some((rule) => ruleMatches(rule, target, address))) return { allowed: true, via: 'allow-list' }
    const reason = classifyAddress(target.address)
    return reason === undefined ? { allowed: true, via: 'public' } : { allowed: false, reason }
  }

  isAllowed(target: DialTarget): boolean {
    return this.check(target).allowed
  }
}
