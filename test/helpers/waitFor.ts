/**
 * The one way tests, drills and benchmarks wait: poll a probe until it returns a value (anything
 * but undefined or false), and fail with what was awaited after `timeoutMs`. The timeout is a
 * safety net for a hang, never the thing under test.
 *
 * `retryOnError`: a probe that throws counts as "not yet" (a process still starting, a database
 * restarting), and the last error is named when time runs out; otherwise the error ends the wait.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 100,
  describe?: () => string | Promise<string>,
  retryOnError = false,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch (e) {
      if (!retryOnError) throw e
      lastError = e
    }
    if (Date.now() > deadline) {
      const cause = lastError ? ` (last probe error: ${(lastError as Error).message ?? String(lastError)})` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${describe ? `\n${await describe()}` : ''}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
