/**
 * One Stacks simulator per test file: started in beforeAll, stopped in afterAll.
 *
 *   const stacks = useStacksSimulator()
 *   it('…', async () => { await stacks.sim.call(stacks.sim.contracts.nft, 'mint', […], deployer) })
 *
 * Tests in one file share the chain: each should work from `sim.tip()` onwards rather than assume
 * absolute heights (the sample contracts are deployed in block 2).
 */
import { afterAll, beforeAll } from 'vitest'
import { startStacksSimulator, type StacksSimulator, type StartStacksSimulatorOptions } from '../../devnet/stacks/simulator'

export interface StacksSimulatorHandle {
  /** available from beforeAll on */
  readonly sim: StacksSimulator
}

export function useStacksSimulator(opts: StartStacksSimulatorOptions = {}): StacksSimulatorHandle {
  let sim: StacksSimulator | undefined
  beforeAll(async () => {
    sim = await startStacksSimulator(opts)
  })
  afterAll(async () => {
    await sim?.stop()
  })
  return {
    get sim(): StacksSimulator {
      if (!sim) throw new Error('the Stacks simulator is not started (use it inside tests or hooks)')
      return sim
    },
  }
}
