/** When the running test will be timed out (set by the vitest setup file test/helpers/testDeadline.ts). */
export interface TestDeadline {
  at: number
  timeoutMs: number
}

/** How long before the test's own timeout a wait gives up, so its diagnostic is what the test reports. */
export const DEADLINE_MARGIN_MS = 3_000

// On globalThis: this module stays free of vitest (benchmarks and drills use it outside vitest).
const DEADLINE_SLOT = Symbol.for('token-metadata-squid.testDeadline')
type DeadlineHolder = { [DEADLINE_SLOT]?: TestDeadline }

export function setTestDeadline(deadline: TestDeadline | undefined): void {
  ;(globalThis as DeadlineHolder)[DEADLINE_SLOT] = deadline
}

/** The wait's end: its own timeout, or earlier when the running test would be timed out first. */
function waitDeadline(timeoutMs: number): { at: number; cut?: TestDeadline } {
  const own = Date.now() + timeoutMs
  const test = (globalThis as DeadlineHolder)[DEADLINE_SLOT]
  if (!test || test.at - DEADLINE_MARGIN_MS >= own) return { at: own }
  return { at: test.at - DEADLINE_MARGIN_MS, cut: test }
}

/**
 * The one way tests, drills and benchmarks wait: poll a probe until it returns a value (anything
 * but undefined or false), and fail with what was awaited after `timeoutMs`. The timeout is a
 * safety net for a hang, never the thing under test.
 *
 * `retryOnError`: a probe that throws counts as "not yet" (a process still starting, a database
 * restarting), and the last error is named when time runs out; otherwise the error ends the wait.
 *
 * Inside a vitest test the wait ends DEADLINE_MARGIN_MS before the test's own timeout when that
 * comes first, with the same diagnostic.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 100,
  describe?: () => string | Promise<string>,
  retryOnError = false,
): Promise<T> {
  const started = Date.now()
  const deadline = waitDeadline(timeoutMs)
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch (e) {
      if (!retryOnError) throw e
      lastError = e
    }
    if (Date.now() > deadline.at) {
      const cause = lastError ? ` (last probe error: ${(lastError as Error).message ?? String(lastError)})` : ''
      const limit = deadline.cut ? `${Date.now() - started} ms (${DEADLINE_MARGIN_MS} ms before the test's ${deadline.cut.timeoutMs} ms timeout)` : `${timeoutMs} ms`
      throw new Error(`timed out after ${limit} waiting for ${what}${cause}${describe ? `\n${await describe()}` : ''}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
