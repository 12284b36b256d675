import type { Config } from '../config'
import type { ChainReader } from '../core/chainReader'
import { evmHeadReader } from '../chains/evm/chainHead'
import { EvmReader } from '../chains/evm/evmReader'
import { createStacksBlockSource } from '../chains/stacks/blockSource'
import { StacksReader } from '../chains/stacks/stacksReader'
import { SafeAgent } from '../metadata/fetcher/safeFetch'
import type { MetadataLoaderOptions } from '../metadata/loadMetadata'

/** One chain reader per configured chain (EVM JSON-RPC, Stacks read-only calls). */
export function buildChainReaders(config: Config): Map<string, ChainReader> {
  const readers = new Map<string, ChainReader>()
  for (const c of config.EVM_CHAINS) readers.set(c.chain, new EvmReader({ rpcUrl: c.rpcUrl, timeoutMs: config.FETCH_TIMEOUT_MS, batchWaitMs: 1 }))
  if (config.STACKS_API_URL) readers.set(config.STACKS_CHAIN, new StacksReader({ baseUrl: config.STACKS_API_URL }))
  return readers
}

/** A chain-head read per configured chain (EVM eth_blockNumber, the Stacks tip), for the workers' HeadWatch. */
export function buildHeadReaders(config: Config): Map<string, () => Promise<number>> {
  const heads = new Map<string, () => Promise<number>>()
  for (const c of config.EVM_CHAINS) heads.set(c.chain, evmHeadReader(c.rpcUrl, config.FETCH_TIMEOUT_MS))
  if (config.STACKS_API_URL) {
    const source = createStacksBlockSource({ baseUrl: config.STACKS_API_URL, retry: { retries: 0, timeoutMs: config.FETCH_TIMEOUT_MS } })
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
