import type { TokenStandardName } from '../../core/standards'
import { deriveMetadataStatus, type JobStatusName, type MetadataStatusName } from './metadataStatus'
import type { ReadDb } from './readDb'

/** A token as the read surfaces address it: contract id and decimal token id (never a JS number). */
export interface TokenKey {
  contractId: string
  tokenId: string
}

export interface ContractFacts {
  chain: string
  address: string
  standard: TokenStandardName
  /** Event-tracked supply (ERC-20); null for other standards. */
  totalSupply: string | null
  deployer: string | null
  deployTx: string | null
  /** Stacks: the asset name of define-fungible-token / define-non-fungible-token (null when not known). */
  assetName: string | null
}

/** Worker-read contract facts (contract_metadata), when a contract job ran. */
export interface ContractReadFacts {
  name: string | null
  symbol: string | null
  decimals: number | null
  totalSupply: string | null
  uri: string | null
}

export interface TokenFacts {
  standard: TokenStandardName
  owner: string | null
  supply: string
  burned: boolean
  chainUri: string | null
  mintBlock: number | null
  mintTx: string | null
  mintedAt: Date | null
}

export interface MetadataFacts {
  /** Outcome of the last fetch (AVAILABLE / INVALID / FAILED). */
  status: string
  uri: string | null
  resolvedUrl: string | null
  contentHash: string | null
  decimals: number | null
  normalized: Record<string, unknown> | null
  errorCode: string | null
  errorMessage: string | null
  errorHttpStatus: number | null
  errorUrl: string | null
  /** What a lenient parse of the document recovered from (JSON5 syntax). */
  warnings: string[]
  lastFetchedAt: Date | null
  updatedAt: Date | null
}

export interface JobFacts {
  status: JobStatusName
  queuedAt: Date
  errorCode: string | null
  errorMessage: string | null
  errorHttpStatus: number | null
  errorUrl: string | null
}

export interface TokenError {
  code: string
  message: string | null
  httpStatus: number | null
  /** Where the failure happened (a redirect target, the gateway URL); the token URI is elsewhere. */
  url: string | null
}

/**
 * What every read surface shows about one token, from one SQL round trip: contract (null when
 * unknown), token row (null when the processor has not seen it), last fetch, and job. Token lists
 * (listWithViews) read this much with the list.
 */
export interface TokenCore {
  ref: string
  contractId: string
  tokenId: string
  contract: ContractFacts | null
  token: TokenFacts | null
  metadata: MetadataFacts | null
  job: JobFacts | null
  status: MetadataStatusName
  /** The latest error: the job's (its last attempt, even while retrying) or else the last fetch's. */
  error: TokenError | null
}

/** A token's core, plus what the Hiro and Sequence surfaces also show: the contract reads and the requested locale variant. */
export interface TokenView extends TokenCore {
  contractRead: ContractReadFacts | null
  /** Normalised document in the requested locale: undefined when none was asked, null when absent. */
  localized: Record<string, unknown> | null | undefined
}

export function tokenRef(key: TokenKey): string {
  return `${key.contractId}:${key.tokenId}`
}

interface Row {
  ref: string
  contract_id: string
  c_chain: string | null
  c_address: string | null
  c_standard: TokenStandardName | null
  c_total_supply: string | null
  c_deployer: string | null
  c_deploy_tx: string | null
  c_asset_name: string | null
  t_standard: TokenStandardName | null
  t_owner: string | null
  t_supply: string | null
  t_burned: boolean | null
  t_chain_uri: string | null
  t_mint_block: number | null
  t_mint_tx: string | null
  t_minted_at: Date | null
  m_status: string | null
  m_uri: string | null
  m_resolved_url: string | null
  m_content_hash: string | null
  m_decimals: number | null
  m_normalized: Record<string, unknown> | null
  m_error_code: string | null
  m_error_message: string | null
  m_error_http_status: number | null
  m_error_url: string | null
  m_warnings: string[] | null
  m_last_fetched_at: Date | null
  m_updated_at: Date | null
  j_status: JobStatusName | null
  j_queued_at: Date | null
  j_error_code: string | null
  j_error_message: string | null
  j_error_http_status: number | null
  j_error_url: string | null
}

/** The columns only loadTokenViews reads (contract reads, locale variant). */
interface ReadRow {
  cm_id: string | null
  cm_name: string | null
  cm_symbol: string | null
  cm_decimals: number | null
  cm_total_supply: string | null
  cm_uri: string | null
  l_id: string | null
  l_normalized: Record<string, unknown> | null
}

// The view columns, joined to a driving relation `r` of (ref, contract_id). Each table is reached
// through a LATERAL subquery with LIMIT 1 that names only the columns used: the planner cannot
// flatten it, so every ref costs one primary-key probe per table in the generic plan too. (With
// plain joins the generic plan, which guesses 10 refs, hash-joined the contract tables in full.)
const CORE_COLUMNS = `
       c.chain AS c_chain, c.address AS c_address, c.standard AS c_standard, c.total_supply::text AS c_total_supply,
       c.deployer AS c_deployer, c.deploy_tx AS c_deploy_tx, c.asset_name AS c_asset_name,
       t.standard AS t_standard, t.owner AS t_owner, t.supply::text AS t_supply, t.burned AS t_burned,
       t.chain_uri AS t_chain_uri, t.mint_block AS t_mint_block, t.mint_tx AS t_mint_tx, t.minted_at AS t_minted_at,
       m.status AS m_status, m.uri AS m_uri, m.resolved_url AS m_resolved_url, m.content_hash AS m_content_hash,
       m.decimals AS m_decimals, m.normalized AS m_normalized, m.error_code AS m_error_code,
       m.error_message AS m_error_message, m.error_http_status AS m_error_http_status, m.error_url AS m_error_url, m.warnings AS m_warnings,
       m.last_fetched_at AS m_last_fetched_at, m.updated_at AS m_updated_at,
       j.status AS j_status, j.queued_at AS j_queued_at, j.error_code AS j_error_code,
       j.error_message AS j_error_message, j.error_http_status AS j_error_http_status, j.error_url AS j_error_url`

const CORE_JOINS = `
  LEFT JOIN LATERAL (SELECT x.chain, x.address, x.standard, x.total_supply, x.deployer, x.deploy_tx, x.asset_name
                       FROM contract x WHERE x.id = r.contract_id LIMIT 1) c ON true
  LEFT JOIN LATERAL (SELECT x.standard, x.owner, x.supply, x.burned, x.chain_uri, x.mint_block, x.mint_tx, x.minted_at
                       FROM token x WHERE x.id = r.ref LIMIT 1) t ON true
  LEFT JOIN LATERAL (SELECT x.status, x.uri, x.resolved_url, x.content_hash, x.decimals, x.normalized, x.error_code,
                            x.error_message, x.error_http_status, x.error_url, x.warnings, x.last_fetched_at, x.updated_at
                       FROM token_metadata x WHERE x.id = r.ref LIMIT 1) m ON true
  LEFT JOIN LATERAL (SELECT x.status, x.queued_at, x.error_code, x.error_message, x.error_http_status, x.error_url
                       FROM metadata_job x WHERE x.id = 'token:' || r.ref LIMIT 1) j ON true`

// Driven by the requested refs (unnest keeps their order); $3 is the locale.
const TOKEN_VIEWS_SQL = `
SELECT r.ref, r.contract_id, ${CORE_COLUMNS},
       cm.id AS cm_id, cm.name AS cm_name, cm.symbol AS cm_symbol, cm.decimals AS cm_decimals,
       cm.total_supply::text AS cm_total_supply, cm.uri AS cm_uri,
       l.id AS l_id, l.normalized AS l_normalized
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(ref, contract_id, ord) ${CORE_JOINS}
  LEFT JOIN LATERAL (SELECT x.id, x.name, x.symbol, x.decimals, x.total_supply, x.uri
                       FROM contract_metadata x WHERE x.id = r.contract_id LIMIT 1) cm ON true
  LEFT JOIN LATERAL (SELECT x.id, x.normalized
                       FROM token_locale x WHERE $3::text IS NOT NULL AND x.id = r.ref || ':' || $3::text AND x.status = 'AVAILABLE' LIMIT 1) l ON true
 ORDER BY r.ord`

/**
 * Token views for the given keys, in the given order (duplicates allowed). `locale` also
 * fetches that locale's variant of each token.
 */
export async function loadTokenViews(db: ReadDb, keys: readonly TokenKey[], locale?: string): Promise<TokenView[]> {
  if (keys.length === 0) return []
  const rows = await db.query<Row & ReadRow>(TOKEN_VIEWS_SQL, [keys.map(tokenRef), keys.map((k) => k.contractId), locale ?? null])
  return rows.map((r, i) => ({
    ...toCore(r, keys[i].tokenId),
    contractRead: r.cm_id === null ? null : { name: r.cm_name, symbol: r.cm_symbol, decimals: r.cm_decimals, totalSupply: r.cm_total_supply, uri: r.cm_uri },
    localized: locale === undefined ? undefined : r.l_id === null ? null : r.l_normalized,
  }))
}

/** A list statement selecting at least ref, contract_id and token_id (text), and its sort order over its own columns. */
export interface ListStatement {
  sql: string
  params: readonly unknown[]
  /** ORDER BY over the list's columns, qualified by `r.` (the views join after the list's own ORDER BY and LIMIT). */
  orderBy: string
}

export interface ListRowBase {
  ref: string
  contract_id: string
  token_id: string
}

/**
 * The rows of a list statement, each with its token view, in one statement: a page and its views
 * cost one round trip instead of two (the API process is what a page's latency waits on, and
 * each statement is a socket write and a wake-up of the backend).
 */
export async function listWithViews<L extends ListRowBase>(db: ReadDb, list: ListStatement): Promise<{ row: L; view: TokenCore }[]> {
  const sql = `SELECT r.*, ${CORE_COLUMNS}\n  FROM (${list.sql}) r ${CORE_JOINS}\n ORDER BY ${list.orderBy}`
  const rows = await db.query<Row & L>(sql, list.params)
  return rows.map((r) => ({ row: r, view: toCore(r, r.token_id) }))
}

/** The cores of the given tokens, in the given order (duplicates allowed): what GraphQL reads of a token. */
export async function loadTokenCores(db: ReadDb, keys: readonly TokenKey[]): Promise<TokenCore[]> {
  if (keys.length === 0) return []
  const rows = await listWithViews(db, {
    sql: `SELECT u.ref, u.contract_id, u.token_id, u.ord FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(ref, contract_id, token_id, ord)`,
    params: [keys.map(tokenRef), keys.map((k) => k.contractId), keys.map((k) => k.tokenId)],
    orderBy: 'r.ord',
  })
  return rows.map((r) => r.view)
}

function toCore(r: Row, tokenId: string): TokenCore {
  const metadata = r.m_status === null ? null : metadataFacts(r)
  const job = r.j_status === null ? null : jobFacts(r)
  return {
    ref: r.ref,
    contractId: r.contract_id,
    tokenId,
    contract: r.c_standard === null ? null : contractFacts(r),
    token: r.t_standard === null ? null : tokenFacts(r),
    metadata,
    job,
    status: deriveMetadataStatus(r.j_status, r.m_status, r.m_normalized !== null),
    error: latestError(job, metadata),
  }
}

function contractFacts(r: Row): ContractFacts {
  return {
    chain: r.c_chain!,
    address: r.c_address!,
    standard: r.c_standard!,
    totalSupply: r.c_total_supply,
    deployer: r.c_deployer,
    deployTx: r.c_deploy_tx,
    assetName: r.c_asset_name,
  }
}

function tokenFacts(r: Row): TokenFacts {
  return {
    standard: r.t_standard!,
    owner: r.t_owner,
    supply: r.t_supply ?? '0',
    burned: r.t_burned ?? false,
    chainUri: r.t_chain_uri,
    mintBlock: r.t_mint_block,
    mintTx: r.t_mint_tx,
    mintedAt: r.t_minted_at,
  }
}

function metadataFacts(r: Row): MetadataFacts {
  return {
    status: r.m_status!,
    uri: r.m_uri,
    resolvedUrl: r.m_resolved_url,
    contentHash: r.m_content_hash,
    decimals: r.m_decimals,
    normalized: r.m_normalized,
    errorCode: r.m_error_code,
    errorMessage: r.m_error_message,
    errorHttpStatus: r.m_error_http_status,
    errorUrl: r.m_error_url,
    warnings: r.m_warnings ?? [],
    lastFetchedAt: r.m_last_fetched_at,
    updatedAt: r.m_updated_at,
  }
}

function jobFacts(r: Row): JobFacts {
  return {
    status: r.j_status!,
    queuedAt: r.j_queued_at!,
    errorCode: r.j_error_code,
    errorMessage: r.j_error_message,
    errorHttpStatus: r.j_error_http_status,
    errorUrl: r.j_error_url,
  }
}

function latestError(job: JobFacts | null, metadata: MetadataFacts | null): TokenError | null {
  if (job?.errorCode) return { code: job.errorCode, message: job.errorMessage, httpStatus: job.errorHttpStatus, url: job.errorUrl }
  if (metadata?.errorCode) return { code: metadata.errorCode, message: metadata.errorMessage, httpStatus: metadata.errorHttpStatus, url: metadata.errorUrl }
  return null
}
