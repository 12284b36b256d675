// Lint rules for the whole repository (run by `npm run lint`, part of `npm test`). Formatting is
// Prettier's (.prettierrc.json); the import direction between src/ folders is dependency-cruiser's
// (.dependency-cruiser.cjs).
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['lib/**', '.cache/**', 'node_modules/**', 'src/model/generated/**', 'src/abi/**', 'coverage/**', 'contracts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Untrusted input is checked for control characters on purpose (ids, URIs, stored text).
      'no-control-regex': 'off',
    },
  },
  {
    // No SQL in the API or the processors' orchestration (docs/architecture.md §8): statements
    // live in their table's owning module in src/store; routes hand store functions to ctx.store.
    files: ['src/api/**', 'src/ingest/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='query']", message: 'No SQL here: call a store function (in src/api through ctx.store.read / ctx.store.run).' },
        { selector: "MemberExpression[property.name='manager']", message: 'No EntityManager here: a store function opens the transaction it needs.' },
      ],
    },
  },
  {
    // Tests and benchmarks read untyped JSON replies; `any` there is the shape of the wire.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The benchmarks' probes patch the compiled lib/ of the processes they measure, which only a
    // require by path reaches.
    files: ['bench/preload/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
