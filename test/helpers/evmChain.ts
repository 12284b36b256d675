// vitest wrapper around the local EVM chain in src/devnet/evm: one hardhat node per call, started
// in beforeAll (in parallel with the contract compile, which is cached on disk) and stopped in afterAll.
import { afterAll, beforeAll } from 'vitest'
import { compileContracts, createChainDriver, startHardhatNode, type ChainDriver, type CompiledContracts, type HardhatNode, type HardhatNodeOptions } from '../../src/devnet/evm'

export interface HardhatChain {
  /** Available inside tests and hooks that run after this helper's beforeAll. */
  readonly node: HardhatNode
  readonly driver: ChainDriver
  readonly contracts: CompiledContracts
  readonly rpcUrl: string
  readonly chainId: number
}

/**
 * Registers beforeAll/afterAll hooks for a hardhat node (chain id 31337 unless given; call again
 * with another chainId for a second chain) and returns an object whose fields are set once the
 * node is up.
 */
export function useHardhatChain(opts: HardhatNodeOptions = {}): HardhatChain {
  let node: HardhatNode | undefined
  let driver: ChainDriver | undefined
  let contracts: CompiledContracts | undefined

  beforeAll(async () => {
    const [n, c] = await Promise.all([startHardhatNode(opts), compileContracts()])
    node = n
    contracts = c
    driver = await createChainDriver(n, c)
  })

  afterAll(async () => {
    await node?.stop()
  })

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`useHardhatChain: ${what} used before beforeAll finished`)
    return v
  }
  return {
    get node() {
      return need(node, 'node')
    },
    get driver() {
      return need(driver, 'driver')
    },
    get contracts() {
      return need(contracts, 'contracts')
    },
    get rpcUrl() {
      return need(node, 'node').rpcUrl
    },
    get chainId() {
      return need(node, 'node').chainId
    },
  }
}
