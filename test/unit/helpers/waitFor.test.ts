import { describe, expect, it } from 'vitest'
import { DEADLINE_MARGIN_MS, waitFor } from '../../helpers/waitFor'

describe('waitFor inside a test', () => {
  it("gives up before the test's own timeout, naming what it waited for and what it last saw", { timeout: DEADLINE_MARGIN_MS + 1_000 }, async () => {
    const waited = waitFor(
      'a value that never comes',
      async () => false,
      60_000,
      50,
      () => 'last seen: nothing',
    )
    const cut = `\\(${DEADLINE_MARGIN_MS} ms before the test's ${DEADLINE_MARGIN_MS + 1_000} ms timeout\\)`
    await expect(waited).rejects.toThrow(new RegExp(`^timed out after \\d+ ms ${cut} waiting for a value that never comes\nlast seen: nothing$`))
  })

  it('keeps its own timeout when that comes before the test timeout', async () => {
    await expect(waitFor('a quick give-up', async () => undefined, 200, 20)).rejects.toThrow(/^timed out after 200 ms waiting for a quick give-up$/)
  })

  it('returns the first value the probe gives', async () => {
    let n = 0
    expect(await waitFor('the third probe', async () => (++n >= 3 ? n : undefined), 60_000, 1)).toBe(3)
  })
})
