import { describe, expect, it } from 'vitest'
import { classifyAddress, IpPolicy, parseAllowRule, type BlockReason } from '../../src/metadata/fetcher/ipPolicy'

const blocked: Array<[string, BlockReason]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'carrier_grade_nat'],
  ['100.127.255.254', 'carrier_grade_nat'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['169.254.169.254', 'link_local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.10', 'documentation'],
  ['192.88.99.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.200', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['::7f00:1', 'reserved'], // IPv4-compatible (deprecated)
  ['fe80::1', 'link_local'],
  ['fe80::1%eth0', 'link_local'],
  ['febf::1', 'link_local'],
  ['fec0::1', 'site_local'],
  ['fc00::1', 'unique_local'],
  ['fd12:3456:789a::1', 'unique_local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ['2001:2::1', 'benchmarking'],
  ['2001:10::1', 'reserved'],
  ['100::1', 'reserved'],
  ['64:ff9b:1::1', 'nat64_local'],
  ['4000::1', 'reserved'], // outside global unicast 2000::/3
  // IPv4 embedded in IPv6 is judged as the IPv4
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:169.254.169.254', 'link_local'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::a9fe:a9fe', 'link_local'],
  ['2002:c0a8:0101::1', 'private'], // 6to4 of 192.168.1.1
  ['2002:7f00:1::', 'loopback'],
  // not addresses at all: fail closed
  ['', 'invalid'],
  ['localhost', 'invalid'],
  ['127.1', 'invalid'],
  ['0x7f.0.0.1', 'invalid'],
  ['2130706433', 'invalid'],
  ['1.2.3.4.5', 'invalid'],
]

const publicAddresses = [
  '1.1.1.1',
  '8.8.8.8',
  '93.184.216.34',
  '100.63.255.255', // just below CGNAT
  '100.128.0.0', // just above CGNAT
  '172.15.255.255', // just below 172.16/12
  '172.32.0.0', // just above
  '169.253.255.255',
  '192.169.0.1',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001:82b::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808', // NAT64 of 8.8.8.8
  '2002:0808:0808::1', // 6to4 of 8.8.8.8
]

describe('classifyAddress', () => {
  it.each(blocked)('refuses %s as %s', (address, reason) => {
    expect(classifyAddress(address)).toBe(reason)
  })

  it.each(publicAddresses)('allows public %s', (address) => {
    expect(classifyAddress(address)).toBeUndefined()
  })
})

describe('IpPolicy', () => {
  const target = (address: string, port = 80, hostname = address) => ({ hostname, address, port })

  it('refuses non-public addresses by default and allows public ones', () => {
    const policy = new IpPolicy()
    expect(policy.check(target('127.0.0.1'))).toEqual({ allowed: false, reason: 'loopback' })
    expect(policy.check(target('8.8.8.8'))).toEqual({ allowed: true, via: 'public' })
  })

  it('allows an address on any port, or only on the given port', () => {
    const policy = new IpPolicy(['127.0.0.1', '10.0.0.5:8080'])
    expect(policy.isAllowed(target('127.0.0.1', 1234))).toBe(true)
    expect(policy.isAllowed(target('10.0.0.5', 8080))).toBe(true)
    expect(policy.isAllowed(target('10.0.0.5', 8081))).toBe(false)
    expect(policy.isAllowed(target('127.0.0.2', 1234))).toBe(false)
  })

  it('treats an IPv4-mapped address like its IPv4 for allow-list entries', () => {
    const policy = new IpPolicy(['127.0.0.1:3000'])
    expect(policy.isAllowed(target('::ffff:127.0.0.1', 3000))).toBe(true)
    expect(policy.isAllowed(target('::ffff:127.0.0.1', 3001))).toBe(false)
  })

  it('allows IPv6 entries with and without a port', () => {
    const policy = new IpPolicy(['::1', '[fd00::7]:9000'])
    expect(policy.isAllowed(target('::1', 5))).toBe(true)
    expect(policy.isAllowed(target('fd00::7', 9000))).toBe(true)
    expect(policy.isAllowed(target('fd00::7', 9001))).toBe(false)
  })

  it('allows CIDR ranges on any port, without mixing families', () => {
    const policy = new IpPolicy(['10.0.0.0/8', 'fd00::/8'])
    expect(policy.isAllowed(target('10.20.30.40', 443))).toBe(true)
    expect(policy.isAllowed(target('fd11::1', 443))).toBe(true)
    expect(policy.isAllowed(target('11.0.0.1', 443))).toBe(true) // public anyway
    expect(policy.isAllowed(target('192.168.0.1', 443))).toBe(false)
    expect(policy.isAllowed(target('fc00::1', 443))).toBe(false)
  })

  it('allows a host name (whatever it resolves to) on its port only', () => {
    const policy = new IpPolicy(['localhost:3000', 'Gateway.Internal.'])
    expect(policy.isAllowed(target('127.0.0.1', 3000, 'localhost'))).toBe(true)
    expect(policy.isAllowed(target('::1', 3000, 'LOCALHOST'))).toBe(true)
    expect(policy.isAllowed(target('127.0.0.1', 3001, 'localhost'))).toBe(false)
    expect(policy.isAllowed(target('10.1.1.1', 8080, 'gateway.internal'))).toBe(true)
    expect(policy.isAllowed(target('127.0.0.1', 3000, 'evil.example'))).toBe(false)
  })

  it('refuses unparsable resolved addresses even with a matching host-name entry', () => {
    const policy = new IpPolicy(['localhost'])
    expect(policy.check(target('not-an-ip', 80, 'localhost'))).toEqual({ allowed: false, reason: 'invalid' })
  })

  it('parses allow-list entries and rejects malformed ones at start-up', () => {
    expect(parseAllowRule('127.0.0.1:8080')).toMatchObject({ kind: 'address', port: 8080 })
    expect(parseAllowRule('[::1]:8080')).toMatchObject({ kind: 'address', port: 8080 })
    expect(parseAllowRule('::1')).toMatchObject({ kind: 'address', port: undefined })
    expect(parseAllowRule(' localhost:3000 ')).toEqual({ kind: 'hostname', hostname: 'localhost', port: 3000 })
    expect(parseAllowRule('10.0.0.0/8')).toMatchObject({ kind: 'cidr' })
    for (const bad of ['', '127.0.0.1:0', '127.0.0.1:70000', 'host:abc', '10.0.0.0/33', '10/8', 'a b', '127.1', 'http://x', '10.0.0.0/8:80']) {
      expect(() => parseAllowRule(bad), bad).toThrow()
    }
  })
})
