// Import direction between the folders of src/ (docs/architecture.md §8), checked by
// `npm run lint` (part of `npm test`). Each rule names a folder and the src/ folders it may
// import; anything else under src/ is an error. Packages (node_modules) are not restricted, except
// that bench/ and test/drills/ (which run outside vitest) must not reach vitest.
const MAY_IMPORT = {
  lib: ['lib'],
  core: ['core', 'lib'],
  config: ['config', 'core', 'lib'],
  abi: ['abi'],
  model: ['model'],
  chains: ['chains', 'core', 'lib', 'abi', 'config'],
  metadata: ['metadata', 'core', 'lib'],
  media: ['media', 'metadata', 'core', 'lib', 'config'],
  store: ['store', 'core', 'lib', 'model', 'metadata', 'media'],
  queue: ['queue', 'store', 'core', 'lib', 'config', 'metadata', 'media'],
  ingest: ['ingest', 'store', 'core', 'lib', 'model', 'chains'],
  api: ['api', 'store', 'core', 'lib', 'config', 'metadata', 'model', 'media'],
  cli: ['cli', 'store', 'core', 'lib', 'config', 'metadata', 'chains'],
  devnet: ['devnet', 'chains', 'metadata', 'media', 'core', 'lib', 'abi', 'config'],
  main: ['main', 'api', 'chains', 'config', 'core', 'devnet', 'ingest', 'lib', 'metadata', 'media', 'queue', 'store', 'model', 'cli'],
}

const folders = Object.keys(MAY_IMPORT)

module.exports = {
  forbidden: [
    ...folders.map((folder) => ({
      name: `${folder}-imports`,
      comment: `src/${folder} may import only src/{${MAY_IMPORT[folder].join(',')}}`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: '^src/', pathNot: `^src/(${MAY_IMPORT[folder].join('|')})/` },
    })),
    {
      name: 'devnet-only-in-dev',
      comment: 'the devnet serves npm run dev and the tests: no production module imports it (main/dev.ts is the dev entry point)',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/devnet/', '^src/main/dev\\.ts$', '^src/main/devConsole\\.ts$'] },
      to: { path: '^src/devnet/' },
    },
    {
      name: 'no-unknown-folder',
      comment: 'a new folder under src/ needs its row in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${folders.join('|')})/` },
      to: {},
    },
    {
      name: 'harness-without-vitest',
      comment: 'the benchmarks and the drill CLI run outside vitest: nothing they import (the harness in test/helpers included) may import vitest',
      severity: 'error',
      from: { path: '^(bench|test/drills)/' },
      to: { path: '(^|/)node_modules/vitest/', reachable: true },
    },
    {
      name: 'no-circular',
      comment: 'modules that import each other (directly or through others)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^src/model/generated/' },
  },
}
