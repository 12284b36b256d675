import { loadConfig } from '../config'
import { listApiKeys, type ApiKeyRecord } from '../store/apiKeys'
import {
  createWebhook,
  deleteWebhook,
  InvalidWebhookError,
  listWebhooks,
  normalizeWebhookUrl,
  parseWebhookFilters,
  resumeWebhook,
  webhookSummary,
  type WebhookRecord,
} from '../store/webhooks'
import { CliError, EXIT, UsageError, type ExitCode } from './cliErrors'
import { nowOf, writeLine, type CliIo } from './cliIo'
import { formatTime } from './formatKeys'
import { withDatabase } from './withDatabase'

export interface WebhooksCreateOptions {
  key: string
  url: string
  chain?: string[]
  contract?: string[]
  event?: string[]
  description?: string
  json?: boolean
}

export interface WebhooksListOptions {
  key?: string
  json?: boolean
}

/** `webhooks create`: the URL and filters are checked before any database is started (the key's scope after). */
export async function webhooksCreateCommand(opts: WebhooksCreateOptions, io: CliIo): Promise<ExitCode> {
  const input = { url: opts.url, chains: opts.chain, contracts: opts.contract, eventTypes: opts.event, description: opts.description }
  asUsageError(() => {
    normalizeWebhookUrl(input.url)
    parseWebhookFilters(input)
  })
  const config = loadConfig(io.env)
  const created = await withDatabase(config, io, async (ds) => {
    const key = await findKey(await listApiKeys(ds), opts.key)
    return createWebhook(ds, key, input, nowOf(io)).catch(toUsageError)
  })
  writeLine(io.stdout, opts.json ? JSON.stringify({ secret: created.secret, ...webhookJson(created.record) }, null, 2) : formatCreated(created.secret, created.record))
  return EXIT.OK
}

export async function webhooksListCommand(opts: WebhooksListOptions, io: CliIo): Promise<ExitCode> {
  const config = loadConfig(io.env)
  const hooks = await withDatabase(config, io, async (ds) => {
    const keyId = opts.key === undefined ? undefined : (await findKey(await listApiKeys(ds), opts.key, true)).id
    return listWebhooks(ds.manager, keyId)
  })
  writeLine(io.stdout, opts.json ? JSON.stringify(hooks.map(webhookJson), null, 2) : formatTable(hooks))
  return EXIT.OK
}

export async function webhooksDeleteCommand(id: string, io: CliIo): Promise<ExitCode> {
  if (id.trim() === '') throw new UsageError('missing <id>: see token-metadata webhooks list')
  const config = loadConfig(io.env)
  const deleted = await withDatabase(config, io, (ds) => deleteWebhook(ds.manager, id.trim()))
  if (!deleted) throw new CliError(`no webhook has the id ${JSON.stringify(id)} (see token-metadata webhooks list)`)
  writeLine(io.stdout, `Deleted webhook ${id.trim()} and its delivery log.`)
  return EXIT.OK
}

export async function webhooksResumeCommand(id: string, io: CliIo): Promise<ExitCode> {
  if (id.trim() === '') throw new UsageError('missing <id>: see token-metadata webhooks list')
  const config = loadConfig(io.env)
  const resumed = await withDatabase(config, io, (ds) => resumeWebhook(ds, id.trim()))
  if (!resumed) throw new CliError(`no webhook has the id ${JSON.stringify(id)} (see token-metadata webhooks list)`)
  writeLine(io.stdout, `Webhook ${resumed.id} is active; its pending deliveries are sent again.`)
  return EXIT.OK
}

/** The key named by id or prefix; revoked keys only where `allowRevoked` (listing). */
function findKey(keys: ApiKeyRecord[], value: string, allowRevoked = false): ApiKeyRecord {
  const v = value.trim()
  const matches = keys.filter((k) => k.id === v || k.prefix === v)
  if (matches.length === 0) throw new CliError(`no API key has the id or prefix ${JSON.stringify(value)} (see token-metadata keys list)`)
  if (matches.length > 1) throw new CliError(`${JSON.stringify(value)} matches ${matches.length} API keys (${matches.map((m) => m.id).join(', ')}): use the id`)
  const key = matches[0]!
  if (key.revokedAt && !allowRevoked) throw new CliError(`API key ${key.prefix} is revoked: a webhook needs a live key`)
  return key
}

function webhookJson(r: WebhookRecord): Record<string, unknown> {
  const { id, ...summary } = webhookSummary(r)
  return {
    id,
    apiKeyId: r.apiKeyId,
    ...summary,
    createdAt: r.createdAt.toISOString(),
    pausedAt: r.pausedAt?.toISOString() ?? null,
    lastSuccessAt: r.lastSuccessAt?.toISOString() ?? null,
  }
}

const all = (xs: string[], what: string) => (xs.length === 0 ? `every ${what}` : xs.join(', '))

function formatCreated(secret: string, r: WebhookRecord): string {
  return [
    `Created webhook ${r.id}.`,
    '',
    `  url       ${r.url}`,
    `  secret    ${secret}`,
    `  chains    ${all(r.chains, 'chain')}`,
    `  contracts ${all(r.contracts, 'contract')}`,
    `  events    ${all(r.eventTypes, 'event type')}`,
    '',
    'Copy the secret now: it is not shown again. Receivers verify each request with it (README "Change notifications").',
  ].join('\n')
}

function formatTable(hooks: WebhookRecord[]): string {
  if (hooks.length === 0) return 'No webhooks.'
  const rows = hooks.map((h) => [h.id, h.pausedAt ? 'PAUSED' : 'ACTIVE', h.url, all(h.eventTypes, 'event'), String(h.consecutiveFailures), formatTime(h.lastSuccessAt)])
  const head = ['ID', 'STATUS', 'URL', 'EVENTS', 'FAILURES', 'LAST SUCCESS']
  const widths = head.map((hd, i) => Math.max(hd.length, ...rows.map((r) => r[i]!.length)))
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

function asUsageError<T>(run: () => T): T {
  try {
    return run()
  } catch (e) {
    return toUsageError(e)
  }
}

/** A webhook the store refuses (bad URL or filter, the key's limit reached) is the caller's error: exit 2. */
function toUsageError(e: unknown): never {
  throw e instanceof InvalidWebhookError ? new UsageError(e.message, { cause: e }) : e
}
