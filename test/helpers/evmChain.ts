// vitest wrapper around the local EVM chain in devnet/evm (startLocalEvmChain): one hardhat
// node per call, started in beforeAll and stopped in afterAll.
import { afterAll, beforeAll } from 'vitest'
import { startLocalEvmChain, type ChainDriver, type CompiledContracts, type HardhatNode, type HardhatNodeOptions, type LocalEvmChain } from '../../devnet/evm'

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
  let chain: LocalEvmChain | undefined

  beforeAll(async () => {
    chain = await startLocalEvmChain(opts)
  })

  afterAll(async () => {
    await chain?.stop()
  })

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`useHardhatChain: ${what} used before beforeAll finished`)
    return v
  }
  return {
    get node() {
      return need(chain, 'node').node
    },
    get driver() {
      return need(chain, 'driver').driver
    },
    get contracts() {
      return need(chain, 'contracts').contracts
    },
    get rpcUrl() {
      return need(chain, 'node').rpcUrl
    },
    get chainId() {
      return need(chain, 'node').node.chainId
    },
  }
}
