import type { Config } from '../config'

/**
 * Chains this deployment indexes: every configured EVM chain and the Stacks network. A request
 * naming any other chain is a client error (no query runs for it).
 */
export function knownChains(config: Config): string[] {
  const chains = new Set<string>(config.EVM_CHAINS.map((c) => c.chain))
  chains.add(config.STACKS_CHAIN)
  return [...chains].sort()
}
