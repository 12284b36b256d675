/**
 * Reliability drills: `npm run drill` (the whole set, ~15 minutes on 2 cores) or
 * `npm run drill -- --quick` (smaller runs, a few minutes).
 *
 *   --quick            smaller runs of every drill
 *   --only a,b         run only these drills (crash, db-restart, reorgs, hostile, fuzz, abuse)
 *   --seed N           random seed (default 20261121); the same seed replays the same choices
 *   --no-append        do not write the report under bench/results/
 *   --logs DIR         where the processes' logs go (default: a temp directory, printed)
 *   --profile test     the tiny runs of the e2e test (test/e2e/drills.test.ts), for debugging
 *
 * Each drill prints what it injected, what it checked and what was lost, and the run appends a
 * dated report under bench/results/. Exit code 1 when a check failed, 2 on a drill error or when
 * the hard time limit is reached.
 */
import os from 'node:os'
import { execFileSync } from 'node:child_process'
import { DrillContext, type Profile } from './context'
import { DRILLS, type DrillName } from './drills'
import { killAllRoleProcesses } from './processes'
import { writeDrillReport, mdTable, passed, renderResult, summaryTable, type DrillResult } from './report'
import { ROOT, consoleSink, seconds } from './runtime'

interface Args {
  profile: Profile
  only?: DrillName[]
  seed: number
  append: boolean
  logs?: string
}

function parse(argv: string[]): Args {
  const out: Args = { profile: 'full', seed: 20261121, append: true }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value`)
      return v
    }
    if (a === '--quick') out.profile = 'quick'
    else if (a === '--profile') {
      const p = value()
      if (p !== 'full' && p !== 'quick' && p !== 'test') throw new Error('--profile: full, quick or test')
      out.profile = p
    } else if (a === '--no-append') out.append = false
    else if (a === '--seed') out.seed = Number(value())
    else if (a === '--logs') out.logs = value()
    else if (a === '--only') {
      const names = value()
        .split(',')
        .map((s) => s.trim()) as DrillName[]
      for (const n of names) if (!DRILLS.some((d) => d.name === n)) throw new Error(`--only: unknown drill ${n} (known: ${DRILLS.map((d) => d.name).join(', ')})`)
      out.only = names
    } else throw new Error(`unknown argument ${a}`)
  }
  if (!Number.isInteger(out.seed)) throw new Error('--seed needs an integer')
  return out
}

function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'db'], { cwd: ROOT }).toString().trim()
    return dirty ? `${head} + uncommitted src/db changes` : head
  } catch {
    return 'unknown'
  }
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2))
  const profile = args.profile
  const log = consoleSink()
  const hardLimitMs = profile === 'full' ? 25 * 60_000 : 12 * 60_000
  const watchdog = setTimeout(() => {
    log(`hard time limit of ${seconds(hardLimitMs)} reached: giving up (${killAllRoleProcesses()} role processes killed)`)
    process.exit(2)
  }, hardLimitMs)
  watchdog.unref()

  const started = Date.now()
  const ctx = await DrillContext.create({ profile, seed: args.seed, log, runDir: args.logs })
  log(`drills (${profile}, seed ${args.seed}); process logs under ${ctx.runDir}`)
  const results: DrillResult[] = []
  const errors: string[] = []
  try {
    for (const drill of DRILLS) {
      if (args.only && !args.only.includes(drill.name)) continue
      log(`=== ${drill.name}`)
      try {
        const r = await drill.run(ctx, profile)
        results.push(r)
        process.stdout.write(`\n${renderResult(r)}\n\n`)
      } catch (e) {
        const msg = e instanceof Error ? (e.stack ?? e.message) : String(e)
        errors.push(`${drill.name}: ${msg}`)
        log(`${drill.name} did not finish: ${msg}\n${await ctx.diagnostics()}`)
      }
    }
  } finally {
    await ctx.close()
  }
  const totalMs = Date.now() - started
  const ok = results.every(passed) && errors.length === 0

  const when = new Date().toISOString().replace('T', ' ').slice(0, 19)
  const m = os
  const section = [
    `## Reliability drills (${profile === 'full' ? 'full set' : profile === 'quick' ? '--quick' : '--profile test'}): ${when} UTC`,
    '',
    mdTable(
      ['nproc', 'memory', 'Node', 'load avg at start of report (1/5/15 min)', 'code', 'command', 'seed', 'total'],
      [
        [
          m.availableParallelism(),
          `${(m.totalmem() / 2 ** 30).toFixed(1)} GiB`,
          process.version,
          m
            .loadavg()
            .map((x) => x.toFixed(2))
            .join(' '),
          codeVersion(),
          `npm run drill${profile === 'quick' ? ' -- --quick' : profile === 'test' ? ' -- --profile test' : ''}`,
          args.seed,
          seconds(totalMs),
        ],
      ],
    ),
    '',
    summaryTable(results),
    ...(errors.length ? ['', `Drills that did not finish: ${errors.map((e) => e.split('\n')[0]).join('; ')}`] : []),
    '',
    ...results.map((r) => `${renderResult(r).replace(/^### /, '### Drill ')}\n`),
  ].join('\n')
  process.stdout.write(`\n${summaryTable(results)}\n\ntotal ${seconds(totalMs)}; logs in ${ctx.runDir}\n`)
  if (args.append) log(`report written to ${writeDrillReport(section)}; update the drills row in BENCHMARKS.md`)
  return errors.length ? 2 : ok ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(2)
  },
)
