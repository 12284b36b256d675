import { UINT128_MAX, UINT256_MAX, parseTokenId } from '../core/ids'
import { isStacksStandard, TOKEN_STANDARDS, type TokenStandardName } from '../core/standards'
import { parseAllowRule } from '../metadata/fetcher/ipPolicy'
import { UsageError } from './cliErrors'

/** `inspect`'s options as commander hands them over (strings, unvalidated). */
export interface RawInspectOptions {
  tokenId?: string
  standard?: string
  timeout?: string
  allow?: string[]
}

export interface InspectOptions {
  uri: string
  tokenId?: bigint
  standard?: TokenStandardName
  /** Overrides FETCH_TIMEOUT_MS. */
  timeoutMs?: number
  /** Added to FETCH_ALLOW_HOSTS. */
  allow: string[]
}

/** Longest --timeout accepted: ten minutes is already far beyond what a worker waits. */
export const MAX_TIMEOUT_MS = 600_000

const STANDARD_NAMES = TOKEN_STANDARDS.map((s) => s.toLowerCase()).join(', ')

/** Validates every option; each problem is a UsageError that names the value given. */
export function parseInspectOptions(uri: string | undefined, raw: RawInspectOptions): InspectOptions {
  if (uri === undefined || uri.trim() === '') throw new UsageError('missing <uri>: give the token URI to inspect, e.g. token-metadata inspect ipfs://Qm…/1.json')
  const standard = raw.standard === undefined ? undefined : parseStandard(raw.standard)
  const tokenId = raw.tokenId === undefined ? undefined : parseTokenIdOption(raw.tokenId, standard)
  const timeoutMs = raw.timeout === undefined ? undefined : parseTimeout(raw.timeout)
  const allow = (raw.allow ?? []).flatMap(splitList).map(checkAllowEntry)
  return { uri, tokenId, standard, timeoutMs, allow }
}

/** `erc1155`, `ERC1155`, `erc-1155`, `SIP-009` … -> the canonical name. */
export function parseStandard(value: string): TokenStandardName {
  const canonical = value.trim().toUpperCase().replace(/-/g, '')
  const found = TOKEN_STANDARDS.find((s) => s === canonical)
  if (!found) throw new UsageError(`unknown --standard ${JSON.stringify(value)}: expected one of ${STANDARD_NAMES}`)
  return found
}

/**
 * Decimal (as the API and DESIGN use), or 0x-prefixed hex (as ERC-1155 file names show ids).
 * Clarity token ids are uint128, EVM ids uint256.
 */
export function parseTokenIdOption(value: string, standard?: TokenStandardName): bigint {
  const text = value.trim()
  const max = standard && isStacksStandard(standard) ? UINT128_MAX : UINT256_MAX
  const maxName = max === UINT128_MAX ? '2^128-1 (uint128, Clarity)' : '2^256-1 (uint256)'
  const parsed = /^0x[0-9a-fA-F]{1,64}$/.test(text) ? BigInt(text) : parseTokenId(text.replace(/^0+(?=\d)/, ''), UINT256_MAX)
  if (parsed === undefined || parsed > max) {
    throw new UsageError(`invalid --token-id ${JSON.stringify(value)}: expected a non-negative integer (decimal or 0x hex) up to ${maxName}`)
  }
  return parsed
}

export function parseTimeout(value: string): number {
  const text = value.trim()
  const ms = /^\d{1,7}$/.test(text) ? Number(text) : NaN
  if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS)) throw new UsageError(`invalid --timeout ${JSON.stringify(value)}: expected milliseconds from 1 to ${MAX_TIMEOUT_MS}`)
  return ms
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** A typo in --allow must fail loudly, not silently allow nothing. */
function checkAllowEntry(entry: string): string {
  try {
    parseAllowRule(entry)
  } catch (e) {
    throw new UsageError(`invalid --allow ${JSON.stringify(entry)}: expected HOST:PORT, an IP address or a CIDR (e.g. 127.0.0.1:8080)`, { cause: e })
  }
  return entry
}
