import { Command } from 'commander'
import { TOKEN_STANDARDS } from '../core/standards'
import type { ExitCode } from './cliErrors'
import type { CliIo } from './cliIo'
import { inspectCommand } from './inspectCommand'
import type { RawInspectOptions } from './inspectOptions'
import type { KeysCreateOptions, KeysListOptions } from './keysCommands'
import type { WebhooksCreateOptions, WebhooksListOptions } from './webhooksCommands'
import { packageJson } from '../lib/packageRoot'

/** Where an action leaves its exit code (commander's actions return nothing useful). */
export interface ExitSlot {
  code: ExitCode
}

/** Repeatable option: every occurrence is kept, in order. */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

const PROGRAM_HELP = `
Configuration comes from the environment, as for every process of the indexer (DATABASE_URL or
DB_*, DATA_DIR, FETCH_ALLOW_HOSTS, FETCH_TIMEOUT_MS, IPFS_GATEWAY, …).

Exit status: 0 success, 1 the command failed (metadata error, key not found, database
unreachable), 2 bad arguments or configuration.`

const INSPECT_HELP = `
Prints one JSON object: { uri, tokenId, standard, resolved, fetched: { url, contentHash },
metadata, locales, warnings, error? }. "resolved" is where the URI points after gateway
rewriting and {id} substitution; "metadata" is what the indexer stores and serves.

Exit status: 0 metadata loaded, 1 metadata error (see error.code and error.hint),
2 bad arguments or configuration.

Examples:
  $ token-metadata inspect ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/1
  $ token-metadata inspect 'https://example.com/api/{id}.json' --standard erc1155 --token-id 1
  $ token-metadata inspect http://127.0.0.1:8080/1.json --allow 127.0.0.1:8080
  $ token-metadata inspect 'data:application/json;base64,eyJuYW1lIjoiT25lIn0='`

const KEYS_HELP = `
Keys are stored hashed in the database named by DATABASE_URL (or the DB_* variables) or, when
neither is set, in the embedded Postgres under DATA_DIR. A key without --contract is an admin key.
With --eth-address, Immutable X refreshes signed by that project owner (x-imx-eth-* headers) act
for the key.

Examples:
  $ token-metadata keys create --name "Launch team" --contract eip155:1:0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d
  $ token-metadata keys create --name "Owner" --contract eip155:1:0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d --eth-address 0x5aeda56215b167893e80b4fe645ba6d5bab767de
  $ token-metadata keys list
  $ token-metadata keys revoke tms_AbCd1234`

/** The command tree. A fresh one per run: commander keeps parse state on its objects. */
export function buildProgram(io: CliIo, exit: ExitSlot): Command {
  const program = new Command('token-metadata')
    .description('Token metadata indexer tools: check a token URI as the indexer sees it, manage API keys and webhooks, import Stacks event archives.')
    .version(packageJson().version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', PROGRAM_HELP)
  addInspect(program, io, exit)
  addKeys(program, io, exit)
  addStacks(program, io, exit)
  addWebhooks(program, io, exit)
  return program
}

function addInspect(program: Command, io: CliIo, exit: ExitSlot): void {
  program
    .command('inspect')
    .description('resolve, fetch and normalise one token URI exactly as a worker would')
    .argument('<uri>', 'token URI: http(s)://, ipfs://, ipns://, ar://, data:, or raw JSON')
    .option('--token-id <n>', 'token id (decimal or 0x hex), substituted for {id}')
    .option('--standard <name>', `token standard: ${TOKEN_STANDARDS.map((s) => s.toLowerCase()).join('|')}`)
    .option('--timeout <ms>', 'fetch deadline in ms (default FETCH_TIMEOUT_MS)')
    .option('--allow <host:port>', 'also allow this private host (repeatable; adds to FETCH_ALLOW_HOSTS)', collect)
    .addHelpText('after', INSPECT_HELP)
    .action(async (uri: string, opts: RawInspectOptions) => {
      exit.code = await inspectCommand(uri, opts, io)
    })
}

const IMPORT_EVENTS_HELP = `
Stores the /new_block requests of a Stacks event-observer archive (the Stacks Blockchain API's TSV
event export, as Hiro's event-replay archives are, plain or .gz) in the database, as the live
event observer (node lib/main/stacks-observer.js) stores them; a stacks-processor with
STACKS_SOURCE=node then indexes them. Other requests (burn blocks, mempool, microblock streams) are
counted and skipped. Blocks already stored are skipped: run it again to resume after a crash.
Prints a JSON summary; progress goes to stderr on a terminal.

Example:
  $ STACKS_CHAIN=stacks:1 token-metadata stacks import-events ./mainnet-events.tsv.gz`

function addStacks(program: Command, io: CliIo, exit: ExitSlot): void {
  const stacks = program.command('stacks').description('Stacks chain tools: load an event-observer archive')
  stacks
    .command('import-events')
    .description('store the blocks of an event-observer archive (.tsv or .tsv.gz) for STACKS_SOURCE=node')
    .argument('<file>', 'the archive: a .tsv or .tsv.gz event export')
    .addHelpText('after', IMPORT_EVENTS_HELP)
    .action(async (file: string) => {
      exit.code = await (await import('./importEventsCommand')).importEventsCommand(file, io)
    })
}

/** The keys commands load the database layer only when run, so `inspect` starts fast. */
function addKeys(program: Command, io: CliIo, exit: ExitSlot): void {
  const keys = program.command('keys').description('create, list and revoke API keys for the refresh endpoints').addHelpText('after', KEYS_HELP)
  keys
    .command('create')
    .description('create a key and print it (once)')
    .requiredOption('--name <name>', 'who or what the key is for')
    .option('--contract <CHAIN:ADDRESS>', 'contract the key may refresh (repeatable; none = admin key)', collect)
    .option('--eth-address <0x…>', 'bind a project owner: Immutable X refreshes signed by this address (x-imx-eth-*) act for the key')
    .option('--json', 'print JSON instead of text')
    .action(async (opts: KeysCreateOptions) => {
      exit.code = await (await import('./keysCommands')).keysCreateCommand(opts, io)
    })
  keys
    .command('list')
    .description('list every key, revoked ones included')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: KeysListOptions) => {
      exit.code = await (await import('./keysCommands')).keysListCommand(opts, io)
    })
  keys
    .command('revoke')
    .description('revoke a key by its id or prefix (idempotent)')
    .argument('<id|prefix>', 'the key id, or its prefix as shown by keys list')
    .action(async (idOrPrefix: string) => {
      exit.code = await (await import('./keysCommands')).keysRevokeCommand(idOrPrefix, io)
    })
}

const WEBHOOKS_HELP = `
A webhook belongs to an API key and sees only that key's collections (an admin key: every
collection). Event types: token.minted, token.transferred, token.burned, metadata.updated,
metadata.failed, refresh.completed (none given = all). Requests are POSTed as JSON and signed
(webhook-id, webhook-timestamp, webhook-signature headers; README "Change notifications").

Examples:
  $ token-metadata webhooks create --key tms_AbCd1234 --url https://studio.example/hooks/tms --event metadata.updated
  $ token-metadata webhooks list
  $ token-metadata webhooks resume 5f0c…
  $ token-metadata webhooks delete 5f0c…`

function addWebhooks(program: Command, io: CliIo, exit: ExitSlot): void {
  const hooks = program.command('webhooks').description('create, list, resume and delete webhook subscriptions').addHelpText('after', WEBHOOKS_HELP)
  hooks
    .command('create')
    .description('subscribe a URL to changes; prints the signing secret once')
    .requiredOption('--key <id|prefix>', 'the API key the webhook belongs to (its collections bound what it sees)')
    .requiredOption('--url <url>', 'where events are POSTed (http or https)')
    .option('--chain <CAIP-2>', 'only events of this chain (repeatable)', collect)
    .option('--contract <CHAIN:ADDRESS>', "only events of this contract (repeatable; within the key's collections)", collect)
    .option('--event <type>', 'only events of this type (repeatable)', collect)
    .option('--description <text>', 'what the webhook is for')
    .option('--json', 'print JSON instead of text')
    .action(async (opts: WebhooksCreateOptions) => {
      exit.code = await (await import('./webhooksCommands')).webhooksCreateCommand(opts, io)
    })
  hooks
    .command('list')
    .description('list webhooks (status, failures in a row, last success)')
    .option('--key <id|prefix>', "only this key's webhooks")
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: WebhooksListOptions) => {
      exit.code = await (await import('./webhooksCommands')).webhooksListCommand(opts, io)
    })
  hooks
    .command('resume')
    .description('resume a paused webhook: its pending deliveries are sent again')
    .argument('<id>', 'the webhook id')
    .action(async (id: string) => {
      exit.code = await (await import('./webhooksCommands')).webhooksResumeCommand(id, io)
    })
  hooks
    .command('delete')
    .description('delete a webhook and its delivery log')
    .argument('<id>', 'the webhook id')
    .action(async (id: string) => {
      exit.code = await (await import('./webhooksCommands')).webhooksDeleteCommand(id, io)
    })
}
