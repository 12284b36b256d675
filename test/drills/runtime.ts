/**
 * Plumbing shared by every reliability drill: where the repository is, a seeded random source,
 * bounded waits, and a log sink. The processes under test run from lib/ (test/helpers/processes).
 *
 * The drills run both from `npm run drill` (tsc output in .cache/drill) and inside vitest
 * (test/e2e/drills.test.ts); what they use of src/ they import (type-checked), and each host
 * loads it its own way (tsc's copy in .cache/drill/src, vitest's transform of src/).
 */
import { packageRoot } from '../../src/lib/packageRoot'
import { waitFor as waitForProbe } from '../helpers/waitFor'

export const ROOT = packageRoot()

// Seeded randomness: every choice a drill makes (victims, moments, depths, fuzz cases) comes from
// one stream of the harness's rng, so a failing run is replayed with the same --seed.
export { rng, type Rng } from '../helpers/prng'

// ---------------------------------------------------------------------------------------------
// Time

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)))

/** Polls `probe` (errors count as "not yet") until it returns a value; throws after `timeoutMs`. */
export function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 100, describe?: () => string | Promise<string>): Promise<T> {
  return waitForProbe(what, probe, timeoutMs, intervalMs, describe, true)
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n)
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

// ---------------------------------------------------------------------------------------------
// Logging: the CLI prints progress, the e2e test keeps it for failure messages.

export type LogSink = (line: string) => void

export function consoleSink(prefix = ''): LogSink {
  return (line) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${prefix}${line}\n`)
}

export function memorySink(keep = 400): LogSink & { lines: string[] } {
  const lines: string[] = []
  const sink = ((line: string) => {
    lines.push(`[${new Date().toISOString().slice(11, 23)}] ${line}`)
    if (lines.length > keep) lines.splice(0, lines.length - keep)
  }) as LogSink & { lines: string[] }
  sink.lines = lines
  return sink
}
