/**
 * `npm run bench`: every part on one embedded Postgres (or DATABASE_URL), sized so the whole run
 * takes ~13 min on 2 quiet cores (the drills take another ~8; the budget for both is 30):
 *   ingest   100,000 tokens (+ Stacks block source and processor over 2,000 blocks);
 *   pipeline 10,000 tokens with 1/2/4 workers (chain and stub variants) and 100,000 with 1 worker;
 *   scale    10^4 / 10^5 / 10^6 tokens: ingest, job claims, API latency; table and PNG chart;
 *   api      the routes on scale's 10^6-token database (filled once for both), 5 s per route
 *            (bench:api alone: its own database, 10 s per route).
 * `--quick`: ingest 20,000 (+ 500 Stacks blocks), pipeline 10,000 with 1 and 2 workers, scale
 * 10^4 / 10^5 with api on the 10^5 database, 3 s per route. The refresh benchmark stays separate
 * (npm run bench:refresh).
 * Other options go to the ingest and pipeline parts (e.g. --profile); --no-md to every part. Each
 * part writes its own report under bench/results/; the time of each part and the total are printed
 * at the end.
 */
import { apiOptions, runApi } from './api'
import { dropDatabase, log, parseArgs, pct, startPostgres, type PgServer, runBenchMain } from './common'
import { ingestOptions, runIngest } from './ingest'
import { pipelineOptions, runPipeline } from './pipeline'
import { runScale, scaleOptions } from './scale'

interface Part {
  name: string
  run: (pg: PgServer) => Promise<string>
}

function parts(argv: string[]): Part[] {
  const a = parseArgs(argv)
  const quick = a.flags.has('quick')
  const common = [...(quick ? ['--quick'] : []), ...(a.flags.has('no-md') ? ['--no-md'] : [])]
  const seconds = quick ? '3' : '5'
  let apiDatabase: Awaited<ReturnType<typeof runScale>>['apiDatabase']
  return [
    {
      name: 'ingest',
      run: async (pg) => {
        const o = ingestOptions(argv)
        const r = await runIngest(o, pg)
        return `ingest ${o.tokens.toLocaleString('en-US')} tokens: end to end / (getLogs + decode) = ${pct(r.ratio)} (target >= 50%)`
      },
    },
    {
      name: 'pipeline',
      run: async (pg) => {
        const o = pipelineOptions(argv)
        const r = await runPipeline(o, pg)
        return `pipeline, 1 worker at ${Math.min(...o.sizes).toLocaleString('en-US')} tokens: ${pct(r.ratio)} of the concurrency bound (target >= 80%)`
      },
    },
    {
      name: 'scale',
      run: async (pg) => {
        const r = await runScale(scaleOptions([...common, '--seconds', seconds]), pg, true)
        apiDatabase = r.apiDatabase
        return r.summary
      },
    },
    {
      name: 'api',
      run: async (pg) => {
        if (!apiDatabase) throw new Error('the scale part left no API database')
        try {
          const r = await runApi({ ...apiOptions([...common, '--seconds', seconds]), shape: apiDatabase.shape }, pg, apiDatabase.url)
          return r.summary
        } finally {
          await dropDatabase(pg, apiDatabase.name)
        }
      },
    },
  ]
}

async function main(): Promise<void> {
  const started = Date.now()
  const minutes = (since: number) => `${((Date.now() - since) / 60_000).toFixed(1)} min`
  const pg = await startPostgres()
  const summary: string[] = []
  try {
    for (const part of parts(process.argv.slice(2))) {
      const t = Date.now()
      log(`=== ${part.name}`)
      const line = await part.run(pg)
      summary.push(`${part.name.padEnd(9)} ${minutes(t).padStart(8)}  ${line}`)
      log(`=== ${part.name} done in ${minutes(t)}`)
    }
  } finally {
    await pg.stop()
  }
  log(`all parts done in ${minutes(started)}`)
  for (const s of summary) log(s)
}

runBenchMain('bench', main, 40)
