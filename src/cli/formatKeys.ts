import type { ApiKeyRecord, CreateApiKeyResult } from '../store/apiKeys'

/** `2025-03-01 14:05:09Z`: sortable, unambiguous, and short enough for a table. */
export function formatTime(date: Date | null): string {
  return date ? `${date.toISOString().slice(0, 19).replace('T', ' ')}Z` : 'never'
}

export function describeAccess(record: ApiKeyRecord): string {
  const access = record.admin ? 'admin (every contract)' : record.contracts.join(', ')
  return record.ethAddress ? `${access}; owner ${record.ethAddress}` : access
}

/** What `keys create` prints for people: the key once, then how to recognise it later. */
export function formatCreatedKey({ key, record }: CreateApiKeyResult): string {
  return [
    `Created API key "${record.name}".`,
    '',
    `  key     ${key}`,
    `  id      ${record.id}`,
    `  prefix  ${record.prefix}`,
    `  access  ${describeAccess(record)}`,
    '',
    'Copy the key now: it is not shown again (only its SHA-256 hash is stored).',
    `Revoke it with: token-metadata keys revoke ${record.prefix}`,
  ].join('\n')
}

/** `keys create --json`: the record plus the key, dates in ISO 8601. */
export function createdKeyJson({ key, record }: CreateApiKeyResult): Record<string, unknown> {
  return { key, ...recordJson(record) }
}

export function recordJson(record: ApiKeyRecord): Record<string, unknown> {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    admin: record.admin,
    contracts: record.contracts,
    ethAddress: record.ethAddress,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
  }
}

const COLUMNS = ['PREFIX', 'NAME', 'ACCESS', 'CREATED', 'LAST USED', 'STATUS', 'ID'] as const

/** A plain-text table, columns padded to their widest cell. */
export function formatKeyTable(records: readonly ApiKeyRecord[]): string {
  if (records.length === 0) return 'No API keys yet. Create one with: token-metadata keys create --name NAME [--contract CHAIN:ADDRESS ...]'
  const rows = records.map((r) => [
    r.prefix,
    r.name,
    describeAccess(r),
    formatTime(r.createdAt),
    formatTime(r.lastUsedAt),
    r.revokedAt ? `revoked ${formatTime(r.revokedAt)}` : 'active',
    r.id,
  ])
  const table = [[...COLUMNS], ...rows]
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  return table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n')
}
