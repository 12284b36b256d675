/**
 * Vitest setup file (setupFiles of vitest.config.mts and vitest.drills.config.mts): tells
 * waitFor when the running test will be timed out, so a wait that would outlast the test gives
 * up a little before it and fails with what it was waiting for and what it last saw, instead of
 * vitest's bare "Test timed out". Tests run one at a time in a file (no concurrent tests), so
 * one deadline at a time is enough. Hooks keep waitFor's own timeout (no test is running).
 */
import { afterEach, beforeEach } from 'vitest'
import { setTestDeadline } from './waitFor'

beforeEach((ctx) => {
  // The test's timer starts after its beforeEach hooks, so this deadline is, if anything, early.
  const timeout = ctx.task.timeout
  setTestDeadline(timeout > 0 && Number.isFinite(timeout) ? { at: Date.now() + timeout, timeoutMs: timeout } : undefined)
})

afterEach(() => setTestDeadline(undefined))
