import { createChainDriver, type ChainDriver } from './chainDriver'
import { compileContracts, type CompiledContract, type CompiledContracts } from './compile'
import { startHardhatNode, type HardhatNode, type HardhatNodeOptions } from './hardhatNode'

export interface LocalEvmChain {
  node: HardhatNode
  driver: ChainDriver
  contracts: CompiledContracts
  rpcUrl: string
  stop(): Promise<void>
}

/**
 * A local hardhat node with the project's compiled contracts and a driver for it: the one way
 * `npm run dev`, the tests, the drills and the benchmarks start an EVM chain. The node starts
 * while the contracts compile (a cache hit reads one file); `extra` adds contracts compiled
 * elsewhere. The node is stopped again when the driver cannot be built.
 */
export async function startLocalEvmChain(opts: HardhatNodeOptions = {}, extra: Record<string, CompiledContract> = {}): Promise<LocalEvmChain> {
  const [node, compiled] = await Promise.all([startHardhatNode(opts), compileContracts()])
  const contracts: CompiledContracts = { ...compiled, ...extra }
  try {
    const driver = await createChainDriver(node, contracts)
    return { node, driver, contracts, rpcUrl: node.rpcUrl, stop: () => node.stop() }
  } catch (e) {
    await node.stop()
    throw e
  }
}
