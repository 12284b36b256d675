/**
 * The deployment the crash and database-restart drills run: a collection on the local chain whose
 * documents `host` serves, a database with the done audit installed, and the environment of its
 * processes (a port for the API included).
 */
import { freePort } from '../../src/lib/net'
import type { MetadataHost } from '../helpers/metadataHost'
import { installDoneAudit } from './audit'
import { evmChainsEnv, type EvmChain } from './chains'
import type { DrillContext } from './context'
import { DrillCollection } from './evmCollection'
import type { DrillDb } from './postgres'
import { deploymentEnv } from './roles'

export interface AuditedDeployment {
  col: DrillCollection
  db: DrillDb
  env: Record<string, string>
  apiPort: number
}

export async function auditedDeployment(
  ctx: DrillContext,
  chain: EvmChain,
  host: MetadataHost,
  opts: { label: string; database: string; delayMs: (id: number) => number; workerConcurrency: number },
): Promise<AuditedDeployment> {
  const col = await DrillCollection.deploy(chain, host, opts.label, { delayMs: opts.delayMs })
  const chainsEnv = evmChainsEnv(chain.rpcUrl, { finality: 5, startBlock: col.deployBlock, contracts: [col.address] })
  const apiPort = await freePort()
  const db = await ctx.pg.createDatabase(opts.database)
  try {
    await installDoneAudit(db)
  } catch (e) {
    await db.close()
    throw e
  }
  const env = deploymentEnv({
    databaseUrl: db.url,
    evmChains: chainsEnv,
    allowHosts: [`127.0.0.1:${host.port}`],
    extra: { WORKER_CONCURRENCY: String(opts.workerConcurrency), HOST_MAX_CONCURRENCY: '32' },
  })
  return { col, db, env, apiPort }
}
