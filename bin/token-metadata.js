#!/usr/bin/env node
'use strict'
// The `token-metadata` command. The CLI is TypeScript compiled to lib/ by `npm run build`.
let cli
try {
  cli = require('../lib/cli/main.js')
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('lib/cli/main.js')) {
    process.stderr.write('token-metadata: lib/cli/main.js is missing; run `npm run build` first\n')
    process.exit(1)
  }
  throw e
}
cli.main()
