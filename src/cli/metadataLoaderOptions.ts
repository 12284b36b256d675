import { ConfigError, type Config } from '../config'
import type { MetadataLoaderOptions } from '../metadata/loadMetadata'
import { parseAllowRule } from '../metadata/fetcher/ipPolicy'
import { SafeAgent } from '../metadata/fetcher/safeFetch'

export interface LoaderOverrides {
  /** Extra allow-list entries (already validated). */
  allow?: readonly string[]
  timeoutMs?: number
}

/** Loader options plus the agent they own, which the caller must destroy when done. */
export interface OwnedLoaderOptions {
  options: MetadataLoaderOptions
  agent: SafeAgent
}

/**
 * The metadata loader configured as a worker's: gateways, caps, deadline and allow-list from
 * Config, with the CLI's overrides on top. No `withHost`: one fetch needs no host politeness.
 */
export function metadataLoaderOptions(config: Config, overrides: LoaderOverrides = {}): OwnedLoaderOptions {
  checkConfiguredAllowList(config.FETCH_ALLOW_HOSTS)
  const timeoutMs = overrides.timeoutMs ?? config.FETCH_TIMEOUT_MS
  const agent = new SafeAgent({ allow: [...config.FETCH_ALLOW_HOSTS, ...(overrides.allow ?? [])], connectTimeoutMs: timeoutMs })
  const options: MetadataLoaderOptions = {
    gateways: {
      ipfsGateway: config.IPFS_GATEWAY,
      arweaveGateway: config.ARWEAVE_GATEWAY,
      rewriteGateways: [...config.IPFS_REWRITE_GATEWAYS],
    },
    agent,
    timeoutMs,
    maxBytes: config.FETCH_MAX_BYTES,
    maxRedirects: config.FETCH_MAX_REDIRECTS,
  }
  return { options, agent }
}

/** The config schema accepts any list; a bad entry is a configuration error, reported as one. */
function checkConfiguredAllowList(entries: readonly string[]): void {
  const problems: string[] = []
  for (const entry of entries) {
    try {
      parseAllowRule(entry)
    } catch (e) {
      problems.push(`FETCH_ALLOW_HOSTS (${JSON.stringify(entry)}): ${(e as Error).message}`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
}
