/** The markdown report of `npm run bench:peers`: one table per part, each peer next to ours. */
import { fmt, mb, mdTable } from '../common'
import type { GraphqlPart } from './graphql'
import type { IngestPart } from './ingest'
import type { PeerVersions } from './install'
import type { PipelinePart } from './pipeline'

export interface PeersResult {
  versions: PeerVersions
  ingest?: IngestPart
  pipeline?: PipelinePart
  graphql?: GraphqlPart
  times: Record<string, number>
}

const ratio = (ours: number, peer: number) => `${(ours / peer).toFixed(2)}x`

function ingestTable(p: IngestPart, v: PeerVersions): string {
  const events = p.mints + p.transfers
  const ours = p.runs[0]
  const version: Record<string, string> = {
    'plain squid': `@subsquid/evm-processor ${v.evmProcessor}, typeorm-store ${v.typeormStore}`,
    Ponder: `ponder ${v.ponder}`,
  }
  const rows = p.runs.map((r) => [
    r.indexer,
    version[r.indexer] ?? 'this tree',
    `**${fmt(events / r.seconds)}**`,
    r.seconds.toFixed(2),
    `${r.startupSeconds.toFixed(2)} (${fmt(events / (r.seconds - r.startupSeconds))} events/s after)`,
    mb(r.hwmKb),
    `${r.cpu.indexer.toFixed(1)} / ${r.cpu.postgres.toFixed(1)} / ${r.cpu.hardhat.toFixed(1)}`,
    r === ours ? '' : `${ratio(events / ours.seconds, events / r.seconds)} / ${ratio(ours.hwmKb, r.hwmKb)}`,
  ])
  return [
    `**Ingest.** ${fmt(p.mints)} ERC-721 mints + ${fmt(p.transfers)} transfers of minted ids (${fmt(events)} Transfer events, ${fmt(p.blocks)} blocks, bench/emitterChain.ts, 1,000 per transaction and block, then 30 empty blocks so every event is final for all three; emitted in ${p.emitSeconds.toFixed(1)} s) on one local hardhat node; ` +
      `each indexer from spawn to indexed height = head, into its own empty database on the same Postgres, then checked: ${fmt(p.mints)} token rows, ${fmt(p.transfers)} of them owned by the recipient. ` +
      `Ours also writes a metadata job per token (its design); the peers write only the token-owner rows.`,
    '',
    mdTable(['indexer', 'version', 'events/s', 'seconds', 'start-up s (rate after it)', 'peak RSS', 'CPU s: indexer / postgres / hardhat', 'ours / peer: events/s, RSS'], rows),
  ].join('\n')
}

function pipelineTable(p: PipelinePart, v: PeerVersions): string {
  const ours = p.runs[0]
  const perJob = (r: PipelinePart['runs'][number]) => ((r.cpu.worker + r.cpu.postgres + r.cpu.host) * 1000) / r.jobs
  const rows = p.runs.map((r) => [
    r === ours ? r.queue : `${r.queue}, graphile-worker ${v.graphileWorker}`,
    `**${fmt(r.jobs / r.seconds)}**`,
    r.seconds.toFixed(2),
    `**${perJob(r).toFixed(2)}**`,
    `${((r.cpu.worker * 1000) / r.jobs).toFixed(2)} / ${((r.cpu.postgres * 1000) / r.jobs).toFixed(2)} / ${((r.cpu.host * 1000) / r.jobs).toFixed(2)}`,
    r.xactsPerJob.toFixed(2),
    mb(r.hwmKb),
    r === ours ? '' : `${ratio(ours.jobs / ours.seconds, r.jobs / r.seconds)} / ${ratio(perJob(ours), perJob(r))}`,
  ])
  return [
    `**Pipeline.** ${fmt(ours.jobs)} metadata jobs (${fmt(p.tokens)} tokens + their contracts; bench/pipeline.ts stub variant: token URIs from the stub RPC, documents from the local host at ${p.latencyMs} ms), one worker process each at concurrency ${p.concurrency}, ` +
      `each on its own copy of the same queued database. graphile-worker runs our handler and store code (bench/peers/app/graphile/worker.ts) with its defaults; its time is from enqueueing the jobs to an empty queue, ours from the first claim to the last finished_at. CPU ms per job sums the worker process (whole life, start-up included, on both sides), Postgres and the host processes (from the first job on).`,
    '',
    mdTable(
      ['queue', 'jobs/s', 'seconds', 'CPU ms per job', 'of which worker / postgres / host', 'transactions per job', 'worker peak RSS', 'ours / peer: jobs/s, CPU per job'],
      rows,
    ),
  ].join('\n')
}

function graphqlTable(p: GraphqlPart, v: PeerVersions): string {
  const f = (n: number) => (n >= 100 ? fmt(n) : n.toFixed(1))
  const cell = (r: GraphqlPart['rows'][number]['ours']) =>
    `**${f(r.perSecond)}** (p50 ${r.p50}, p99 ${r.p99})${r.failures ? ` [${fmt(r.failures)} non-2xx]` : ''}; CPU ${r.cpuMs.server.toFixed(2)} + ${r.cpuMs.postgres.toFixed(2)} ms`
  const rows = p.rows.map((r) => [r.query, cell(r.ours), cell(r.peer), ratio(r.ours.perSecond, r.peer.perSecond)])
  return [
    `**GraphQL reads.** One database of ${fmt(p.tokens)} tokens (bench/apiFixture.ts, filled in ${p.fillSeconds.toFixed(0)} s), our API vs @subsquid/graphql-server ${v.graphqlServer} generated from our schema.graphql, one after the other; ` +
      `32 connections, pool 10 on both, ${p.seconds} s of autocannon per query after a warm-up; the same fields and random ids on both sides (bench/peers/graphql.ts). CPU: milliseconds per request of the server process + Postgres (over the measured seconds and httpRate's 2 s warm-up).`,
    '',
    mdTable(['query', 'ours: req/s (latency ms); CPU per request', '@subsquid/graphql-server: req/s (latency ms); CPU per request', 'ours / peer req/s'], rows),
  ].join('\n')
}

export function peersReport(r: PeersResult): string {
  const parts: string[] = []
  if (r.ingest) parts.push(ingestTable(r.ingest, r.versions))
  if (r.pipeline) parts.push(pipelineTable(r.pipeline, r.versions))
  if (r.graphql) parts.push(graphqlTable(r.graphql, r.versions))
  const total = Object.values(r.times).reduce((a, b) => a + b, 0)
  parts.push(
    `Wall time per part: ${Object.entries(r.times)
      .map(([k, s]) => `${k} ${s.toFixed(0)} s`)
      .join(', ')}; total ${(total / 60).toFixed(1)} min (target < 15 min).`,
  )
  return parts.join('\n\n')
}
