// Ponder's config for `npm run bench:peers`: the bench's hardhat chain and its one Transfer-emitting
// contract. PONDER_RPC_URL_31337 and CONTRACT come from the bench; DATABASE_URL selects Postgres.
// pollingInterval: Ponder's minimum (100 ms; our processor and the squid poll the head every 50 ms).
import { createConfig } from 'ponder'
import { TransferAbi } from './abi'

export default createConfig({
  chains: {
    hardhat: { id: 31337, rpc: process.env.PONDER_RPC_URL_31337!, disableCache: true, pollingInterval: 100 },
  },
  contracts: {
    Emitter: { chain: 'hardhat', abi: TransferAbi, address: process.env.CONTRACT as `0x${string}`, startBlock: 0 },
  },
})
