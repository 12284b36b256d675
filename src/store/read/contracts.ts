import type { TokenStandardName } from '../../core/standards'
import { deriveMetadataStatus, type MetadataStatusName } from './metadataStatus'
import type { ReadDb } from './readDb'

/** A contract with its chain facts, worker reads (contract_metadata) and derived contract-level status. */
export interface ContractView {
  id: string
  chain: string
  address: string
  standard: TokenStandardName
  /** Processor's event-tracked supply (ERC-20). */
  trackedSupply: string | null
  deployer: string | null
  deployTx: string | null
  deployBlock: number | null
  firstSeenBlock: number
  updateMode: string
  createdAt: Date
  read: ContractRead | null
  status: MetadataStatusName
  /** `url`: where the failure happened (never the contract URI, which is in `read.uri`). */
  error: { code: string; message: string | null; url: string | null } | null
}

export interface ContractRead {
  confirmedStandard: string | null
  name: string | null
  symbol: string | null
  decimals: number | null
  /** As read from the chain (SIP-010 get-total-supply, ERC-20 totalSupply). */
  totalSupply: string | null
  uri: string | null
  resolvedUrl: string | null
  normalized: unknown
  lastFetchedAt: Date | null
  updatedAt: Date
}

interface Row {
  id: string
  chain: string
  address: string
  standard: TokenStandardName
  total_supply: string | null
  deployer: string | null
  deploy_tx: string | null
  deploy_block: number | null
  first_seen_block: number
  update_mode: string
  created_at: Date
  cm_id: string | null
  cm_status: string | null
  confirmed_standard: string | null
  name: string | null
  symbol: string | null
  decimals: number | null
  cm_total_supply: string | null
  uri: string | null
  resolved_url: string | null
  normalized: unknown
  cm_error_code: string | null
  cm_error_message: string | null
  cm_error_url: string | null
  last_fetched_at: Date | null
  updated_at: Date | null
  j_status: string | null
  j_error_code: string | null
  j_error_message: string | null
  j_error_url: string | null
}

const COLUMNS = `
       c.id, c.chain, c.address, c.standard, c.total_supply::text AS total_supply, c.deployer, c.deploy_tx,
       c.deploy_block, c.first_seen_block, c.update_mode, c.created_at,
       cm.id AS cm_id, cm.status AS cm_status, cm.confirmed_standard, cm.name, cm.symbol, cm.decimals,
       cm.total_supply::text AS cm_total_supply, cm.uri, cm.resolved_url, cm.normalized,
       cm.error_code AS cm_error_code, cm.error_message AS cm_error_message, cm.error_url AS cm_error_url, cm.last_fetched_at, cm.updated_at,
       j.status AS j_status, j.error_code AS j_error_code, j.error_message AS j_error_message, j.error_url AS j_error_url`

const JOINS = `
  LEFT JOIN contract_metadata cm ON cm.id = c.id
  LEFT JOIN metadata_job j ON j.id = 'contract:' || c.id`

function toView(r: Row): ContractView {
  const error = r.j_error_code
    ? { code: r.j_error_code, message: r.j_error_message, url: r.j_error_url }
    : r.cm_error_code
      ? { code: r.cm_error_code, message: r.cm_error_message, url: r.cm_error_url }
      : null
  return {
    id: r.id,
    chain: r.chain,
    address: r.address,
    standard: r.standard,
    trackedSupply: r.total_supply,
    deployer: r.deployer,
    deployTx: r.deploy_tx,
    deployBlock: r.deploy_block,
    firstSeenBlock: r.first_seen_block,
    updateMode: r.update_mode,
    createdAt: r.created_at,
    read:
      r.cm_id === null
        ? null
        : {
            confirmedStandard: r.confirmed_standard,
            name: r.name,
            symbol: r.symbol,
            decimals: r.decimals,
            totalSupply: r.cm_total_supply,
            uri: r.uri,
            resolvedUrl: r.resolved_url,
            normalized: r.normalized,
            lastFetchedAt: r.last_fetched_at,
            updatedAt: r.updated_at!,
          },
    // Chain reads or a document stored by an earlier success: still served after a failed refresh.
    status: deriveMetadataStatus(r.j_status, r.cm_status, r.cm_id !== null && (r.normalized !== null || r.name !== null || r.symbol !== null)),
    error,
  }
}

/** Contracts by id, in the order asked; null for unknown ids. */
export async function contractsByIds(db: ReadDb, ids: readonly string[]): Promise<(ContractView | null)[]> {
  if (ids.length === 0) return []
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM contract c ${JOINS} WHERE c.id = ANY($1::text[])`, [ids])
  const byId = new Map(rows.map((r) => [r.id, toView(r)]))
  return ids.map((id) => byId.get(id) ?? null)
}

export interface ContractFilter {
  chain?: string
  standard?: TokenStandardName
}

export interface ContractPage {
  items: ContractView[]
  hasNext: boolean
}

/** Contracts ordered by id, after the cursor id; filters select one of four fixed statements. */
export async function listContracts(db: ReadDb, filter: ContractFilter, after: string | null, limit: number): Promise<ContractPage> {
  const where = ['c.id > $1']
  const params: unknown[] = [after ?? '', limit + 1]
  if (filter.chain !== undefined) {
    params.push(filter.chain)
    where.push(`c.chain = $${params.length}`)
  }
  if (filter.standard !== undefined) {
    params.push(filter.standard)
    where.push(`c.standard = $${params.length}`)
  }
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM contract c ${JOINS} WHERE ${where.join(' AND ')} ORDER BY c.id LIMIT $2`, params)
  return { items: rows.slice(0, limit).map(toView), hasNext: rows.length > limit }
}

export type ContractOrder = 'HOLDERS' | 'TOKENS' | 'NAME'

/** Sort key of the last contract of a page: a count (HOLDERS, TOKENS) or a lower-cased name (NAME). */
export interface ContractOrderCursor {
  key: number | string
  id: string
}

export interface OrderedContractPage extends ContractPage {
  keys: (number | string)[]
}

// Counts come from the folded counters (compact_counters() runs every worker maintenance
// interval): an order that moves by a few holders between two pages is an order a reader accepts.
const ORDER_KEY: Record<ContractOrder, string> = {
  HOLDERS: `-coalesce((SELECT total FROM counter WHERE scope = 'holders' AND chain = c.id AND name = 'holders'), 0)`,
  TOKENS: `-coalesce((SELECT total FROM counter WHERE scope = 'ctoken' AND chain = c.id AND name = 'tokens'), 0)`,
  // nameless contracts last
  NAME: `coalesce(lower(cm.name), chr(1114111))`,
}

/** Contracts by holder count or token count (largest first) or by name, then id. */
export async function listContractsOrdered(
  db: ReadDb,
  filter: ContractFilter,
  order: ContractOrder,
  after: ContractOrderCursor | null,
  limit: number,
): Promise<OrderedContractPage> {
  const numeric = order !== 'NAME'
  const params: unknown[] = [limit + 1]
  const where: string[] = []
  if (after) {
    params.push(numeric ? -Number(after.key) : after.key, after.id)
    where.push(`(k, id) > ($2::${numeric ? 'numeric' : 'text'}, $3::text)`)
  }
  const inner: string[] = []
  if (filter.chain !== undefined) {
    params.push(filter.chain)
    inner.push(`c.chain = $${params.length}`)
  }
  if (filter.standard !== undefined) {
    params.push(filter.standard)
    inner.push(`c.standard = $${params.length}`)
  }
  const rows = await db.query<Row & { k: string }>(
    `SELECT * FROM (SELECT ${COLUMNS}, ${ORDER_KEY[order]} AS k FROM contract c ${JOINS}
        ${inner.length ? `WHERE ${inner.join(' AND ')}` : ''}) x
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY k, id LIMIT $1`,
    params,
  )
  const kept = rows.slice(0, limit)
  return { items: kept.map(toView), keys: kept.map((r) => (numeric ? -Number(r.k) : r.k)), hasNext: rows.length > limit }
}

/** The standard the processor recorded for an indexed contract; undefined when the contract is not indexed. */
export async function indexedContractStandard(db: ReadDb, contractId: string): Promise<TokenStandardName | undefined> {
  const [c] = await db.query<{ standard: TokenStandardName }>(`SELECT standard FROM contract WHERE id = $1`, [contractId])
  return c?.standard
}
