/**
 * What the drills share within one run: the Postgres server, the local chains (started on first
 * use), the seeded random source, the log sink and a directory for the processes' logs; plus the
 * small queries every drill asks of a database (indexed height, job counts, drained queue).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { stateSchemaFor } from '../../src/store/processorSchema'
import { EVM_CHAIN, startEvmChain, startStacks, type EvmChain, type StacksSim } from './chains'
import { indexedHeight as harnessIndexedHeight } from '../helpers/indexer'
import { DrillPostgres, type DrillDb } from './postgres'
import { rng, waitFor, type LogSink, type Rng } from './runtime'

export type Profile = 'full' | 'quick' | 'test'

export class DrillContext {
  private evmChain: Promise<EvmChain> | undefined
  private stacksSim: Promise<StacksSim> | undefined

  private constructor(
    readonly pg: DrillPostgres,
    readonly profile: Profile,
    readonly seed: number,
    readonly log: LogSink,
    readonly runDir: string,
  ) {}

  static async create(opts: { profile: Profile; seed: number; log: LogSink; runDir?: string }): Promise<DrillContext> {
    const runDir = opts.runDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tms-drill-'))
    fs.mkdirSync(runDir, { recursive: true })
    const pg = await DrillPostgres.start(opts.log, path.join(runDir, 'postgres.log'))
    return new DrillContext(pg, opts.profile, opts.seed, opts.log, runDir)
  }

  /** An independent random stream per drill, so drills can be run alone with the same choices. */
  rng(drill: string): Rng {
    return rng(this.seed).fork(drill)
  }

  evm(): Promise<EvmChain> {
    this.evmChain ??= startEvmChain(this.log)
    return this.evmChain
  }

  stacks(): Promise<StacksSim> {
    this.stacksSim ??= startStacks(this.log)
    return this.stacksSim
  }

  /** The local chains' recent output, for a drill that failed on a chain call. */
  async diagnostics(): Promise<string> {
    const out: string[] = []
    if (this.evmChain) {
      const c = await this.evmChain.catch(() => undefined)
      if (c) out.push(`hardhat node (pid ${c.node.pid}, alive: ${isAlive(c.node.pid)}), last lines:\n${c.node.recentLog().slice(-15).join('\n')}`)
    }
    return out.join('\n')
  }

  logDir(drill: string): string {
    const dir = path.join(this.runDir, drill)
    fs.mkdirSync(dir, { recursive: true })
    return dir
  }

  async close(): Promise<void> {
    const evm = this.evmChain
    const stacks = this.stacksSim
    this.evmChain = this.stacksSim = undefined
    await Promise.allSettled([evm?.then((c) => c.stop()), stacks?.then((s) => s.stop())])
    await this.pg.close()
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------
// Queries

function stateSchema(chain: string): string {
  return stateSchemaFor(chain)
}

/** Highest block the chain's processor has written (final or hot), or -1 (the harness's indexedHeight). */
export function indexedHeight(db: DrillDb, chain: string): Promise<number> {
  return harnessIndexedHeight({ query: (sql, params) => db.q(sql, params) }, chain)
}

/** Hash the processor recorded for a height (hot block or, below the hot range, the status row). */
export async function indexedHash(db: DrillDb, chain: string, height: number): Promise<string | undefined> {
  const s = stateSchema(chain)
  try {
    const hot = await db.q<{ hash: string }>(`SELECT hash FROM "${s}".hot_block WHERE height = $1`, [height])
    if (hot[0]) return hot[0].hash
    const st = await db.q<{ hash: string }>(`SELECT hash FROM "${s}".status WHERE id = 0 AND height = $1`, [height])
    return st[0]?.hash
  } catch {
    return undefined
  }
}

export async function jobCounts(db: DrillDb, chain?: string): Promise<Record<string, number>> {
  const rows = await db.q<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM metadata_job WHERE $1::text IS NULL OR chain = $1 GROUP BY status`, [
    chain ?? null,
  ])
  return Object.fromEntries(rows.map((r) => [r.status, r.n]))
}

export function live(c: Record<string, number>): number {
  return (c.QUEUED ?? 0) + (c.RUNNING ?? 0)
}

/** Waits until `height` is indexed on every chain given and no job is QUEUED or RUNNING. */
export async function waitQuiet(db: DrillDb, what: string, heights: Record<string, number>, timeoutMs: number, describe?: () => string): Promise<Record<string, number>> {
  for (const [chain, h] of Object.entries(heights)) {
    await waitFor(`${what}: ${chain} indexed to ${h}`, async () => (await indexedHeight(db, chain)) >= h, timeoutMs, 100, describe)
  }
  let last: Record<string, number> = {}
  return waitFor(
    `${what}: queue drained`,
    async () => {
      last = await jobCounts(db)
      return live(last) === 0 && Object.keys(last).length > 0 ? last : undefined
    },
    timeoutMs,
    200,
    () => `jobs: ${JSON.stringify(last)}\n${describe?.() ?? ''}`,
  )
}

/** Waits until the processor has indexed the chain's `head` (its recent output names a failure). */
export async function waitForProcessorAt(db: DrillDb, proc: { tail(): string }, head: number): Promise<void> {
  await waitFor(
    'the processor at the head',
    async () => (await indexedHeight(db, EVM_CHAIN)) >= head,
    60_000,
    100,
    () => proc.tail(),
  )
}
