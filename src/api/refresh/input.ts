import { checkTokenId, clip, contractAddressProblem, contractIdOf } from '../validation'

/**
 * Request checks shared by the refresh surfaces. Each throws InputProblem naming the field; the
 * surface renders it in its own error shape and status.
 */
export class InputProblem extends Error {
  constructor(
    message: string,
    readonly field?: string,
    /** Surfaces that distinguish a missing argument (Sequence RequiredArgument). */
    readonly missing = false,
  ) {
    super(message)
    this.name = 'InputProblem'
  }
}

export type Json = Record<string, unknown>

export function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v
}

export function bodyObject(body: unknown): Json {
  if (body === null || body === undefined || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputProblem(`request body must be a JSON object, got ${body === undefined ? 'nothing' : typeOf(body)}`)
  }
  return body as Json
}

export function requiredString(b: Json, field: string): string {
  const v = b[field]
  if (v === undefined || v === null || v === '') throw new InputProblem(`${field} is required`, field, true)
  if (typeof v !== 'string') throw new InputProblem(`${field} must be a string, got ${typeOf(v)}`, field)
  return v
}

/** The contract id of `address` on `chain`, or a problem naming the field. */
export function contractOf(chain: string, address: string, field: string): string {
  const problem = contractAddressProblem(chain, address)
  if (problem) throw new InputProblem(`${field}: ${problem}`, field)
  return contractIdOf(chain, address)
}

/**
 * A list of token id strings: 1..max entries (min 0 when `allowEmpty`), each the canonical
 * decimal of an id of the chain (uint256 / uint128). Duplicates are dropped, order kept.
 */
export function tokenIdList(chain: string, v: unknown, field: string, max: number, allowEmpty = false): bigint[] {
  if (v === undefined || v === null) throw new InputProblem(`${field} is required`, field, true)
  if (!Array.isArray(v)) throw new InputProblem(`${field} must be an array of token id strings, got ${typeOf(v)}`, field)
  if (v.length === 0 && !allowEmpty) throw new InputProblem(`${field} must contain at least one token id`, field)
  if (v.length > max) throw new InputProblem(`${field} has ${v.length} token ids; at most ${max} are allowed per request`, field)
  const seen = new Set<string>()
  const out: bigint[] = []
  v.forEach((x, i) => {
    const checked = checkTokenId(chain, x)
    if (!checked.ok) throw new InputProblem(`${field}[${i}]: ${typeof x === 'string' ? checked.problem : `must be a string, got ${typeOf(x)}`}`, `${field}[${i}]`)
    if (!seen.has(checked.tokenId)) {
      seen.add(checked.tokenId)
      out.push(BigInt(checked.tokenId))
    }
  })
  return out
}

/** A positive page size from a query string, at most `max`. */
export function pageSizeParam(v: unknown, dflt: number, max: number, field = 'page_size'): number {
  if (v === undefined || v === '') return dflt
  if (typeof v !== 'string' || !/^[0-9]{1,6}$/.test(v)) throw new InputProblem(`${field} must be an integer between 1 and ${max}`, field)
  const n = Number(v)
  if (n < 1 || n > max) throw new InputProblem(`${field} must be between 1 and ${max}, got ${n}`, field)
  return n
}

/** A single query-string value (a repeated parameter is a mistake, not a list). */
export function queryString(q: unknown, field: string): string | undefined {
  const v = (q as Record<string, unknown> | undefined)?.[field]
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw new InputProblem(`${field} must be given once`, field)
  if (v.includes('\u0000') || v.length > 2048) throw new InputProblem(`${field} "${clip(v)}" is not valid`, field)
  return v
}
