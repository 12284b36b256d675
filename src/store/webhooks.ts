import { randomBytes, randomUUID } from 'node:crypto'
import type { DataSource } from 'typeorm'
import { isCaip2 } from '../core/ids'
import { EVENT_TYPES, isEventType } from '../core/notifications'
import { normalizeContractId, type ApiKeyRecord } from './apiKeys'
import { wakeDeliveries } from './notificationEvents'
import { SqlExecutor, rows } from './sql'

/**
 * Webhook subscriptions (README "Change notifications"), created with an API key and scoped to
 * its collections.
 *
 * Invariants:
 * - A subscription of a key that names contracts only ever matches those contracts: its
 *   contract filter is the key's list, or a subset of it.
 * - The signing secret is returned once, by createWebhook; listings never show it. It is kept
 *   in the clear because every delivery is signed with it (unlike API keys, which are only
 *   verified and so stored hashed).
 * - Deleting a subscription deletes its delivery log; its delivery jobs find nothing to send.
 */

export const SECRET_PREFIX = 'whsec_'
export const MAX_WEBHOOKS_PER_KEY = 20
const MAX_URL_LENGTH = 2000

export interface WebhookRecord {
  id: string
  apiKeyId: string
  url: string
  description: string | null
  chains: string[]
  contracts: string[]
  eventTypes: string[]
  createdAt: Date
  pausedAt: Date | null
  consecutiveFailures: number
  lastAttemptAt: Date | null
  lastSuccessAt: Date | null
  lastError: string | null
}

/** A webhook's target, filters and state, as every surface that lists webhooks shows them. */
export function webhookSummary(r: WebhookRecord) {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    chains: r.chains,
    contracts: r.contracts,
    eventTypes: r.eventTypes,
    status: r.pausedAt ? ('PAUSED' as const) : ('ACTIVE' as const),
    consecutiveFailures: r.consecutiveFailures,
    lastError: r.lastError,
  }
}

export interface CreateWebhookInput {
  url: string
  chains?: readonly string[]
  contracts?: readonly string[]
  eventTypes?: readonly string[]
  description?: string | null
}

/** A bad field of a webhook, named with the value given. */
export class InvalidWebhookError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
    this.name = 'InvalidWebhookError'
  }
}

interface WebhookRow {
  id: string
  api_key_id: string
  url: string
  description: string | null
  chains: string[]
  contracts: string[]
  event_types: string[]
  created_at: Date
  paused_at: Date | null
  consecutive_failures: number
  last_attempt_at: Date | null
  last_success_at: Date | null
  last_error: string | null
}

const COLUMNS = `id, api_key_id, url, description, chains, contracts, event_types, created_at, paused_at, consecutive_failures, last_attempt_at, last_success_at, last_error`

function toRecord(r: WebhookRow): WebhookRecord {
  return {
    id: r.id,
    apiKeyId: r.api_key_id,
    url: r.url,
    description: r.description,
    chains: r.chains,
    contracts: r.contracts,
    eventTypes: r.event_types,
    createdAt: r.created_at,
    pausedAt: r.paused_at,
    consecutiveFailures: r.consecutive_failures,
    lastAttemptAt: r.last_attempt_at,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error,
  }
}

/** An http(s) URL without credentials; where it may connect to is the fetcher's business, at every delivery. */
export function normalizeWebhookUrl(value: string): string {
  const text = value.trim()
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new InvalidWebhookError('url', `invalid webhook url ${JSON.stringify(value)}: not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidWebhookError('url', `invalid webhook url ${JSON.stringify(value)}: expected http:// or https://`)
  if (url.username || url.password) throw new InvalidWebhookError('url', `invalid webhook url ${JSON.stringify(value)}: credentials in the URL are not accepted`)
  if (text.length > MAX_URL_LENGTH) throw new InvalidWebhookError('url', `invalid webhook url: longer than ${MAX_URL_LENGTH} characters`)
  url.hash = ''
  return url.href
}

export interface WebhookFilters {
  chains: string[]
  contracts: string[]
  eventTypes: string[]
}

/** Validates and normalises the filters (empty = everything). */
export function parseWebhookFilters(input: CreateWebhookInput): WebhookFilters {
  const chains = [...new Set((input.chains ?? []).map((c) => c.trim()))]
  for (const c of chains) if (!isCaip2(c)) throw new InvalidWebhookError('chains', `invalid chain ${JSON.stringify(c)}: expected a CAIP-2 id such as eip155:1 or stacks:1`)
  const eventTypes = [...new Set((input.eventTypes ?? []).map((t) => t.trim()))]
  for (const t of eventTypes) if (!isEventType(t)) throw new InvalidWebhookError('eventTypes', `invalid event type ${JSON.stringify(t)}: expected one of ${EVENT_TYPES.join(', ')}`)
  try {
    return { chains, eventTypes, contracts: [...new Set((input.contracts ?? []).map(normalizeContractId))] }
  } catch (e) {
    throw new InvalidWebhookError('contracts', (e as Error).message)
  }
}

/** The contracts a key's webhook may see: the filter within the key's collections (all of them when none is given). */
function scopedContracts(key: ApiKeyRecord, contracts: string[]): string[] {
  if (key.admin) return contracts
  const outside = contracts.filter((c) => !key.contracts.includes(c))
  if (outside.length > 0) throw new InvalidWebhookError('contracts', `contract ${outside[0]} is not one of this API key's collections (${key.contracts.join(', ')})`)
  return contracts.length === 0 ? [...key.contracts] : contracts
}

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64')
}

/**
 * Creates a subscription owned by `key`, in its own transaction; the secret in the result is
 * shown once. The key's row is locked before its webhooks are counted, so two creations for one
 * key at once cannot both pass the MAX_WEBHOOKS_PER_KEY check.
 */
export function createWebhook(ds: DataSource, key: ApiKeyRecord, input: CreateWebhookInput, now: Date): Promise<{ secret: string; record: WebhookRecord }> {
  return ds.transaction((em) => createWebhookIn(em, key, input, now))
}

/** createWebhook in the caller's transaction (which holds the key's row lock until it ends). */
export async function createWebhookIn(db: SqlExecutor, key: ApiKeyRecord, input: CreateWebhookInput, now: Date): Promise<{ secret: string; record: WebhookRecord }> {
  if (key.revokedAt) throw new InvalidWebhookError('key', `API key ${key.prefix} is revoked`)
  const url = normalizeWebhookUrl(input.url)
  const parsed = parseWebhookFilters(input)
  const filters = { ...parsed, contracts: scopedContracts(key, parsed.contracts) }
  const description = input.description?.trim() || null
  // NO KEY UPDATE: creations for this key wait for each other; the webhook's foreign key check (KEY SHARE) does not
  const [held] = await rows<{ revoked: boolean }>(db, `SELECT revoked_at IS NOT NULL AS revoked FROM api_key WHERE id = $1 FOR NO KEY UPDATE`, [key.id])
  if (!held || held.revoked) throw new InvalidWebhookError('key', `API key ${key.prefix} is revoked`)
  const [{ n }] = await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM webhook_subscription WHERE api_key_id = $1`, [key.id])
  if (n >= MAX_WEBHOOKS_PER_KEY) throw new InvalidWebhookError('key', `API key ${key.prefix} already has ${n} webhooks (at most ${MAX_WEBHOOKS_PER_KEY})`)
  const secret = generateWebhookSecret()
  const [row] = await rows<WebhookRow>(
    db,
    `INSERT INTO webhook_subscription (id, api_key_id, url, secret, description, chains, contracts, event_types, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [randomUUID(), key.id, url, secret, description, filters.chains, filters.contracts, filters.eventTypes, now],
  )
  return { secret, record: toRecord(row!) }
}

/** Subscriptions of one key (or every one: the CLI), oldest first. */
export async function listWebhooks(db: SqlExecutor, apiKeyId?: string): Promise<WebhookRecord[]> {
  const found = await rows<WebhookRow>(db, `SELECT ${COLUMNS} FROM webhook_subscription WHERE ($1::text IS NULL OR api_key_id = $1) ORDER BY created_at, id`, [apiKeyId ?? null])
  return found.map(toRecord)
}

export async function getWebhook(db: SqlExecutor, id: string, apiKeyId?: string): Promise<WebhookRecord | undefined> {
  const found = await rows<WebhookRow>(db, `SELECT ${COLUMNS} FROM webhook_subscription WHERE id = $1 AND ($2::text IS NULL OR api_key_id = $2)`, [id, apiKeyId ?? null])
  return found[0] ? toRecord(found[0]) : undefined
}

/** Deletes a subscription (of `apiKeyId` when given) with its delivery log; false when there was none. */
export async function deleteWebhook(db: SqlExecutor, id: string, apiKeyId?: string): Promise<boolean> {
  const gone = await rows<{ id: string }>(
    db,
    `WITH d AS (DELETE FROM webhook_subscription WHERE id = $1 AND ($2::text IS NULL OR api_key_id = $2) RETURNING id) SELECT id FROM d`,
    [id, apiKeyId ?? null],
  )
  return gone.length > 0
}

/**
 * Resumes a paused subscription: its failure count starts over and every chain with pending
 * deliveries gets its job back (at once, with fresh attempts), in one transaction. Resuming an
 * active one is a no-op.
 */
export function resumeWebhook(ds: DataSource, id: string, apiKeyId?: string): Promise<WebhookRecord | undefined> {
  return ds.transaction((em) => resumeWebhookIn(em, id, apiKeyId))
}

/**
 * resumeWebhook in the caller's transaction. The subscription's delivery job rows are locked
 * before the pause is cleared and the pending deliveries are read (the order of every writer:
 * job rows, then the subscription row). So a transaction that stored a delivery and woke its job
 * while the webhook was still paused has committed before the pending rows are read, and one
 * that wakes after this commits sees the webhook active.
 */
export async function resumeWebhookIn(db: SqlExecutor, id: string, apiKeyId?: string): Promise<WebhookRecord | undefined> {
  await db.query(`SELECT 1 FROM metadata_job WHERE kind = 'DELIVERY' AND contract_id = $1 ORDER BY id FOR UPDATE`, [id])
  const [row] = await rows<WebhookRow>(
    db,
    `WITH u AS (UPDATE webhook_subscription SET paused_at = NULL, consecutive_failures = 0
                 WHERE id = $1 AND ($2::text IS NULL OR api_key_id = $2) RETURNING ${COLUMNS})
     SELECT * FROM u`,
    [id, apiKeyId ?? null],
  )
  if (!row) return undefined
  const chains = await rows<{ chain: string }>(db, `SELECT DISTINCT chain FROM webhook_delivery WHERE subscription_id = $1 AND status = 'PENDING' ORDER BY chain`, [id])
  await wakeDeliveries(
    db,
    chains.map((c) => ({ subscriptionId: id, chain: c.chain })),
  )
  return toRecord(row)
}
