/**
 * The local chains the drills drive: a hardhat node with the project's compiled test contracts
 * (ChainDriver: batch mints, transfers, ERC-4906 events, fork()/reorg()), and the Stacks
 * simulator (clarinet simnet behind the Stacks-API facade; fork(depth, build)).
 */
import { startLocalEvmChain, type LocalEvmChain } from '../../devnet/evm'
import { startStacksSimulator, type StacksSimulator } from '../../devnet/stacks/simulator'
import type { LogSink } from './runtime'

export const EVM_CHAIN = 'eip155:31337'
export const STACKS_CHAIN = 'stacks:2147483648'

export interface EvmChain extends LocalEvmChain {
  head(): Promise<number>
}

export async function startEvmChain(log: LogSink): Promise<EvmChain> {
  const started = Date.now()
  const chain = await startLocalEvmChain({ blockGasLimit: 60_000_000 })
  log(`hardhat node ${chain.rpcUrl} (${Date.now() - started} ms)`)
  return { ...chain, head: async () => Number(await chain.driver.blockNumber()) }
}

/**
 * The first request after the drill process was busy (the Stacks simulator replays a fork
 * synchronously, blocking the event loop for seconds) can land on a keep-alive socket the node has
 * closed meanwhile ("fetch failed": other side closed). Idempotent reads get a second chance.
 */
export async function evmWarm(chain: EvmChain, log?: LogSink): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await chain.driver.blockNumber()
      return
    } catch (e) {
      if (attempt >= 3) throw e
      let cause: unknown = e
      const chainOfCauses: string[] = []
      while (cause instanceof Error) {
        chainOfCauses.push(`${(cause as { code?: string }).code ?? cause.name}: ${cause.message.split('\n')[0]}`)
        cause = cause.cause
      }
      log?.(`hardhat read failed, retrying (${chainOfCauses.join(' <- ')})`)
    }
  }
}

export type StacksSim = StacksSimulator

export async function startStacks(log: LogSink): Promise<StacksSim> {
  const started = Date.now()
  const sim = await startStacksSimulator()
  log(`stacks simulator ${sim.url} (${Date.now() - started} ms)`)
  return sim
}

/** `{"chain":…,"rpcUrl":…}` entry of EVM_CHAINS for one drill's contracts. */
export function evmChainsEnv(rpcUrl: string, opts: { finality: number; startBlock: number; contracts?: string[] }): string {
  return JSON.stringify([
    {
      chain: EVM_CHAIN,
      rpcUrl,
      finality: opts.finality,
      startBlock: opts.startBlock,
      headPollMs: 50,
      ...(opts.contracts ? { contracts: opts.contracts } : {}),
    },
  ])
}
