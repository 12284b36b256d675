import type { MetadataError } from '../core/errors'
import type { ContractReadResult, TokenFetchResult } from '../queue/types'
import { SqlExecutor } from './sql'

/**
 * Writes worker results: token_metadata (+ attributes, locales) and contract_metadata.
 * Multi-row statements over unnest() arrays: one round trip per table per batch.
 * Strings from metadata hosts may contain NUL, which Postgres text and jsonb refuse: stripped.
 */

const NUL = /\u0000/g
export function clean(s: string | null | undefined): string | null {
  return s == null ? null : s.replace(NUL, '')
}

export function toJsonb(value: unknown): string | null {
  if (value === undefined) return null
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? v.replace(NUL, '') : typeof v === 'bigint' ? v.toString() : v))
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

/**
 * A token asked for before the processor saw it (a Sequence lookup of an id it has not indexed
 * yet) gets a placeholder row once its metadata is fetched, so the metadata has a home; the
 * processor's next write of that token replaces every chain fact. Only for indexed contracts.
 */
async function ensureTokenRows(db: SqlExecutor, refs: string[]): Promise<void> {
  if (refs.length === 0) return
  await db.query(
    `INSERT INTO token (id, chain, contract_id, token_id, standard, owner, supply, burned, update_mode)
     SELECT r.ref, c.chain, c.id, substring(r.ref FROM length(c.id) + 2)::numeric, c.standard, NULL, 0, false, 'STANDARD'
       FROM unnest($1::text[]) AS r(ref)
       JOIN contract c ON c.id = left(r.ref, length(r.ref) - position(':' IN reverse(r.ref)))
      ORDER BY r.ref
     ON CONFLICT (id) DO NOTHING`,
    [refs],
  )
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

export async function writeTokenResults(db: SqlExecutor, all: TokenResultRow[], now: Date): Promise<void> {
  await ensureTokenRows(db, all.map((i) => i.tokenRef))
  const items = await existing(db, all)
  if (items.length === 0) return
  const m = (i: TokenResultRow) => i.result.metadata
  await db.query(
    `INSERT INTO token_metadata AS t (id, token_id, contract_id, status, uri, resolved_url, content_hash,
        error_code, error_message, error_http_status, last_fetched_at, updated_at,
        name, description, image, image_data, external_url, animation_url, background_color, youtube_url,
        decimals, properties, localization, normalized, raw)
     SELECT id, id, contract_id, 'AVAILABLE', uri, resolved_url, content_hash, NULL, NULL, NULL, $1, $1,
        name, description, image, image_data, external_url, animation_url, background_color, youtube_url,
        decimals, properties::jsonb, localization::jsonb, normalized::jsonb, raw::jsonb
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::int[], $16::text[], $17::text[],
                   $18::text[], $19::text[])
         AS r(id, contract_id, uri, resolved_url, content_hash, name, description, image, image_data, external_url,
              animation_url, background_color, youtube_url, decimals, properties, localization, normalized, raw)
     ORDER BY id
     ON CONFLICT (id) DO UPDATE SET status = 'AVAILABLE', uri = excluded.uri, resolved_url = excluded.resolved_url,
        content_hash = excluded.content_hash, error_code = NULL, error_message = NULL, error_http_status = NULL,
        last_fetched_at = excluded.last_fetched_at, updated_at = excluded.updated_at, name = excluded.name,
        description = excluded.description, image = excluded.image, image_data = excluded.image_data,
        external_url = excluded.external_url, animation_url = excluded.animation_url,
        background_color = excluded.background_color, youtube_url = excluded.youtube_url,
        decimals = excluded.decimals, properties = excluded.properties, localization = excluded.localization,
        normalized = excluded.normalized, raw = excluded.raw`,
    [
      now,
      items.map((i) => i.tokenRef),
      items.map((i) => i.contractId),
      items.map((i) => clean(i.result.uri)),
      items.map((i) => clean(i.result.resolvedUrl)),
      items.map((i) => i.result.contentHash),
      items.map((i) => clean(m(i).name)),
      items.map((i) => clean(m(i).description)),
      items.map((i) => clean(m(i).image)),
      items.map((i) => clean(m(i).imageData)),
      items.map((i) => clean(m(i).externalUrl)),
      items.map((i) => clean(m(i).animationUrl)),
      items.map((i) => clean(m(i).backgroundColor)),
      items.map((i) => clean(m(i).youtubeUrl)),
      items.map((i) => m(i).decimals ?? null),
      items.map((i) => toJsonb(m(i).properties ?? null)),
      items.map((i) => toJsonb(m(i).localization ?? null)),
      items.map((i) => toJsonb(i.result.normalized)),
      items.map((i) => toJsonb(i.result.raw)),
    ],
  )
  await replaceAttributes(db, items)
  await replaceLocales(db, items)
}

async function replaceAttributes(db: SqlExecutor, items: TokenResultRow[]): Promise<void> {
  await db.query(`DELETE FROM token_attribute WHERE token_id = ANY($1::text[])`, [items.map((i) => i.tokenRef)])
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

async function replaceLocales(db: SqlExecutor, items: TokenResultRow[]): Promise<void> {
  await db.query(`DELETE FROM token_locale WHERE token_id = ANY($1::text[])`, [items.map((i) => i.tokenRef)])
  const rows = items.flatMap((i) => i.result.locales.map((l) => ({ i, l })))
  if (rows.length === 0) return
  await db.query(
    `INSERT INTO token_locale (id, token_id, locale, normalized, raw)
     SELECT token_id || ':' || locale, token_id, locale, normalized::jsonb, raw::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS l(token_id, locale, normalized, raw)
     ON CONFLICT (id) DO NOTHING`,
    [rows.map((r) => r.i.tokenRef), rows.map((r) => clean(r.l.locale)), rows.map((r) => toJsonb(r.l.normalized)), rows.map((r) => toJsonb(r.l.raw))],
  )
}

export interface TokenErrorRow {
  tokenRef: string
  contractId: string
  status: 'INVALID' | 'FAILED'
  error: MetadataError
}

/** A final failure: the status and error are recorded; metadata fetched earlier is kept. */
export async function writeTokenErrors(db: SqlExecutor, all: TokenErrorRow[], now: Date): Promise<void> {
  const items = await existing(db, all)
  if (items.length === 0) return
  await db.query(
    `INSERT INTO token_metadata AS t (id, token_id, contract_id, status, uri, error_code, error_message, error_http_status, last_fetched_at, updated_at)
     SELECT id, id, contract_id, status, uri, code, message, http_status, $1, $1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
         AS r(id, contract_id, status, uri, code, message, http_status)
     ORDER BY id
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, error_code = excluded.error_code,
        error_message = excluded.error_message, error_http_status = excluded.error_http_status,
        uri = coalesce(excluded.uri, t.uri), last_fetched_at = excluded.last_fetched_at, updated_at = excluded.updated_at`,
    [
      now,
      items.map((i) => i.tokenRef),
      items.map((i) => i.contractId),
      items.map((i) => i.status),
      items.map((i) => clean(i.error.url ?? null)),
      items.map((i) => i.error.code),
      items.map((i) => clean(i.error.message.slice(0, 1000))),
      items.map((i) => i.error.status ?? null),
    ],
  )
}

export interface ContractResultRow {
  contractId: string
  result: ContractReadResult
}

/**
 * Contract reads succeeded; the contract URI may still have failed (metadataError): the status
 * is then INVALID (permanent) or FAILED (the host was unreachable), with the reads kept.
 */
export async function writeContractResults(db: SqlExecutor, all: ContractResultRow[], now: Date): Promise<void> {
  const items = await existingContracts(db, all)
  if (items.length === 0) return
  const r = (i: ContractResultRow) => i.result
  await db.query(
    `INSERT INTO contract_metadata AS c (id, contract_id, status, confirmed_standard, name, symbol, decimals, total_supply, uri,
        resolved_url, normalized, raw, error_code, error_message, last_fetched_at, updated_at)
     SELECT id, id, status, confirmed_standard, name, symbol, decimals, total_supply, uri, resolved_url,
        normalized::jsonb, raw::jsonb, error_code, error_message, $1, $1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::numeric[], $9::text[],
                   $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
         AS r(id, status, confirmed_standard, name, symbol, decimals, total_supply, uri, resolved_url, normalized, raw,
              error_code, error_message)
     ORDER BY id
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, error_code = excluded.error_code,
        error_message = excluded.error_message, last_fetched_at = excluded.last_fetched_at, updated_at = excluded.updated_at,
        confirmed_standard = coalesce(excluded.confirmed_standard, c.confirmed_standard), name = excluded.name,
        symbol = excluded.symbol, decimals = excluded.decimals, total_supply = excluded.total_supply, uri = excluded.uri,
        resolved_url = excluded.resolved_url, normalized = excluded.normalized, raw = excluded.raw`,
    [
      now,
      items.map((i) => i.contractId),
      items.map((i) => { const e = r(i).metadataError; return !e ? 'AVAILABLE' : e.retryable ? 'FAILED' : 'INVALID' }),
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
    `INSERT INTO contract_metadata AS c (id, contract_id, status, error_code, error_message, last_fetched_at, updated_at)
     SELECT id, id, status, code, message, $1, $1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS r(id, status, code, message)
     ORDER BY id
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, error_code = excluded.error_code,
        error_message = excluded.error_message, last_fetched_at = excluded.last_fetched_at, updated_at = excluded.updated_at`,
    [now, items.map((i) => i.contractId), items.map((i) => i.status), items.map((i) => i.error.code), items.map((i) => clean(i.error.message.slice(0, 1000)))],
  )
}
