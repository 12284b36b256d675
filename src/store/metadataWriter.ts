import type { MetadataError } from '../core/errors'
import type { ContractReadResult, TokenFetchResult } from '../core/jobOutcome'
import { SqlExecutor, rows } from './sql'
import { insertPlaceholderTokens } from './tokens'

/**
 * Writes worker results: token_metadata (+ attributes, locales) and contract_metadata.
 * Multi-row statements over unnest() arrays: one round trip per table per batch.
 * Strings from metadata hosts may contain NUL, which Postgres text and jsonb refuse: stripped.
 */

const NUL = /\u0000/g
export function clean(s: string | null | undefined): string | null {
  return s == null ? null : s.replace(NUL, '')
}

/** A backslash escape in JSON text: an escaped backslash, or U+0000's. */
const NUL_ESCAPE = /\\\\|\\u0000/g

/**
 * JSON for a jsonb parameter. JSON.stringify without a replacer (a replacer function makes it
 * call back for every value); a BigInt, which has no JSON form, falls back to one that writes
 * its decimal string. U+0000, which jsonb refuses, leaves JSON.stringify as the escape \u0000
 * and is dropped there (keys too); an escaped backslash is matched as a unit, so the text
 * `\u0000` in a string (\\u0000 in JSON) is kept.
 */
export function toJsonb(value: unknown): string | null {
  if (value === undefined) return null
  let text: string
  try {
    text = JSON.stringify(value)
  } catch (e) {
    if (!(e instanceof TypeError)) throw e
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  }
  return text.includes('\\u0000') ? text.replace(NUL_ESCAPE, (m) => (m === '\\\\' ? m : '')) : text
}

/**
 * Only tokens the processors recorded get metadata rows (a job may exist for a token that is not
 * indexed yet: a Sequence lookup or a refresh of an unknown id, or one a reorg just removed).
 */
async function existing<T extends { tokenRef: string }>(db: SqlExecutor, items: T[]): Promise<T[]> {
  if (items.length === 0) return items
  const found: { id: string }[] = await db.query(`SELECT id FROM token WHERE id = ANY($1::text[])`, [items.map((i) => i.tokenRef)])
  const ids = new Set(found.map((f) => f.id))
  return items.filter((i) => ids.has(i.tokenRef))
}

async function existingContracts<T extends { contractId: string }>(db: SqlExecutor, items: T[]): Promise<T[]> {
  if (items.length === 0) return items
  const found: { id: string }[] = await db.query(`SELECT id FROM contract WHERE id = ANY($1::text[])`, [items.map((i) => i.contractId)])
  const ids = new Set(found.map((f) => f.id))
  return items.filter((i) => ids.has(i.contractId))
}

export interface TokenResultRow {
  tokenRef: string
  contractId: string
  result: TokenFetchResult
}

export interface TokenWriteFacts {
  /**
   * The tokens that have a token_metadata row now (readPriorDocuments, read under the job row
   * locks). Attributes and locales are written only here, always with their token_metadata row,
   * which is never deleted: a token without one has none to replace, and the DELETEs are skipped
   * for it (a first fetch, the backfill's case). Absent: every token's are replaced.
   */
  stored?: ReadonlyMap<string, unknown>
  /** Tokens known to have a token row until commit (the settle's key-share locks): no placeholder needed. */
  indexed?: ReadonlySet<string>
}

export async function writeTokenResults(db: SqlExecutor, all: TokenResultRow[], now: Date, facts: TokenWriteFacts = {}): Promise<void> {
  if (all.length === 0) return
  const { stored, indexed } = facts
  const unknown = all.filter((i) => !indexed?.has(i.tokenRef)).map((i) => i.tokenRef)
  if (unknown.length > 0) await insertPlaceholderTokens(db, unknown)
  const m = (i: TokenResultRow) => i.result.metadata
  // Only tokens with a token row (the join) are written; RETURNING says which.
  const written = await rows<{ id: string }>(
    db,
    `INSERT INTO token_metadata AS t (id, token_id, contract_id, status, uri, resolved_url, content_hash,
        error_code, error_message, error_http_status, error_url, warnings, last_fetched_at, updated_at,
        name, description, image, image_data, external_url, animation_url, background_color, youtube_url,
        decimals, properties, localization, normalized, raw)
     SELECT id, id, contract_id, 'AVAILABLE', uri, resolved_url, content_hash, NULL, NULL, NULL, NULL, warnings::jsonb, $1, $1,
        name, description, image, image_data, external_url, animation_url, background_color, youtube_url,
        decimals, properties::jsonb, localization::jsonb, normalized::jsonb, raw::jsonb
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::int[], $16::text[], $17::text[],
                   $18::text[], $19::text[], $20::text[])
         AS r(id, contract_id, uri, resolved_url, content_hash, name, description, image, image_data, external_url,
              animation_url, background_color, youtube_url, decimals, properties, localization, normalized, raw, warnings)
      WHERE EXISTS (SELECT 1 FROM token tk WHERE tk.id = r.id)
     ORDER BY id
     ON CONFLICT (id) DO UPDATE SET status = 'AVAILABLE', uri = excluded.uri, resolved_url = excluded.resolved_url,
        content_hash = excluded.content_hash, error_code = NULL, error_message = NULL, error_http_status = NULL,
        error_url = NULL, warnings = excluded.warnings, last_fetched_at = excluded.last_fetched_at, updated_at = excluded.updated_at, name = excluded.name,
        description = excluded.description, image = excluded.image, image_data = excluded.image_data,
        external_url = excluded.external_url, animation_url = excluded.animation_url,
        background_color = excluded.background_color, youtube_url = excluded.youtube_url,
        decimals = excluded.decimals, properties = excluded.properties, localization = excluded.localization,
        normalized = excluded.normalized, raw = excluded.raw
     RETURNING t.id`,
    [
      now,
      all.map((i) => i.tokenRef),
      all.map((i) => i.contractId),
      all.map((i) => clean(i.result.uri)),
      all.map((i) => clean(i.result.resolvedUrl)),
      all.map((i) => i.result.contentHash),
      all.map((i) => clean(m(i).name)),
      all.map((i) => clean(m(i).description)),
      all.map((i) => clean(m(i).image)),
      all.map((i) => clean(m(i).imageData)),
      all.map((i) => clean(m(i).externalUrl)),
      all.map((i) => clean(m(i).animationUrl)),
      all.map((i) => clean(m(i).backgroundColor)),
      all.map((i) => clean(m(i).youtubeUrl)),
      all.map((i) => m(i).decimals ?? null),
      all.map((i) => toJsonb(m(i).properties ?? null)),
      all.map((i) => toJsonb(m(i).localization ?? null)),
      all.map((i) => toJsonb(i.result.normalized)),
      all.map((i) => toJsonb(i.result.raw)),
      all.map((i) => (i.result.warnings.length > 0 ? toJsonb(i.result.warnings) : null)),
    ],
  )
  const ids = new Set(written.map((w) => w.id))
  const items = all.filter((i) => ids.has(i.tokenRef))
  if (items.length === 0) return
  const replaced = stored ? items.filter((i) => stored.has(i.tokenRef)).map((i) => i.tokenRef) : items.map((i) => i.tokenRef)
  await replaceAttributes(db, items, replaced)
  await replaceLocales(db, items, replaced)
}

/** `replaced`: the tokens whose previous attributes are deleted first. */
async function replaceAttributes(db: SqlExecutor, items: TokenResultRow[], replaced: string[]): Promise<void> {
  if (replaced.length > 0) await db.query(`DELETE FROM token_attribute WHERE token_id = ANY($1::text[])`, [replaced])
  const rows = items.flatMap((i) => i.result.attributes.map((a, position) => ({ i, a, position })))
  if (rows.length === 0) return
  await db.query(
    `INSERT INTO token_attribute (id, token_id, contract_id, position, trait_type, value, value_number, value_json, display_type, max_value)
     SELECT token_id || ':' || position, token_id, contract_id, position, trait_type, value, value_number, value_json::jsonb, display_type, max_value
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::float8[], $7::text[], $8::text[], $9::float8[])
         AS a(token_id, contract_id, position, trait_type, value, value_number, value_json, display_type, max_value)`,
    [
      rows.map((r) => r.i.tokenRef),
      rows.map((r) => r.i.contractId),
      rows.map((r) => r.position),
      rows.map((r) => clean(r.a.traitType)),
      rows.map((r) => clean(r.a.value)),
      rows.map((r) => (r.a.valueNumber !== null && Number.isFinite(r.a.valueNumber) ? r.a.valueNumber : null)),
      rows.map((r) => toJsonb(r.a.valueJson ?? null)),
      rows.map((r) => clean(r.a.displayType)),
      rows.map((r) => (r.a.maxValue !== null && Number.isFinite(r.a.maxValue) ? r.a.maxValue : null)),
    ],
  )
}

/** Every announced variant gets a row: the merged document, or the error it failed with. */
async function replaceLocales(db: SqlExecutor, items: TokenResultRow[], replaced: string[]): Promise<void> {
  if (replaced.length > 0) await db.query(`DELETE FROM token_locale WHERE token_id = ANY($1::text[])`, [replaced])
  const loaded = items.flatMap((i) => i.result.locales.map((l) => ({ ref: i.tokenRef, locale: l.locale, status: 'AVAILABLE', normalized: l.normalized, raw: l.raw, error: null })))
  const failed = items.flatMap((i) => i.result.failedLocales.map((l) => ({ ref: i.tokenRef, locale: l.locale, status: l.status, normalized: null, raw: null, error: l.error })))
  const rows = [...loaded, ...failed]
  if (rows.length === 0) return
  await db.query(
    `INSERT INTO token_locale (id, token_id, locale, status, normalized, raw, error_code, error_message, error_http_status, error_url)
     SELECT token_id || ':' || locale, token_id, locale, status, normalized::jsonb, raw::jsonb, error_code, error_message, error_http_status, error_url
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[])
         AS l(token_id, locale, status, normalized, raw, error_code, error_message, error_http_status, error_url)
     ON CONFLICT (id) DO NOTHING`,
    [
      rows.map((r) => r.ref),
      rows.map((r) => clean(r.locale)),
      rows.map((r) => r.status),
      rows.map((r) => (r.normalized === null ? null : toJsonb(r.normalized))),
      rows.map((r) => (r.raw === null ? null : toJsonb(r.raw))),
      rows.map((r) => r.error?.code ?? null),
      rows.map((r) => clean(r.error?.message)),
      rows.map((r) => r.error?.httpStatus ?? null),
      rows.map((r) => clean(r.error?.url)),
    ],
  )
}

export interface TokenErrorRow {
  tokenRef: string
  contractId: string
  status: 'INVALID' | 'FAILED'
  error: MetadataError
  /** The token URI read from the chain before the failure (null when it was not reached). */
  uri: string | null
}

/**
 * A final failure: the status and error are recorded; metadata fetched earlier is kept (the read
 * surfaces go on serving it, marked STALE). `uri` stays the chain's token URI; the URL where the
 * failure happened goes to error_url.
 */
export async function writeTokenErrors(db: SqlExecutor, all: TokenErrorRow[], now: Date): Promise<void> {
  const items = await existing(db, all)
  if (items.length === 0) return
  await db.query(
    `INSERT INTO token_metadata AS t (id, token_id, contract_id, status, uri, error_code, error_message, error_http_status, error_url, last_fetched_at, updated_at)
     SELECT id, id, contract_id, status, uri, code, message, http_status, error_url, $1, $1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[])
         AS r(id, contract_id, status, uri, code, message, http_status, error_url)
     ORDER BY id
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, error_code = excluded.error_code,
        error_message = excluded.error_message, error_http_status = excluded.error_http_status, error_url = excluded.error_url,
        uri = coalesce(excluded.uri, t.uri), last_fetched_at = excluded.last_fetched_at, updated_at = excluded.updated_at`,
    [
      now,
      items.map((i) => i.tokenRef),
      items.map((i) => i.contractId),
      items.map((i) => i.status),
      items.map((i) => clean(i.uri)),
      items.map((i) => i.error.code),
      items.map((i) => clean(i.error.message.slice(0, 1000))),
      items.map((i) => i.error.status ?? null),
      items.map((i) => clean(i.error.url ?? null)),
    ],
  )
}

export interface ContractResultRow {
  contractId: string
  result: ContractReadResult
}

/**
 * Contract reads succeeded; the contract document may still have failed for good (metadataError):
 * the status is then INVALID (permanent) or FAILED (retries exhausted), with the reads stored and
 * the previous document, if any, kept.
 */
export async function writeContractResults(db: SqlExecutor, all: ContractResultRow[], now: Date): Promise<void> {
  const items = await existingContracts(db, all)
  if (items.length === 0) return
  const r = (i: ContractResultRow) => i.result
  await db.query(
    `INSERT INTO contract_metadata AS c (id, contract_id, status, confirmed_standard, name, symbol, decimals, total_supply, uri,
        resolved_url, normalized, raw, error_code, error_message, error_url, warnings, last_fetched_at, updated_at)
     SELECT id, id, status, confirmed_standard, name, symbol, decimals, total_supply, uri, resolved_url,
        normalized::jsonb, raw::jsonb, error_code, error_message, error_url, warnings::jsonb, $1, $1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::numeric[], $9::text[],
                   $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
         AS r(id, status, confirmed_standard, name, symbol, decimals, total_supply, uri, resolved_url, normalized, raw,
              error_code, error_message, error_url, warnings)
     ORDER BY id
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, error_code = excluded.error_code,
        error_message = excluded.error_message, error_url = excluded.error_url, warnings = excluded.warnings, last_fetched_at = excluded.last_fetched_at, updated_at = excluded.updated_at,
        confirmed_standard = coalesce(excluded.confirmed_standard, c.confirmed_standard), name = excluded.name,
        symbol = excluded.symbol, decimals = excluded.decimals, total_supply = excluded.total_supply, uri = excluded.uri,
        -- a document that failed this time leaves the last good one in place (it is still served)
        resolved_url = CASE WHEN excluded.error_code IS NULL THEN excluded.resolved_url ELSE c.resolved_url END,
        normalized = CASE WHEN excluded.error_code IS NULL THEN excluded.normalized ELSE c.normalized END,
        raw = CASE WHEN excluded.error_code IS NULL THEN excluded.raw ELSE c.raw END`,
    [
      now,
      items.map((i) => i.contractId),
      items.map((i) => {
        const e = r(i).metadataError
        return !e ? 'AVAILABLE' : e.retryable ? 'FAILED' : 'INVALID'
      }),
      items.map((i) => r(i).confirmedStandard ?? null),
      items.map((i) => clean(r(i).name)),
      items.map((i) => clean(r(i).symbol)),
      items.map((i) => r(i).decimals ?? null),
      items.map((i) => r(i).totalSupply?.toString() ?? null),
      items.map((i) => clean(r(i).uri)),
      items.map((i) => clean(r(i).resolvedUrl)),
      items.map((i) => toJsonb(r(i).normalized ?? null)),
      items.map((i) => toJsonb(r(i).raw ?? null)),
      items.map((i) => r(i).metadataError?.code ?? null),
      items.map((i) => clean(r(i).metadataError?.message?.slice(0, 1000))),
      items.map((i) => clean(r(i).metadataError?.url)),
      items.map((i) => (r(i).warnings?.length ? toJsonb(r(i).warnings) : null)),
    ],
  )
}

export interface ContractErrorRow {
  contractId: string
  status: 'INVALID' | 'FAILED'
  error: MetadataError
}

/** The contract job failed for good: status and error recorded, earlier reads kept. */
export async function writeContractErrors(db: SqlExecutor, all: ContractErrorRow[], now: Date): Promise<void> {
  const items = await existingContracts(db, all)
  if (items.length === 0) return
  await db.query(
    `INSERT INTO contract_metadata AS c (id, contract_id, status, error_code, error_message, error_url, last_fetched_at, updated_at)
     SELECT id, id, status, code, message, error_url, $1, $1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS r(id, status, code, message, error_url)
     ORDER BY id
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, error_code = excluded.error_code,
        error_message = excluded.error_message, error_url = excluded.error_url, last_fetched_at = excluded.last_fetched_at, updated_at = excluded.updated_at`,
    [
      now,
      items.map((i) => i.contractId),
      items.map((i) => i.status),
      items.map((i) => i.error.code),
      items.map((i) => clean(i.error.message.slice(0, 1000))),
      items.map((i) => clean(i.error.url ?? null)),
    ],
  )
}
