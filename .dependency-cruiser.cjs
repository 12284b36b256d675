// Import direction between the folders of src/ (docs/architecture.md §8), checked by
// `npm run lint` (part of `npm test`). Each rule names a folder and the src/ folders it may
// import; anything else under src/ is an error. Nothing in src/ imports the devnet (devnet/, the
// local chains and `npm run dev`). Packages (node_modules) are not restricted, except that
// devnet/, bench/ and test/drills/ (which run outside vitest) must not reach vitest.
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
  main: ['main', 'api', 'chains', 'config', 'core', 'ingest', 'lib', 'metadata', 'media', 'queue', 'store', 'model', 'cli'],
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
      name: 'src-never-imports-devnet',
      comment: 'the devnet serves npm run dev, the tests, benchmarks and drills: no production module imports it',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^devnet/' },
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
      name: 'devnet-imports',
      comment: 'devnet/ is built on its own for npm run dev (devnet/tsconfig.json): it may import src/ and itself, not the tests or benchmarks',
      severity: 'error',
      from: { path: '^devnet/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'devnet-without-vitest',
      comment: 'npm run dev runs the devnet outside vitest (and without the test harness): nothing it imports may import vitest',
      severity: 'error',
      from: { path: '^devnet/' },
      to: { path: '(^|/)node_modules/vitest/', reachable: true },
    },
    {
      name: 'no-circular',
      comment: 'modules that import each other (directly or through others)',
      severity: 'error',
      from: { path: '^(src|devnet)/' },
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
