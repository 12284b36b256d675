/**
 * `npm run bench`: every part on one embedded Postgres (or DATABASE_URL):
 *   ingest 100,000 tokens (+ Stacks block source over 2,000 blocks), ingest 20,000 tokens,
 *   pipeline 10,000 and 100,000 tokens with 1/2/4 workers at 10,000 (chain and stub variants).
 * `--quick`: ingest 20,000 (+ 500 Stacks blocks), pipeline 10,000 with 1 and 2 workers.
 * Other options are passed to both parts (e.g. --no-md, --profile). Each part appends its own
 * section to BENCHMARKS.md.
 */
import { ingestOptions, runIngest } from './ingest'
import { log, parseArgs, pct, startPostgres } from './common'
import { pipelineOptions, runPipeline } from './pipeline'

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const quick = parseArgs(argv).flags.has('quick')
  const started = Date.now()
  const pg = await startPostgres()
  const summary: string[] = []
  try {
    const ingestRuns = quick ? [ingestOptions(argv)] : [ingestOptions(argv), { ...ingestOptions([...argv, '--tokens', '20000']), stacksBlocks: 0 }]
    for (const o of ingestRuns) {
      const r = await runIngest(o, pg)
      summary.push(`ingest ${o.tokens.toLocaleString('en-US')} tokens: end to end / (getLogs + decode) = ${pct(r.ratio)} (target >= 50%)`)
    }
    const p = await runPipeline(pipelineOptions(argv), pg)
    summary.push(`pipeline, 1 worker at the smallest size: ${pct(p.ratio)} of the concurrency bound (target >= 80%)`)
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    await pg.stop()
    process.exit(1)
  }
  await pg.stop()
  log(`all parts done in ${((Date.now() - started) / 60_000).toFixed(1)} min`)
  for (const s of summary) log(s)
}

const hardLimit = setTimeout(() => {
  process.stderr.write('bench: 40 minute limit reached, exiting\n')
  process.exit(3)
}, 40 * 60_000)
hardLimit.unref()
main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(1)
  },
)
