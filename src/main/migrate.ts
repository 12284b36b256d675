import 'reflect-metadata'
import { loadConfig } from '../config'
import { createLogger } from '../lib/logger'
import { Shutdown } from '../lib/shutdown'
import { openDatabase } from './database'
import { runMain } from './runMain'

/**
 * Applies pending migrations and exits: `node lib/main/migrate.js` (squid.yaml's deploy.init).
 * Every process also migrates at start (serialised by an advisory lock); this runs them once,
 * before the processes start, so a failing migration stops a deployment instead of its roles.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const log = createLogger(config.LOG_LEVEL).child({ role: 'migrate' })
  const shutdown = new Shutdown(log)
  await openDatabase(config, log, shutdown)
  await shutdown.run()
  log.info('database is up to date')
}

runMain(main)
