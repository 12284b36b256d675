import { loadConfig } from '../config'
import { ArchiveFormatError, openEventArchive, type ArchiveReader } from '../chains/stacks/node/eventArchive'
import { blockHeaderOf, NodePayloadError } from '../chains/stacks/node/newBlock'
import { requestRole } from '../chains/stacks/node/observerRequests'
import { storeNodeBlocks, type NodeBlockToStore } from '../store/stacksNodeBlocks'
import { CliError, EXIT, UsageError, type ExitCode } from './cliErrors'
import { writeLine, type CliIo } from './cliIo'
import { withDatabase } from './withDatabase'
import { ImportProgress } from './importProgress'

/** Blocks per transaction, and a byte cap so a run of huge blocks does not sit in memory. */
const BATCH_BLOCKS = 100
const BATCH_BYTES = 32 * 1024 * 1024

export interface ImportSummary {
  requests: number
  blocks: number
  stored: number
  alreadyStored: number
  /** requests on paths the index does not keep (acknowledged by the live observer too) */
  notStored: number
  /** request paths this version does not know, with their counts */
  unknownPaths: Record<string, number>
}

/**
 * `stacks import-events <file>`: stores the `/new_block` requests of an event-observer archive
 * (the Stacks Blockchain API's TSV export, plain or gzipped) exactly as the live observer stores
 * them, so a stacks-processor with STACKS_SOURCE=node indexes them. Streamed (memory does not
 * grow with the file), idempotent (a block already stored is skipped, so a run killed at any point
 * is resumed by running it again), with progress on a terminal.
 */
export async function importEventsCommand(file: string, io: CliIo): Promise<ExitCode> {
  const archive = await openEventArchive(file).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`)
  })
  const config = loadConfig(io.env)
  const summary = await withDatabase(config, io, async (ds) => {
    const progress = new ImportProgress(io.stderr, archive)
    try {
      return await importArchive(archive, file, progress, (blocks) => storeNodeBlocks(ds, config.STACKS_CHAIN, blocks))
    } finally {
      progress.stop()
    }
  })
  writeLine(io.stdout, JSON.stringify({ file, chain: config.STACKS_CHAIN, ...summary }))
  return EXIT.OK
}

export async function importArchive(
  archive: ArchiveReader,
  file: string,
  progress: ImportProgress | undefined,
  store: (blocks: NodeBlockToStore[]) => Promise<{ stored: number; duplicates: number }>,
): Promise<ImportSummary> {
  const summary: ImportSummary = { requests: 0, blocks: 0, stored: 0, alreadyStored: 0, notStored: 0, unknownPaths: {} }
  let batch: NodeBlockToStore[] = []
  let bytes = 0
  const flush = async () => {
    if (batch.length === 0) return
    const r = await store(batch)
    summary.stored += r.stored
    summary.alreadyStored += r.duplicates
    batch = []
    bytes = 0
  }
  try {
    for await (const req of archive.requests) {
      summary.requests++
      const role = requestRole(req.path)
      if (role === 'block') {
        let header: ReturnType<typeof blockHeaderOf>
        try {
          header = blockHeaderOf(JSON.parse(req.body))
        } catch (e) {
          const why = e instanceof NodePayloadError ? e.message : `body is not JSON (${(e as Error).message})`
          throw new CliError(`${file} line ${req.line} (request ${req.id}): ${why}`)
        }
        summary.blocks++
        batch.push({ ...header, payload: req.body })
        bytes += req.body.length
        if (batch.length >= BATCH_BLOCKS || bytes >= BATCH_BYTES) await flush()
      } else if (role === 'ack') summary.notStored++
      else summary.unknownPaths[req.path] = (summary.unknownPaths[req.path] ?? 0) + 1
      progress?.update(summary)
    }
    await flush()
  } catch (e) {
    if (e instanceof ArchiveFormatError) throw new CliError(e.message)
    if (e instanceof Error && 'code' in e && String((e as NodeJS.ErrnoException).code).startsWith('Z_')) {
      throw new CliError(`${file}: not a valid gzip file (${e.message})`)
    }
    throw e
  }
  return summary
}
