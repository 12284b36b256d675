import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // type-graphql and graphql must share one graphql module instance (ESM vs CJS copies otherwise)
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The short reliability drills run after this suite, on their own (vitest.drills.config.mts,
    // the last step of `npm test`): they start many processes and time recoveries.
    exclude: ['test/e2e/drills.test.ts', '**/node_modules/**'],
    globalSetup: ['test/helpers/globalSetup.ts'],
    setupFiles: ['test/helpers/testDeadline.ts'],
    // A safety net for a hang, not a speed check: integration tests run real processes and chains,
    // and waits of 60-120 s for their state, on a 2-core CI machine that may be shared.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
})
