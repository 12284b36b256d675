import type { ReadDb } from './readDb'
import type { StoredAttribute } from '../../core/jobOutcome'

/**
 * Per-token details that lists and batch lookups load for many tokens at once (one statement
 * per detail per request, whatever the number of tokens): locale variants, raw documents,
 * attribute rows, balances.
 */

/** One announced localized variant: its merged document, or (status INVALID / FAILED) its error. */
export interface LocaleRow {
  tokenRef: string
  locale: string
  status: 'AVAILABLE' | 'INVALID' | 'FAILED'
  normalized: Record<string, unknown> | null
  error: { code: string; message: string | null; httpStatus: number | null; url: string | null } | null
}

interface LocaleDbRow {
  token_id: string
  locale: string
  status: LocaleRow['status']
  normalized: Record<string, unknown> | null
  error_code: string | null
  error_message: string | null
  error_http_status: number | null
  error_url: string | null
}

export async function localesOfTokens(db: ReadDb, refs: readonly string[]): Promise<LocaleRow[]> {
  if (refs.length === 0) return []
  const rows = await db.query<LocaleDbRow>(
    `SELECT token_id, locale, status, normalized, error_code, error_message, error_http_status, error_url
       FROM token_locale WHERE token_id = ANY($1::text[]) ORDER BY token_id, locale`,
    [refs],
  )
  return rows.map((r) => ({
    tokenRef: r.token_id,
    locale: r.locale,
    status: r.status,
    normalized: r.normalized,
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message, httpStatus: r.error_http_status, url: r.error_url },
  }))
}

export async function rawMetadataOfTokens(db: ReadDb, refs: readonly string[]): Promise<Map<string, unknown>> {
  if (refs.length === 0) return new Map()
  const rows = await db.query<{ id: string; raw: unknown }>(`SELECT id, raw FROM token_metadata WHERE id = ANY($1::text[])`, [refs])
  return new Map(rows.map((r) => [r.id, r.raw]))
}

/** A stored attribute as read back, with the token it belongs to and its place in the document. */
export interface AttributeRow extends StoredAttribute {
  tokenRef: string
  position: number
}

export async function attributesOfTokens(db: ReadDb, refs: readonly string[]): Promise<AttributeRow[]> {
  if (refs.length === 0) return []
  const rows = await db.query<{
    token_id: string
    position: number
    trait_type: string | null
    value: string | null
    value_number: string | null
    value_json: unknown
    display_type: string | null
    max_value: string | null
  }>(
    `SELECT token_id, position, trait_type, value, value_number::text, value_json, display_type, max_value::text
       FROM token_attribute WHERE token_id = ANY($1::text[]) ORDER BY token_id, position`,
    [refs],
  )
  return rows.map((r) => ({
    tokenRef: r.token_id,
    position: r.position,
    traitType: r.trait_type,
    value: r.value,
    valueNumber: r.value_number === null ? null : Number(r.value_number),
    valueJson: r.value_json,
    displayType: r.display_type,
    maxValue: r.max_value === null ? null : Number(r.max_value),
  }))
}

export interface BalanceRow {
  tokenRef: string
  account: string
  amount: string
}

/**
 * The first `limit` + 1 holders (by account, after `afterAccount`) of each token, in one
 * statement: a window over the balance rows of all requested tokens.
 */
export async function balancesOfTokens(db: ReadDb, refs: readonly string[], afterAccount: string | null, limit: number): Promise<BalanceRow[]> {
  if (refs.length === 0) return []
  const rows = await db.query<{ token_id: string; account: string; amount: string }>(
    `SELECT token_id, account, amount FROM (
       SELECT b.token_id, b.account, b.amount::text AS amount,
              row_number() OVER (PARTITION BY b.token_id ORDER BY b.account) AS rn
         FROM balance b
        WHERE b.token_id = ANY($1::text[]) AND b.account > coalesce($2::text, '') AND b.amount > 0) x
      WHERE rn <= $3
      ORDER BY token_id, account`,
    [refs, afterAccount, limit + 1],
  )
  return rows.map((r) => ({ tokenRef: r.token_id, account: r.account, amount: r.amount }))
}
