import { EvmBatchProcessor } from '@subsquid/evm-processor'
import type { EvmChainConfig } from '../../config/schema'
import { ALL_TOPICS } from './decodeLog'

/**
 * One EvmBatchProcessor per chain: the token events of every contract (or of the allow-list),
 * with the fields the decoder needs. History comes from the SQD Network gateway when one is
 * configured, the chain head from RPC.
 */
export function createEvmProcessor(cfg: EvmChainConfig) {
  const processor = new EvmBatchProcessor()
    .setRpcEndpoint({ url: cfg.rpcUrl, rateLimit: cfg.rpcRateLimit || undefined, maxBatchCallSize: 100 })
    .setFinalityConfirmation(cfg.finality)
    .setRpcDataIngestionSettings({ headPollInterval: cfg.headPollMs })
    .setBlockRange({ from: cfg.startBlock })
    .setFields({
      block: { timestamp: true },
      log: { topics: true, data: true, transactionHash: true },
    })
    .addLog({
      address: cfg.contracts?.map((a) => a.toLowerCase()),
      topic0: ALL_TOPICS,
    })
  if (cfg.gateway) processor.setGateway(cfg.gateway)
  return processor
}

export type EvmProcessor = ReturnType<typeof createEvmProcessor>
