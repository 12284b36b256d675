/**
 * The plain Subsquid squid of `npm run bench:peers`: what the SQD templates and NFT examples do
 * (EvmBatchProcessor + TypeormDatabase, one entity upserted per batch, no queue), indexing the
 * ERC-721 Transfers of one contract into token-owner rows. Same RPC settings as our processor
 * (src/chains/evm/processor.ts). Environment: DB_URL, RPC_URL, CONTRACT, FINALITY, HEAD_POLL_MS.
 * The table is created by the bench beforehand (what `sqd migration:apply` would do).
 */
import { EvmBatchProcessor } from '@subsquid/evm-processor'
import { TypeormDatabase } from '@subsquid/typeorm-store'
import { In } from 'typeorm'
import * as erc721 from '../../../src/abi/erc721'
import { Token } from './lib/model'

const CHAIN = 'eip155:31337'
const contract = required('CONTRACT').toLowerCase()

function required(name: string): string {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set`)
  return v
}

const processor = new EvmBatchProcessor()
  .setRpcEndpoint({ url: required('RPC_URL'), maxBatchCallSize: 100 })
  .setFinalityConfirmation(Number(process.env.FINALITY ?? 10))
  .setRpcDataIngestionSettings({ headPollInterval: Number(process.env.HEAD_POLL_MS ?? 50) })
  .setFields({ log: { topics: true, data: true, transactionHash: true } })
  .addLog({ address: [contract], topic0: [erc721.events.Transfer.topic] })

processor.run(new TypeormDatabase({ supportHotBlocks: true, projectDir: __dirname }), async (ctx) => {
  const tokens = new Map<string, Token>()
  const transferred: { id: string; owner: string; block: number }[] = []
  for (const block of ctx.blocks) {
    for (const log of block.logs) {
      if (log.topics[0] !== erc721.events.Transfer.topic || log.topics.length !== 4) continue
      const { from, to, tokenId } = erc721.events.Transfer.decode(log)
      const id = `${CHAIN}:${contract}:${tokenId}`
      const owner = to.toLowerCase()
      const minted = BigInt(from) === 0n
      if (minted) tokens.set(id, new Token({ id, contract, tokenId, owner, mintBlock: block.header.height, updatedBlock: block.header.height }))
      else transferred.push({ id, owner, block: block.header.height })
    }
  }
  // Transfers of tokens minted in an earlier batch: load them, as the templates do, then upsert all.
  const missing = [...new Set(transferred.map((t) => t.id).filter((id) => !tokens.has(id)))]
  for (const t of missing.length ? await ctx.store.findBy(Token, { id: In(missing) }) : []) tokens.set(t.id, t)
  for (const t of transferred) {
    const token = tokens.get(t.id)
    if (!token) throw new Error(`transfer of ${t.id}, which was never minted`)
    token.owner = t.owner
    token.updatedBlock = t.block
  }
  await ctx.store.upsert([...tokens.values()])
})
