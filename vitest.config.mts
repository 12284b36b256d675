import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // type-graphql and graphql must share one graphql module instance (ESM vs CJS copies otherwise)
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The short reliability drills run on their own (`npm run test:drills`): in the full parallel
    // run on 2 cores two of their timing checks failed (see the closing note of issue 8).
    exclude: ['test/e2e/drills.test.ts', '**/node_modules/**'],
    globalSetup: ['test/helpers/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
})
