/**
 * API keys for the refresh endpoints (docs/architecture.md §6), created by `token-metadata keys`.
 *
 * Invariants:
 * - The plain key exists only in the return value of `createApiKey`; the table keeps its SHA-256
 *   hex digest (unique) and a short prefix that lets people recognise a key in listings.
 * - A key with no contracts is an admin key (may refresh any collection); otherwise it may
 *   refresh exactly the contracts listed, stored as normalised contract ids.
 * - A revoked key never verifies again; revoking is idempotent.
 *
 * Why a plain SHA-256 and not bcrypt/scrypt: slow salted hashes protect low-entropy secrets
 * (passwords) against offline guessing. Our keys are 32 random base62 characters (~190 bits),
 * which no amount of guessing can cover, so a fast unsalted hash is just as safe, costs
 * nothing per request, and lets a request find its key with one indexed lookup.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { IsNull, type DataSource, type EntityManager } from 'typeorm'
import { isCaip2 } from '../core/ids'
import { ApiKey } from '../model'

/** A DataSource or a transaction's EntityManager. */
export type Db = DataSource | EntityManager

/** An API key as callers see it: everything but the hash. */
export interface ApiKeyRecord {
  id: string
  name: string
  prefix: string
  admin: boolean
  contracts: string[]
  /** Project owner bound to the key (lowercase 0x): its Immutable X signature acts for the key. */
  ethAddress: string | null
  createdAt: Date
  revokedAt: Date | null
  lastUsedAt: Date | null
}

export interface CreateApiKeyInput {
  name: string
  /** Contract ids (`CHAIN:ADDRESS`) the key may refresh; empty = admin key. */
  contracts: readonly string[]
  /** Binds a project owner's address (Immutable X `x-imx-eth-*` signatures) to the key. */
  ethAddress?: string | null
}

export interface CreateApiKeyResult {
  /** The plain key. Shown once: only its hash is stored. */
  key: string
  record: ApiKeyRecord
}

export type RevokeApiKeyResult = { status: 'revoked' | 'already_revoked'; record: ApiKeyRecord } | { status: 'not_found' } | { status: 'ambiguous'; matches: ApiKeyRecord[] }

export const KEY_PREFIX = 'tms_'
const KEY_RANDOM_CHARS = 32
/** `tms_` + 8 characters: 62^8 ≈ 2·10^14 values, so listings practically never show twins. */
const DISPLAY_PREFIX_CHARS = KEY_PREFIX.length + 8
const KEY_SHAPE = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${KEY_RANDOM_CHARS}}$`)
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const MAX_KEY_NAME_LENGTH = 100
/** lastUsedAt is written at most this often per key, so verification stays read-mostly. */
const LAST_USED_RESOLUTION_MS = 60_000

const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/
/** c32 alphabet (no I, L, O, U); standard principals are `S` + version + 26..39 characters. */
const STACKS_ADDRESS = /^S[PMTN][0-9A-HJKMNP-TV-Z]{26,39}$/
/** Clarity contract names. */
const CLARITY_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,127}$/

/** A contract id that is not `CHAIN:ADDRESS`; `value` is what was given. */
export class InvalidContractIdError extends Error {
  constructor(
    readonly value: string,
    reason: string,
  ) {
    super(`invalid contract id ${JSON.stringify(value)}: ${reason}`)
    this.name = 'InvalidContractIdError'
  }
}

/** An owner address that is not a 0x address. */
export class InvalidEthAddressError extends Error {
  constructor(readonly value: string) {
    super(`invalid owner address ${JSON.stringify(value)}: expected a 0x address of 40 hex digits`)
    this.name = 'InvalidEthAddressError'
  }
}

/** A 0x address in stored form (lowercase). */
export function normalizeEthAddress(value: string): string {
  const text = value.trim()
  if (!EVM_ADDRESS.test(text)) throw new InvalidEthAddressError(value)
  return text.toLowerCase()
}

/** An unusable key name. */
export class InvalidKeyNameError extends Error {
  constructor(
    readonly value: string,
    reason: string,
  ) {
    super(`invalid key name ${JSON.stringify(value)}: ${reason}`)
    this.name = 'InvalidKeyNameError'
  }
}

/**
 * Validates `CHAIN:ADDRESS` and returns it in stored form: CHAIN is CAIP-2; an eip155 chain takes
 * a 0x address (lowercased), a stacks chain a contract principal `ADDR.name` (kept as is).
 */
export function normalizeContractId(value: string): string {
  const text = value.trim()
  const first = text.indexOf(':')
  const second = text.indexOf(':', first + 1)
  if (first < 0 || second < 0) throw new InvalidContractIdError(value, 'expected CHAIN:ADDRESS, e.g. eip155:1:0x… or stacks:1:SP….name')
  const chain = text.slice(0, second)
  const address = text.slice(second + 1)
  if (!isCaip2(chain)) throw new InvalidContractIdError(value, `${JSON.stringify(chain)} is not a CAIP-2 chain id such as eip155:1 or stacks:1`)
  const namespace = chain.slice(0, first)
  if (namespace === 'eip155') {
    if (!EVM_ADDRESS.test(address)) throw new InvalidContractIdError(value, 'expected a 0x address of 40 hex digits after the chain')
    return `${chain}:${address.toLowerCase()}`
  }
  if (namespace === 'stacks') {
    if (!isStacksContractPrincipal(address)) throw new InvalidContractIdError(value, 'expected a Stacks contract principal ADDRESS.contract-name after the chain')
    return `${chain}:${address}`
  }
  throw new InvalidContractIdError(value, `chain namespace ${JSON.stringify(namespace)} is not indexed (eip155 or stacks)`)
}

function isStacksContractPrincipal(address: string): boolean {
  const dot = address.indexOf('.')
  return dot > 0 && STACKS_ADDRESS.test(address.slice(0, dot)) && CLARITY_NAME.test(address.slice(dot + 1))
}

/** Trimmed, non-empty, at most MAX_KEY_NAME_LENGTH characters. */
export function normalizeKeyName(value: string): string {
  const name = value.trim()
  if (name === '') throw new InvalidKeyNameError(value, 'a name is required (who or what the key is for)')
  if (name.length > MAX_KEY_NAME_LENGTH) throw new InvalidKeyNameError(value, `at most ${MAX_KEY_NAME_LENGTH} characters`)
  return name
}

/** `tms_` + 32 uniformly random base62 characters. */
export function generateApiKey(): string {
  let out = ''
  while (out.length < KEY_RANDOM_CHARS) {
    for (const byte of randomBytes(KEY_RANDOM_CHARS)) {
      // 248 = 4 * 62: rejecting bytes above it keeps every character equally likely.
      if (byte < 248 && out.length < KEY_RANDOM_CHARS) out += BASE62[byte % 62]
    }
  }
  return KEY_PREFIX + out
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** Whether a string has the shape of one of our keys (checked before any database work). */
export function looksLikeApiKey(value: string): boolean {
  return KEY_SHAPE.test(value)
}

function toRecord(row: ApiKey): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    admin: row.admin,
    contracts: [...row.contracts],
    ethAddress: row.ethAddress ?? null,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt ?? null,
    lastUsedAt: row.lastUsedAt ?? null,
  }
}

/** Creates a key; throws InvalidKeyNameError / InvalidContractIdError before touching the database. */
export async function createApiKey(db: Db, input: CreateApiKeyInput, now: Date): Promise<CreateApiKeyResult> {
  const name = normalizeKeyName(input.name)
  const contracts = [...new Set(input.contracts.map(normalizeContractId))]
  const ethAddress = input.ethAddress ? normalizeEthAddress(input.ethAddress) : null
  const key = generateApiKey()
  const row = new ApiKey({
    id: randomUUID(),
    name,
    hash: hashApiKey(key),
    prefix: key.slice(0, DISPLAY_PREFIX_CHARS),
    admin: contracts.length === 0,
    contracts,
    ethAddress,
    createdAt: now,
    revokedAt: null,
    lastUsedAt: null,
  })
  await db.getRepository(ApiKey).insert(row)
  return { key, record: toRecord(row) }
}

/** Every key, revoked ones included, oldest first. */
export async function listApiKeys(db: Db): Promise<ApiKeyRecord[]> {
  const rows = await db.getRepository(ApiKey).find({ order: { createdAt: 'ASC', id: 'ASC' } })
  return rows.map(toRecord)
}

/**
 * Revokes the key whose id or prefix is `idOrPrefix` (the full plain key works too). A value
 * that matches several keys revokes none of them: the caller must be more specific.
 */
export async function revokeApiKey(db: Db, idOrPrefix: string, now: Date): Promise<RevokeApiKeyResult> {
  const value = idOrPrefix.trim()
  if (value === '') return { status: 'not_found' }
  const repo = db.getRepository(ApiKey)
  const matches = await repo.find({ where: [{ id: value }, { prefix: value }, { hash: hashApiKey(value) }] })
  if (matches.length === 0) return { status: 'not_found' }
  if (matches.length > 1) return { status: 'ambiguous', matches: matches.map(toRecord) }
  const row = matches[0]!
  if (row.revokedAt) return { status: 'already_revoked', record: toRecord(row) }
  // The IS NULL guard keeps the first revocation time when two revokes race.
  await repo.update({ id: row.id, revokedAt: IsNull() }, { revokedAt: now })
  const updated = await repo.findOneByOrFail({ id: row.id })
  return { status: 'revoked', record: toRecord(updated) }
}

/**
 * The live key matching `key`, or undefined (unknown, malformed or revoked). With `now`, the
 * key's lastUsedAt is brought up to date (at most one write per key per minute).
 *
 * No constant-time comparison is needed: the database compares SHA-256 digests, and timing can
 * at best reveal how many leading digest characters matched, which says nothing about the key
 * (finding a key for a chosen digest prefix is a preimage search).
 */
export async function verifyApiKey(db: Db, key: string, now?: Date): Promise<ApiKeyRecord | undefined> {
  if (!looksLikeApiKey(key)) return undefined
  const repo = db.getRepository(ApiKey)
  const row = await repo.findOneBy({ hash: hashApiKey(key) })
  if (!row || row.revokedAt) return undefined
  if (now && (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS)) {
    await repo.update({ id: row.id }, { lastUsedAt: now })
    row.lastUsedAt = now
  }
  return toRecord(row)
}

/** Live keys bound to a project owner's address (by `keys create --eth-address`), oldest first. */
export async function keysBoundTo(db: Db, ethAddress: string): Promise<ApiKeyRecord[]> {
  const rows = await db.getRepository(ApiKey).find({ where: { ethAddress: ethAddress.toLowerCase(), revokedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } })
  return rows.map(toRecord)
}

/** Whether a (live) key may request refreshes for a contract: admin keys may refresh any. */
export function keyCanRefresh(record: ApiKeyRecord, contractId: string): boolean {
  if (record.revokedAt) return false
  if (record.admin) return true
  let normalized: string
  try {
    normalized = normalizeContractId(contractId)
  } catch {
    return false
  }
  return record.contracts.includes(normalized)
}
