// One handler: a mint inserts the token row, a transfer updates its owner (Ponder's Store API,
// which batches the writes in memory and flushes them with COPY).
import { ponder } from 'ponder:registry'
import { token } from 'ponder:schema'

const CHAIN = 'eip155:31337'
const ZERO = '0x0000000000000000000000000000000000000000'

ponder.on('Emitter:Transfer', async ({ event, context }) => {
  const { from, to, tokenId } = event.args
  const contract = event.log.address.toLowerCase()
  const id = `${CHAIN}:${contract}:${tokenId}`
  const block = Number(event.block.number)
  const owner = to.toLowerCase() as `0x${string}`
  if (from === ZERO) await context.db.insert(token).values({ id, contract, tokenId, owner, mintBlock: block, updatedBlock: block })
  else await context.db.update(token, { id }).set({ owner, updatedBlock: block })
})
