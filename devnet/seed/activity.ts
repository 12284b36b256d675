import { Cl } from '@stacks/transactions'
import type { ChainDriver } from '../evm'
import type { DevMetadataServer } from '../metadataServer'
import type { StacksSimulator } from '../stacks/simulator'
import { SQUID_CID } from './documents'
import { publishSquid, type EvmSeed } from './seedEvm'
import { publishStacksNft, type StacksSeed } from './seedStacks'

type Step = () => Promise<void>

/**
 * Live activity while `npm run dev` runs: every tick one step of a rotation of mints, transfers
 * and metadata updates (ERC-4906 and SIP-019, each after its document changed, so the refreshed
 * metadata is visible), so the status numbers move.
 */
export function startActivity(
  d: ChainDriver,
  sim: StacksSimulator,
  host: DevMetadataServer,
  evm: EvmSeed,
  stx: StacksSeed,
  everyMs: number,
  onError: (e: unknown) => void,
): () => Promise<void> {
  const steps: Step[] = [
    async () => {
      const id = evm.nextSquid++
      publishSquid(host, id, 1, evm.levels)
      await d.mintErc721Batch(evm.squids, evm.holders[id % 3], BigInt(id), 1, `ipfs://${SQUID_CID}/`)
    },
    async () => {
      const id = Math.floor(Math.random() * evm.nextSquid)
      publishSquid(host, id, (evm.levels.get(id) ?? 1) + 1, evm.levels)
      await d.emitMetadataUpdate(evm.squids, BigInt(id))
    },
    async () => {
      const { deployer, wallet_1 } = sim.accounts
      const id = stx.nextNft++
      publishStacksNft(host, id, 1, stx.levels)
      await sim.call(sim.contracts.nft, 'mint', [Cl.principal(wallet_1)], deployer)
    },
    async () => {
      const id = Math.floor(Math.random() * stx.nextNft)
      publishStacksNft(host, id, (stx.levels.get(id) ?? 1) + 1, stx.levels)
      await sim.call(sim.contracts.nft, 'notify-tokens', [Cl.list([Cl.uint(id)])], sim.accounts.deployer)
    },
    async () => {
      await d.transferErc20(evm.gold, evm.holders[0], evm.holders[1 + Math.floor(Math.random() * 2)], 10n ** 18n)
    },
  ]
  let i = 0
  let stopped = false
  let running: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    if (stopped) return
    const step = steps[i++ % steps.length]
    running = running.then(step).catch(onError)
  }, everyMs)
  return async () => {
    stopped = true
    clearInterval(timer)
    await running
  }
}
