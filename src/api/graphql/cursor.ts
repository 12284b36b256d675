import { parseTokenId } from '../../core/ids'
import { badInput } from './inputErrors'

/**
 * Opaque cursors: base64url of the last item's sort key, tagged with the list kind so a cursor
 * of one list cannot be replayed against another. Decoding validates every field, so a forged
 * cursor is a BAD_USER_INPUT, never a query error.
 */
export type CursorKind = 'contract-tokens' | 'owner-tokens' | 'contracts' | 'balances' | 'rarity' | 'search' | 'contracts-HOLDERS' | 'contracts-TOKENS' | 'contracts-NAME'

interface CursorBody {
  k: CursorKind
  c?: string
  t?: string
  a?: string
  /** A numeric sort key (rank, count). */
  n?: number
}

export function encodeCursor(kind: CursorKind, fields: Omit<CursorBody, 'k'>): string {
  return Buffer.from(JSON.stringify({ k: kind, ...fields })).toString('base64url')
}

export function decodeCursor(kind: CursorKind, cursor: string | null | undefined, argumentName = 'after'): Omit<CursorBody, 'k'> | null {
  if (cursor === null || cursor === undefined) return null
  let body: CursorBody | undefined
  try {
    body = cursor.length <= 2048 ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorBody) : undefined
  } catch {
    body = undefined
  }
  const ok =
    body !== undefined &&
    body !== null &&
    typeof body === 'object' &&
    body.k === kind &&
    (body.t === undefined || (typeof body.t === 'string' && parseTokenId(body.t) !== undefined)) &&
    (body.c === undefined || (typeof body.c === 'string' && body.c.length <= 200 && !body.c.includes('\u0000'))) &&
    (body.a === undefined || (typeof body.a === 'string' && body.a.length <= 200 && !body.a.includes('\u0000'))) &&
    (body.n === undefined || Number.isSafeInteger(body.n))
  if (!ok) throw badInput(`${argumentName} is not a cursor of this list`, argumentName)
  return { c: body!.c, t: body!.t, a: body!.a, n: body!.n }
}
