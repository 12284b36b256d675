import type { DataSource } from 'typeorm'
import type { Config } from '../config'
import type { ChainReader } from '../core/chainReader'
import { evmHeadReader } from '../chains/evm/chainHead'
import { EvmReader } from '../chains/evm/evmReader'
import { createStacksBlockSource } from '../chains/stacks/blockSource'
import type { ContractInterface } from '../chains/stacks/apiTypes'
import type { RetryPolicy } from '../chains/stacks/http'
import { getContractInterface } from '../chains/stacks/readOnly'
import { StacksReader } from '../chains/stacks/stacksReader'
import { RequestBudget } from '../lib/requestBudget'
import { StacksContractInterfaces } from '../store/stacksContractInterfaces'
import { SafeAgent } from '../metadata/fetcher/safeFetch'
import type { MetadataLoaderOptions } from '../metadata/loadMetadata'

/** How one process reaches the Stacks API: the key header, and the one request budget every read of the process takes from. */
export interface StacksApiAccess {
  url: string
  headers: Record<string, string>
  budget: RequestBudget
}

/** The process's Stacks API access (undefined without STACKS_API_URL); create it once per process. */
export function stacksApiAccess(config: Config, requestsPerMinute: number): StacksApiAccess | undefined {
  if (!config.STACKS_API_URL) return undefined
  return {
    url: config.STACKS_API_URL,
    headers: config.STACKS_API_KEY ? { 'x-api-key': config.STACKS_API_KEY } : {},
    budget: new RequestBudget({ perMinute: requestsPerMinute }),
  }
}

/** Contract interfaces through the shared Postgres cache; `retry` is the caller's policy for the one request a contract costs. */
export function stacksInterfaces(ds: DataSource, config: Config, api: StacksApiAccess | undefined, retry?: Partial<RetryPolicy>): StacksContractInterfaces<ContractInterface> {
  // with no API, only the interfaces stored earlier (a node stream's contract_abi) are known
  return new StacksContractInterfaces(
    ds,
    config.STACKS_CHAIN,
    api ? (id) => getContractInterface(api.url, id, { headers: api.headers, budget: api.budget, retry }) : async () => undefined,
  )
}

/**
 * One chain reader per configured chain (EVM JSON-RPC, Stacks read-only calls). Stacks reads take
 * from `stacks` (default: a budget of STACKS_WORKER_REQUESTS_PER_MINUTE for this process) and,
 * given a database, read interfaces through the shared cache.
 */
export function buildChainReaders(config: Config, opts: { ds?: DataSource; stacks?: StacksApiAccess } = {}): Map<string, ChainReader> {
  const readers = new Map<string, ChainReader>()
  for (const c of config.EVM_CHAINS) readers.set(c.chain, new EvmReader({ rpcUrl: c.rpcUrl, timeoutMs: config.FETCH_TIMEOUT_MS, batchWaitMs: 1 }))
  const stacks = opts.stacks ?? stacksApiAccess(config, config.STACKS_WORKER_REQUESTS_PER_MINUTE)
  if (stacks) {
    const cache = opts.ds ? stacksInterfaces(opts.ds, config, stacks) : undefined
    readers.set(
      config.STACKS_CHAIN,
      new StacksReader({
        baseUrl: stacks.url,
        request: { headers: stacks.headers, budget: stacks.budget },
        ...(cache ? { interfaces: (id: string) => cache.get(id) } : {}),
      }),
    )
  }
  return readers
}

/** A chain-head read per configured chain (EVM eth_blockNumber, the Stacks tip), for the workers' HeadWatch. */
export function buildHeadReaders(config: Config, stacks?: StacksApiAccess): Map<string, () => Promise<number>> {
  const heads = new Map<string, () => Promise<number>>()
  for (const c of config.EVM_CHAINS) heads.set(c.chain, evmHeadReader(c.rpcUrl, config.FETCH_TIMEOUT_MS))
  const api = stacks ?? stacksApiAccess(config, config.STACKS_WORKER_REQUESTS_PER_MINUTE)
  if (api) {
    const source = createStacksBlockSource({
      baseUrl: api.url,
      headers: api.headers,
      budget: api.budget,
      retry: { retries: 0, timeoutMs: config.FETCH_TIMEOUT_MS, patientOnRateLimit: false },
    })
    heads.set(config.STACKS_CHAIN, async () => (await source.getTip()).height)
  }
  return heads
}

/** The metadata loader as configured: one keep-alive agent with the IP policy, gateways, caps. */
export function buildLoaderOptions(config: Config, extraAllow: readonly string[] = []): Omit<MetadataLoaderOptions, 'withHost'> {
  return {
    agent: new SafeAgent({ allow: [...config.FETCH_ALLOW_HOSTS, ...extraAllow], connections: config.HOST_MAX_CONCURRENCY, connectTimeoutMs: config.FETCH_TIMEOUT_MS }),
    gateways: { ipfsGateway: config.IPFS_GATEWAY, arweaveGateway: config.ARWEAVE_GATEWAY, rewriteGateways: [...config.IPFS_REWRITE_GATEWAYS] },
    timeoutMs: config.FETCH_TIMEOUT_MS,
    maxBytes: config.FETCH_MAX_BYTES,
    maxRedirects: config.FETCH_MAX_REDIRECTS,
  }
}
