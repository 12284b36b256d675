import { createPublicClient, http } from 'viem'

/**
 * The chain head as the node reports it (`eth_blockNumber`), for the status surfaces. Subsquid's
 * runner tracks only the finalized height (head minus the finality confirmation, refreshed every
 * 20 s), so the processes ask the node themselves, through the same RPC endpoint.
 */
export function evmHeadReader(rpcUrl: string, timeoutMs = 5000): () => Promise<number> {
  const client = createPublicClient({ transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 0 }) })
  return async () => Number(await client.getBlockNumber({ cacheTime: 0 }))
}
