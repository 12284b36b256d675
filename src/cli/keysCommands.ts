import { loadConfig } from '../config'
import {
  createApiKey,
  InvalidContractIdError,
  InvalidEthAddressError,
  InvalidKeyNameError,
  listApiKeys,
  normalizeContractId,
  normalizeEthAddress,
  normalizeKeyName,
  revokeApiKey,
  type RevokeApiKeyResult,
} from '../store/apiKeys'
import { CliError, EXIT, UsageError, type ExitCode } from './cliErrors'
import { nowOf, writeLine, type CliIo } from './cliIo'
import { createdKeyJson, formatCreatedKey, formatKeyTable, formatTime, recordJson } from './formatKeys'
import { withDatabase } from './withDatabase'

export interface KeysCreateOptions {
  name: string
  contract?: string[]
  /** Project owner whose Immutable X signature acts for the key. */
  ethAddress?: string
  json?: boolean
}

export interface KeysListOptions {
  json?: boolean
}

/** `keys create`: arguments are checked before any database is started. */
export async function keysCreateCommand(opts: KeysCreateOptions, io: CliIo): Promise<ExitCode> {
  const name = asUsageError(() => normalizeKeyName(opts.name))
  const contracts = asUsageError(() => (opts.contract ?? []).map(normalizeContractId))
  const ethAddress = opts.ethAddress === undefined ? null : asUsageError(() => normalizeEthAddress(opts.ethAddress!))
  const config = loadConfig(io.env)
  const created = await withDatabase(config, io, (ds) => createApiKey(ds, { name, contracts, ethAddress }, nowOf(io)))
  writeLine(io.stdout, opts.json ? JSON.stringify(createdKeyJson(created), null, 2) : formatCreatedKey(created))
  return EXIT.OK
}

export async function keysListCommand(opts: KeysListOptions, io: CliIo): Promise<ExitCode> {
  const config = loadConfig(io.env)
  const records = await withDatabase(config, io, (ds) => listApiKeys(ds))
  writeLine(io.stdout, opts.json ? JSON.stringify(records.map(recordJson), null, 2) : formatKeyTable(records))
  return EXIT.OK
}

/** `keys revoke`: idempotent; an unknown or ambiguous id/prefix fails (exit 1) and revokes nothing. */
export async function keysRevokeCommand(idOrPrefix: string, io: CliIo): Promise<ExitCode> {
  if (idOrPrefix.trim() === '') throw new UsageError('missing <id|prefix>: see token-metadata keys list')
  const config = loadConfig(io.env)
  const result = await withDatabase(config, io, (ds) => revokeApiKey(ds, idOrPrefix, nowOf(io)))
  writeLine(io.stdout, describeRevocation(idOrPrefix, result))
  return EXIT.OK
}

function describeRevocation(value: string, result: RevokeApiKeyResult): string {
  switch (result.status) {
    case 'revoked':
      return `Revoked API key ${result.record.prefix} ("${result.record.name}", id ${result.record.id}).`
    case 'already_revoked':
      return `API key ${result.record.prefix} ("${result.record.name}") was already revoked at ${formatTime(result.record.revokedAt)}.`
    case 'not_found':
      throw new CliError(`no API key has the id or prefix ${JSON.stringify(value)} (see token-metadata keys list)`)
    case 'ambiguous':
      throw new CliError(`${JSON.stringify(value)} matches ${result.matches.length} API keys (${result.matches.map((m) => m.id).join(', ')}): revoke by id`)
  }
}

/** Runs a validator; its input errors (which name the value) become usage errors (exit 2). */
function asUsageError<T>(run: () => T): T {
  try {
    return run()
  } catch (e) {
    throw e instanceof InvalidContractIdError || e instanceof InvalidKeyNameError || e instanceof InvalidEthAddressError ? new UsageError(e.message, { cause: e }) : e
  }
}
