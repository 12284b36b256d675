import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // type-graphql and graphql must share one graphql module instance (ESM vs CJS copies otherwise)
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
})
