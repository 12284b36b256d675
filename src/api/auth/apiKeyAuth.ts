import type { IncomingHttpHeaders } from 'node:http'
import type { DataSource } from 'typeorm'
import { keyCanRefresh, verifyApiKey, type ApiKeyRecord } from '../../store/apiKeys'

/**
 * API keys on the refresh surfaces (docs/architecture.md §6). Each surface reads its own header
 * (Immutable `x-immutable-api-key`, Mavis `X-API-Key`, Sequence `X-Access-Key`), and every
 * surface also accepts `Authorization: Bearer <key>` (any case of "Bearer": Sequence's client
 * sends `BEARER`).
 *
 * A request may carry several candidates (Sequence's client sends its project access key in
 * X-Access-Key and a token in Authorization): the first that verifies wins. Values that do not
 * have the shape of our keys are refused without a database lookup (verifyApiKey).
 */

export const KEY_HEADERS = {
  immutable: ['x-immutable-api-key'],
  mavis: ['x-api-key'],
  sequence: ['x-access-key'],
  graphql: [],
} as const satisfies Record<string, readonly string[]>

export type KeySurface = keyof typeof KEY_HEADERS

/** At most this many candidate values are tried per request. */
const MAX_CANDIDATES = 4
const BEARER = /^bearer[ \t]+([^\s]+)[ \t]*$/i

export function candidateKeys(headers: IncomingHttpHeaders, surface: KeySurface): string[] {
  const out: string[] = []
  const add = (v: string | string[] | undefined) => {
    for (const s of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
      const t = s.trim()
      if (t !== '' && !out.includes(t)) out.push(t)
    }
  }
  for (const name of KEY_HEADERS[surface]) add(headers[name])
  const auth = headers.authorization
  if (typeof auth === 'string') {
    const m = BEARER.exec(auth)
    if (m) add(m[1])
  }
  return out.slice(0, MAX_CANDIDATES)
}

export type AuthResult = { ok: true; key: ApiKeyRecord } | { ok: false; reason: 'missing' | 'invalid' }

/** The live key among the candidates, or why there is none (missing: no key at all; invalid: unknown or revoked). */
export async function authenticate(ds: DataSource, candidates: readonly string[], now: Date): Promise<AuthResult> {
  if (candidates.length === 0) return { ok: false, reason: 'missing' }
  for (const c of candidates) {
    const key = await verifyApiKey(ds, c, now)
    if (key) return { ok: true, key }
  }
  return { ok: false, reason: 'invalid' }
}

export async function authenticateRequest(ds: DataSource, headers: IncomingHttpHeaders, surface: KeySurface, now = new Date()): Promise<AuthResult> {
  return authenticate(ds, candidateKeys(headers, surface), now)
}

/** Whether the key may refresh (and read the refreshes of) a contract id. */
export function mayRefresh(key: ApiKeyRecord, contractId: string): boolean {
  return keyCanRefresh(key, contractId)
}

/** Contract ids a key is limited to on one chain; null = every contract (admin key). */
export function visibleContracts(key: ApiKeyRecord, chain: string): string[] | null {
  if (key.admin) return null
  return key.contracts.filter((c) => c.startsWith(`${chain}:`))
}
