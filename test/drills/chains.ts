/**
 * The local chains the drills drive: a hardhat node with the project's compiled test contracts
 * (ChainDriver: batch mints, transfers, ERC-4906 events, fork()/reorg()), and the Stacks
 * simulator (clarinet simnet behind the Stacks-API facade; fork(depth, build)).
 */
import type * as DevnetEvm from '../../src/devnet/evm'
import type * as DevnetStacks from '../../src/devnet/stacks/simulator'
import { lib, type LogSink } from './runtime'

export const EVM_CHAIN = 'eip155:31337'
export const STACKS_CHAIN = 'stacks:2147483648'

export interface EvmChain {
  node: DevnetEvm.HardhatNode
  driver: DevnetEvm.ChainDriver
  rpcUrl: string
  head(): Promise<number>
  stop(): Promise<void>
}

export async function startEvmChain(log: LogSink): Promise<EvmChain> {
  const { startHardhatNode, compileContracts, createChainDriver } = lib<typeof DevnetEvm>('devnet/evm/index')
  const started = Date.now()
  const [node, contracts] = await Promise.all([startHardhatNode({ blockGasLimit: 60_000_000 }), compileContracts()])
  const driver = await createChainDriver(node, contracts)
  log(`hardhat node ${node.rpcUrl} (${Date.now() - started} ms)`)
  return {
    node,
    driver,
    rpcUrl: node.rpcUrl,
    head: async () => Number(await driver.blockNumber()),
    stop: () => node.stop(),
  }
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

export type StacksSim = DevnetStacks.StacksSimulator

export async function startStacks(log: LogSink): Promise<StacksSim> {
  const { startStacksSimulator } = lib<typeof DevnetStacks>('devnet/stacks/simulator')
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
