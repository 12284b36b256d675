/**
 * Stacks archive import benchmark: `token-metadata stacks import-events` (the real CLI process)
 * storing an event-observer archive, then the real `stacks-processor` with STACKS_SOURCE=node
 * indexing what was stored, each next to the bounds measured in the same run:
 *
 *   - read + parse: the archive streamed and every `/new_block` body JSON-parsed (what the import
 *     must do at least), and the same plus each body turned into the processor's StacksBlock
 *     (raw_tx deserialized, events converted: what indexing must do at least);
 *   - a second import of the same file (every block already stored: the resume path).
 *
 * The archive is synthetic, built from the mainnet block of the out-of-order recording (its
 * contract deployment left out): N chained blocks of its 21 transactions and 30 events (SIP-009
 * and SIP-010 asset events among them, the NFT ids shifted per block so each block makes tokens
 * of its own), each preceded by a burn block, a microblock stream and a mempool request, as a
 * node sends them. Its senders and contracts are the same in every block, so the parser's address
 * cache always hits: on mainnet, where senders vary more, the StacksBlock bound is lower.
 *
 *   npm run bench:stacks-import                 # 2,000 blocks
 *   npm run bench:stacks-import -- --blocks 500 --no-md
 *
 * DATABASE_URL: a server to create scratch databases on; unset = embedded Postgres in a temp dir.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openEventArchive } from '../src/chains/stacks/node/eventArchive'
import { blockHeaderOf, parseNewBlock } from '../src/chains/stacks/node/newBlock'
import type { NodeBlockMessage } from '../src/chains/stacks/node/observerPayloads'
import { BNS_INTERFACE, sip009Interface, sip010Interface, startInterfaceApi } from '../test/helpers/stacksInterfaceApi'
import {
  writeBenchResult,
  commandLine,
  connect,
  createDatabase,
  dropDatabase,
  fmt,
  indexedHeight,
  intArg,
  log,
  machine,
  machineTable,
  mdTable,
  memoryOf,
  parseArgs,
  ROOT,
  startChild,
  startPostgres,
  waitFor,
} from './common'

const CHAIN = 'stacks:1'
const FIXTURE = path.join(ROOT, 'test/fixtures/stacks-node-events/mainnet-out-of-order-microblock.tsv')

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const blocks = intArg(args, 'blocks', 2000)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-bench-stacks-import-'))
  const file = path.join(dir, 'archive.tsv')
  const built = buildArchive(file, blocks)
  log(`archive: ${fmt(blocks)} blocks, ${fmt(built.requests)} requests, ${fmt(built.bytes / 1e6, 1)} MB, ${fmt(built.events)} events`)

  const parseOnly = await timed(() => readArchive(file, false))
  const parseBlocks = await timed(() => readArchive(file, true))
  log(`read + parse: ${fmt(parseOnly.s, 2)} s; + StacksBlock: ${fmt(parseBlocks.s, 2)} s`)

  const pg = await startPostgres()
  const api = await startInterfaceApi({
    'SPJW1XE278YMCEYMXB8ZFGJMH8ZVAAEDP2S2PJYG.stacks-punks-v3': sip009Interface('stacks-punks'),
    'SPJW1XE278YMCEYMXB8ZFGJMH8ZVAAEDP2S2PJYG.phases-of-satoshi': sip009Interface('phases-of-satoshi'),
    'SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.free-punks-v0': sip009Interface('free-punks'),
    'SP466FNC0P7JWTNM2R9T199QRZN1MYEDTAR0KP27.miamicoin-token': sip010Interface('miamicoin'),
    'SP000000000000000000002Q6VF78.bns': BNS_INTERFACE,
  })
  const dbName = 'tms_bench_stacks_import'
  try {
    const url = await createDatabase(pg, dbName)
    const env = { DATABASE_URL: url, STACKS_CHAIN: CHAIN, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' }
    // the command's fixed cost (process start, database connection, migrations check): an empty archive
    const emptyFile = path.join(dir, 'empty.tsv')
    fs.writeFileSync(emptyFile, '')
    const startup = await timed(() => runCli(['stacks', 'import-events', emptyFile], env))
    const imported = await timed(() => runCli(['stacks', 'import-events', file], env))
    const again = await timed(() => runCli(['stacks', 'import-events', file], env))
    // the same import of a file a quarter the size, into a database of its own: peak memory should not differ
    const quarterFile = path.join(dir, 'quarter.tsv')
    buildArchive(quarterFile, Math.max(1, Math.floor(blocks / 4)))
    const quarterUrl = await createDatabase(pg, `${dbName}_quarter`)
    const quarterPeak = await runCli(['stacks', 'import-events', quarterFile], { ...env, DATABASE_URL: quarterUrl })
    log(`import: ${fmt(imported.s, 2)} s (peak RSS ${fmt(imported.value / 1024)} MiB); again (all stored): ${fmt(again.s, 2)} s`)

    const c = await connect(url)
    const started = Date.now()
    const proc = startChild('stacks-processor', [], {
      DATABASE_URL: url,
      STACKS_SOURCE: 'node',
      STACKS_CHAIN: CHAIN,
      STACKS_API_URL: api.url,
      STACKS_START_HEIGHT: '0',
      STACKS_POLL_MS: '50',
      STACKS_SUPPLY_CHECK_SECONDS: '0',
    })
    await waitFor(
      `indexed to ${blocks}`,
      async () => (await indexedHeight(c, CHAIN)) >= blocks,
      3_600_000,
      100,
      () => proc.output(),
    )
    const ingestS = (Date.now() - started) / 1000
    proc.sample()
    await proc.stop()
    const [{ tokens }] = (await c.query(`SELECT count(*)::int AS tokens FROM token WHERE chain = $1`, [CHAIN])).rows
    await c.end()
    log(`ingest: ${fmt(ingestS, 2)} s, ${fmt(tokens)} tokens`)

    const row = (what: string, s: number, bound?: number) => [what, fmt(s, 2), fmt(blocks / s), fmt(built.events / s), bound ? `${fmt((bound / s) * 100, 0)}%` : '']
    const table = mdTable(
      ['step', 'seconds', 'blocks/s', 'events/s', 'of the read+parse bound'],
      [
        row('read + JSON.parse of every request (bound of the import)', parseOnly.s),
        row('read + parse to StacksBlock (bound of indexing)', parseBlocks.s),
        row('`stacks import-events` (CLI process, into Postgres)', imported.s, parseOnly.s),
        row('`stacks import-events` again (every block already stored)', again.s, parseOnly.s),
        ["`stacks import-events` of an empty file (the command's fixed cost, included above)", fmt(startup.s, 2), '', '', ''],
        row('`stacks-processor` STACKS_SOURCE=node (stored blocks to tokens, jobs)', ingestS, parseBlocks.s),
      ],
    )
    const body = [
      `Synthetic archive from the mainnet block of \`mainnet-out-of-order-microblock.tsv\` (the same senders and contracts in every block: the parser's address cache always hits): ${fmt(blocks)} blocks, ${fmt(built.requests)} requests (${fmt(built.bytes / 1e6, 1)} MB), ${fmt(built.events)} events (${fmt(built.assetEvents)} SIP-009/010 asset events); ${fmt(tokens)} tokens at the end. Peak RSS of the import: ${fmt(imported.value / 1024)} MiB for the whole file, ${fmt(quarterPeak / 1024)} MiB for a file of a quarter of its blocks (one batch of at most 100 blocks or 32 MB is held at a time); of the processor: ${fmt(proc.peak.hwmKb / 1024)} MiB.`,
      '',
      table,
      '',
      machineTable(machine(), commandLine()),
    ].join('\n')
    process.stdout.write(`\n${body}\n`)
    if (!args.flags.has('no-md')) writeBenchResult(`Stacks archive import (${fmt(blocks)} blocks)`, body)
  } finally {
    await api.close()
    await dropDatabase(pg, dbName)
    await dropDatabase(pg, `${dbName}_quarter`)
    await pg.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

interface Built {
  requests: number
  bytes: number
  events: number
  assetEvents: number
}

function buildArchive(file: string, blocks: number): Built {
  const lines = fs
    .readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'))
  const template = JSON.parse(lines.find((l) => l[2] === '/new_block')![3]) as NodeBlockMessage
  template.transactions = template.transactions.filter((t) => !t.contract_abi)
  const microblocks = lines.find((l) => l[2] === '/new_microblocks')![3]
  const burn = JSON.stringify({ burn_block_hash: '0x' + '00'.repeat(32), burn_block_height: 1, burn_amount: 0, reward_recipients: [], reward_slot_holders: [] })
  const mempool = JSON.stringify([template.transactions[0].raw_tx])
  const fd = fs.openSync(file, 'w')
  const out: Built = { requests: 0, bytes: 0, events: 0, assetEvents: 0 }
  let id = 0
  const write = (p: string, body: string) => {
    const line = `${++id}\t2021-09-16 23:46:52.589279+00\t${p}\t${body}\n`
    fs.writeSync(fd, line)
    out.requests++
    out.bytes += line.length
  }
  let parent = '0x' + 'ee'.repeat(32)
  for (let h = 1; h <= blocks; h++) {
    const index = '0x' + createHash('sha256').update(`block ${h}`).digest('hex')
    const block: NodeBlockMessage = {
      ...template,
      block_height: h,
      block_hash: '0x' + createHash('sha256').update(`hash ${h}`).digest('hex'),
      index_block_hash: index,
      parent_index_block_hash: parent,
      events: template.events.map((e) => shiftNftId(e, h)),
    }
    parent = index
    write('/new_burn_block', burn)
    write('/new_microblocks', microblocks)
    write('/new_mempool_tx', mempool)
    write('/new_block', JSON.stringify(block))
    out.events += block.events.length
    out.assetEvents += block.events.filter((e) => /^(nft|ft)_/.test(e.type)).length
  }
  fs.closeSync(fd)
  return out
}

/** The NFT id moved to `id + height * 100000`, so every block mints tokens of its own. */
function shiftNftId(e: NodeBlockMessage['events'][number], height: number): NodeBlockMessage['events'][number] {
  if (!e.type.startsWith('nft_')) return e
  const body = e[e.type] as { raw_value: string; value: { UInt: number } }
  const id = BigInt('0x' + body.raw_value.slice(4)) + BigInt(height) * 100000n
  return { ...e, [e.type]: { ...body, raw_value: '0x01' + id.toString(16).padStart(32, '0'), value: { UInt: Number(id) } } }
}

async function readArchive(file: string, toBlocks: boolean): Promise<void> {
  const archive = await openEventArchive(file)
  for await (const r of archive.requests) {
    if (r.path !== '/new_block') continue
    const body = JSON.parse(r.body) as NodeBlockMessage
    blockHeaderOf(body)
    if (toBlocks) parseNewBlock(body)
  }
}

/** Runs the installed command; resolves with its peak RSS in KiB (VmHWM, read while it runs). */
function runCli(argv: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/token-metadata.js'), ...argv], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    let peak = 0
    const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(child.pid ?? -1).hwmKb)), 50)
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', (code) => {
      clearInterval(sampler)
      if (code === 0) resolve(peak)
      else reject(new Error(`token-metadata ${argv.join(' ')} exited ${code}: ${err}`))
    })
  })
}

async function timed<T>(fn: () => Promise<T>): Promise<{ s: number; value: T }> {
  const t = process.hrtime.bigint()
  const value = await fn()
  return { s: Number(process.hrtime.bigint() - t) / 1e9, value }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
