/**
 * What a drill hands back: the figures of its runs, the faults it injected, every check with its
 * verdict, and what was lost (ideally nothing). Rendered as markdown for the run reports (bench/results/) and the
 * terminal; the e2e test asserts on `checks`.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ROOT, seconds } from './runtime'

export interface Check {
  name: string
  ok: boolean
  detail: string
}

export interface DrillResult {
  drill: string
  /** one line on what was run */
  setup: string
  durationMs: number
  /** measure, value, detail */
  figures: [string, string, string][]
  /** faults injected, in order (time offset, what) */
  faults: string[]
  checks: Check[]
  /** "nothing", or an honest account */
  lost: string
  /** where the processes' logs are */
  logDir: string
}

export function passed(r: DrillResult): boolean {
  return r.checks.every((c) => c.ok)
}

export function check(checks: Check[], name: string, ok: boolean, detail: string): boolean {
  checks.push({ name, ok, detail })
  return ok
}

export function mdTable(headers: string[], rows: (string | number)[][]): string {
  const cell = (c: string | number) => String(c).replace(/\|/g, '\\|').replace(/\n/g, ' ')
  const line = (cells: (string | number)[]) => `| ${cells.map(cell).join(' | ')} |`
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n')
}

/** Collapses a long fault list (e.g. ten kills) into a readable cell. */
function faultList(faults: string[], max = 14): string {
  if (faults.length <= max) return faults.join('; ')
  return `${faults.slice(0, max).join('; ')}; … and ${faults.length - max} more`
}

export function renderResult(r: DrillResult): string {
  const verdict = passed(r) ? 'PASS' : 'FAIL'
  const out: string[] = []
  out.push(`### ${r.drill}: ${verdict} (${seconds(r.durationMs)})`)
  out.push('')
  out.push(r.setup)
  out.push('')
  if (r.faults.length) {
    out.push(`Faults injected (${r.faults.length}): ${faultList(r.faults)}`)
    out.push('')
  }
  if (r.figures.length) {
    out.push(mdTable(['measure', 'value', 'detail'], r.figures))
    out.push('')
  }
  out.push(
    mdTable(
      ['check', 'result', 'detail'],
      r.checks.map((c) => [c.name, c.ok ? 'ok' : '**FAILED**', c.detail]),
    ),
  )
  out.push('')
  out.push(`Lost: ${r.lost}`)
  return out.join('\n')
}

export function summaryTable(results: DrillResult[]): string {
  return mdTable(
    ['drill', 'verdict', 'duration', 'faults', 'checks passed', 'lost'],
    results.map((r) => [r.drill, passed(r) ? 'PASS' : '**FAIL**', seconds(r.durationMs), r.faults.length, `${r.checks.filter((c) => c.ok).length}/${r.checks.length}`, r.lost]),
  )
}

/** Writes a drill run's report to `bench/results/<UTC stamp>-drills.md`; returns the path. */
export function writeDrillReport(section: string): string {
  const at = new Date()
  const file = path.join(ROOT, 'bench', 'results', `${at.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}-drills.md`)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, `${section.trimEnd()}\n`)
  return file
}
