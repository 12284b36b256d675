import { describe, expect, it } from 'vitest'
import { formatKeyTable } from '../../src/cli/formatKeys'
import { generateApiKey, hashApiKey, InvalidContractIdError, keyCanRefresh, looksLikeApiKey, normalizeContractId, type ApiKeyRecord } from '../../src/store/apiKeys'

const EVM = '0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D'
const STACKS = 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173.the-explorer-guild'

function record(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: 'id-1',
    name: 'team',
    prefix: 'tms_AbCd1234',
    admin: false,
    contracts: [`eip155:1:${EVM.toLowerCase()}`],
    ethAddress: null,
    createdAt: new Date('2025-01-02T03:04:05Z'),
    revokedAt: null,
    lastUsedAt: null,
    ...overrides,
  }
}

describe('API key material', () => {
  it('generates tms_ + 32 base62 characters, different every time', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey))
    expect(keys.size).toBe(200)
    for (const key of keys) expect(key).toMatch(/^tms_[0-9A-Za-z]{32}$/)
  })

  it('hashes keys with SHA-256 (hex) and recognises their shape', () => {
    expect(hashApiKey('tms_x')).toMatch(/^[0-9a-f]{64}$/)
    expect(looksLikeApiKey(generateApiKey())).toBe(true)
    expect(looksLikeApiKey('tms_short')).toBe(false)
    expect(looksLikeApiKey(`${generateApiKey()} `)).toBe(false)
  })
})

describe('contract ids of API keys', () => {
  it('lowercases EVM addresses and keeps Stacks principals as given', () => {
    expect(normalizeContractId(`eip155:137:${EVM}`)).toBe(`eip155:137:${EVM.toLowerCase()}`)
    expect(normalizeContractId(`stacks:1:${STACKS}`)).toBe(`stacks:1:${STACKS}`)
  })

  it('rejects malformed ids, naming the value', () => {
    for (const bad of ['0xabc', `eip155:1:${STACKS}`, `stacks:1:${EVM}`, 'eip155:1:0x1234', `solana:1:${EVM}`, `EIP155:1:${EVM}`, `stacks:1:${STACKS.split('.')[0]}`]) {
      expect(() => normalizeContractId(bad)).toThrow(InvalidContractIdError)
      expect(() => normalizeContractId(bad)).toThrow(JSON.stringify(bad))
    }
  })
})

describe('keyCanRefresh()', () => {
  it('lets an admin key refresh any contract', () => {
    expect(keyCanRefresh(record({ admin: true, contracts: [] }), `eip155:1:${EVM}`)).toBe(true)
  })

  it('lets a project key refresh only its contracts, whatever the address case', () => {
    expect(keyCanRefresh(record(), `eip155:1:${EVM}`)).toBe(true)
    expect(keyCanRefresh(record(), `eip155:1:${EVM.toLowerCase()}`)).toBe(true)
    expect(keyCanRefresh(record(), `eip155:137:${EVM}`)).toBe(false)
    expect(keyCanRefresh(record(), 'not a contract')).toBe(false)
  })

  it('never lets a revoked key refresh', () => {
    expect(keyCanRefresh(record({ admin: true, revokedAt: new Date() }), `eip155:1:${EVM}`)).toBe(false)
  })
})

describe('keys list table', () => {
  it('aligns columns and shows access, usage and status', () => {
    const table = formatKeyTable([record(), record({ id: 'id-2', name: 'ops', prefix: 'tms_Zz', admin: true, contracts: [], revokedAt: new Date('2025-02-01T00:00:00Z') })])
    const lines = table.split('\n')
    expect(lines[0]).toMatch(/^PREFIX\s+NAME\s+ACCESS\s+CREATED\s+LAST USED\s+STATUS\s+ID$/)
    expect(lines[1]).toContain('2025-01-02 03:04:05Z')
    expect(lines[1]).toContain('never')
    expect(lines[1]).toContain('active')
    expect(lines[2]).toContain('admin (every contract)')
    expect(lines[2]).toContain('revoked 2025-02-01 00:00:00Z')
    expect(lines[1]!.indexOf('team')).toBe(lines[2]!.indexOf('ops'))
  })

  it('says how to create a key when there is none', () => {
    expect(formatKeyTable([])).toContain('keys create --name')
  })
})
