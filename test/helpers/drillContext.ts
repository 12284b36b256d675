/**
 * vitest wrapper for the reliability drills (test/drills): one DrillContext per test file (its own
 * embedded Postgres, hardhat node and Stacks simulator, started on first use), and an assertion
 * that names every failed check with the drill's log directory and recent progress lines.
 */
import fs from 'node:fs'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { DrillContext } from '../drills/context'
import type { DrillResult } from '../drills/report'
import { memorySink } from '../drills/runtime'

let failed = false

export interface DrillHandle {
  readonly ctx: DrillContext
  readonly progress: string[]
}

export function useDrillContext(seed = 20261121): DrillHandle {
  let ctx: DrillContext | undefined
  const sink = memorySink(300)
  beforeAll(async () => {
    ctx = await DrillContext.create({ profile: 'test', seed, log: sink })
  })
  afterEach(({ task }) => {
    if (task.result?.state !== 'pass') failed = true
  })
  afterAll(async () => {
    await ctx?.close()
    // The processes' logs are kept when a drill failed (the failure message names the directory).
    if (ctx && !failed) fs.rmSync(ctx.runDir, { recursive: true, force: true })
  })
  return {
    get ctx(): DrillContext {
      if (!ctx) throw new Error('the drill context is not started (use it inside tests)')
      return ctx
    },
    get progress() {
      return sink.lines
    },
  }
}

/** Fails with every failed check, where the processes' logs are, and the drill's last progress lines. */
export function expectChecksPassed(r: DrillResult, progress: string[]): void {
  const bad = r.checks.filter((c) => !c.ok).map((c) => `- ${c.name}: ${c.detail}`)
  const message = `${r.drill}: ${bad.length} check(s) failed\n${bad.join('\n')}\nlost: ${r.lost}\nprocess logs: ${r.logDir}\n${progress.slice(-15).join('\n')}`
  expect(bad, message).toEqual([])
}
