/**
 * The production roles as a drill runs them: environment shared by every process of one indexer
 * deployment (one database), and the role specs (processors, workers, the API) for a Fleet.
 */
import type { Fleet, RoleProcess, RoleSpec } from './processes'
import { waitFor } from './runtime'

export interface DeploymentEnv {
  databaseUrl: string
  /** EVM_CHAINS JSON, if an EVM processor or chain reads are wanted */
  evmChains?: string
  stacksApiUrl?: string
  stacksChain?: string
  /** host:port entries the fetcher may reach on 127.0.0.1 */
  allowHosts: string[]
  extra?: Record<string, string>
}

export function deploymentEnv(d: DeploymentEnv): Record<string, string> {
  return {
    DATABASE_URL: d.databaseUrl,
    ...(d.evmChains ? { EVM_CHAINS: d.evmChains } : {}),
    ...(d.stacksApiUrl ? { STACKS_API_URL: d.stacksApiUrl, STACKS_POLL_MS: '100' } : {}),
    ...(d.stacksChain ? { STACKS_CHAIN: d.stacksChain } : {}),
    FETCH_ALLOW_HOSTS: d.allowHosts.join(','),
    JOB_LEASE_SECONDS: '5',
    JOB_BACKOFF_BASE_MS: '200',
    JOB_BACKOFF_MAX_MS: '5000',
    FETCH_TIMEOUT_MS: '5000',
    DB_POOL_SIZE: '5',
    // Nothing may leave 127.0.0.1: ipfs:// and ar:// URIs go to a closed local port, not the defaults.
    IPFS_GATEWAY: 'http://127.0.0.1:9',
    ARWEAVE_GATEWAY: 'http://127.0.0.1:9',
    // Drills probe the API from one address far past an explorer's rate; the abuse drill sets its own limits.
    READ_LIMIT_PER_IP: '100000000',
    // The drills audit the metadata pipeline's jobs; media jobs (their own lane) are measured by bench:media.
    MEDIA_CACHE: 'false',
    ...d.extra,
  }
}

export interface FleetPlan {
  env: Record<string, string>
  evmProcessor?: boolean
  stacksProcessor?: boolean
  workers: number
  workerEnv?: Record<string, string>
  apiPort?: number
  restartDelayMs?: RoleSpec['restartDelayMs']
}

export function roleSpecs(p: FleetPlan): RoleSpec[] {
  const specs: RoleSpec[] = []
  const base = { restart: 'always' as const, restartDelayMs: p.restartDelayMs }
  if (p.evmProcessor) specs.push({ ...base, name: 'evm-processor', script: 'evm-processor', args: ['eip155:31337'], env: p.env })
  if (p.stacksProcessor) specs.push({ ...base, name: 'stacks-processor', script: 'stacks-processor', env: p.env })
  for (let i = 1; i <= p.workers; i++) specs.push({ ...base, name: `worker-${i}`, script: 'worker', env: { ...p.env, ...p.workerEnv } })
  if (p.apiPort !== undefined) specs.push({ ...base, name: 'api', script: 'api', env: { ...p.env, API_PORT: String(p.apiPort), API_HOST: '127.0.0.1' } })
  return specs
}

/** Adds the API role (never restarted) to a fleet on `port`, starts it and waits until /health answers 200. */
export async function startApiRole(fleet: Fleet, env: Record<string, string>, port: number): Promise<{ api: RoleProcess; base: string }> {
  const [apiSpec] = roleSpecs({ env, workers: 0, apiPort: port })
  const api = fleet.add({ ...apiSpec, restart: 'never' })
  api.start()
  const base = `http://127.0.0.1:${port}`
  await waitFor(
    'the API to listen',
    async () => (await fetch(`${base}/health`)).status === 200,
    60_000,
    200,
    () => api.tail(),
  )
  return { api, base }
}
