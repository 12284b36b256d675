#!/usr/bin/env node
// Generates a migration from the compiled model (run `npm run build` first) against a throw-away
// embedded Postgres that has every existing migration applied, then fixes the generated down():
// squid-typeorm-migration 1.3.0 writes down() statements in the same order as up(), so a
// down() would drop a table before the constraints that reference it. We reverse them.
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { startEmbeddedPostgres } = require('../lib/lib/embeddedPostgres')
const { openDataSource, migrate, MIGRATIONS_DIR } = require('../lib/store/dataSource')

async function main() {
  const name = process.argv[2] || 'Data'
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-migration-'))
  fs.chmodSync(dataDir, 0o755) // Postgres runs as the postgres user when we are root
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), ephemeral: true })
  try {
    const ds = await openDataSource(pg.url)
    await migrate(ds)
    await ds.destroy()
    const before = new Set(fs.readdirSync(MIGRATIONS_DIR))
    execFileSync('npx', ['squid-typeorm-migration', 'generate', '--name', name], {
      stdio: 'inherit',
      env: { ...process.env, DB_URL: pg.url },
    })
    for (const file of fs.readdirSync(MIGRATIONS_DIR).filter((f) => !before.has(f))) {
      reverseDown(path.join(MIGRATIONS_DIR, file))
      console.log(`generated ${file} (down() reversed)`)
    }
  } finally {
    await pg.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

function reverseDown(file) {
  const src = fs.readFileSync(file, 'utf8')
  const fixed = src.replace(/(async down\(db\) \{\n)([\s\S]*?)(\n\s*\})/, (_, head, body, tail) => {
    const lines = body.split('\n').filter((l) => l.trim().length > 0)
    return head + lines.reverse().join('\n') + tail
  })
  fs.writeFileSync(file, fixed)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
