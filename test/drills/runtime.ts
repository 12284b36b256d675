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

// ---------------------------------------------------------------------------------------------
// Seeded randomness: every choice a drill makes (victims, moments, depths, fuzz cases) comes from
// one of these, so a failing run is replayed with the same --seed.

export interface Rng {
  /** [0, 1) */
  next(): number
  /** integer in [min, max] */
  int(min: number, max: number): number
  pick<T>(xs: readonly T[]): T
  chance(p: number): boolean
  /** an independent stream derived from this one (so adding draws in one place does not shift another) */
  fork(label: string): Rng
}

/** xoshiro128** seeded through splitmix32. */
export function rng(seed: number): Rng {
  let s = seed >>> 0
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  const st = [split(), split(), split(), split()]
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(st[1], 5) >>> 0, 7), 9) >>> 0
    const t = (st[1] << 9) >>> 0
    st[2] ^= st[0]
    st[3] ^= st[1]
    st[1] ^= st[2]
    st[0] ^= st[3]
    st[2] ^= t
    st[3] = rotl(st[3], 11)
    return result / 4294967296
  }
  const r: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
    fork: (label) => {
      let h = Math.floor(next() * 4294967296) >>> 0
      for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0
      return rng(h)
    },
  }
  return r
}

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
