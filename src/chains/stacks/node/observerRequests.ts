/**
 * What the indexer does with each event-observer request a Stacks node sends (the paths of
 * stacks-core's event dispatcher). Only `/new_block` is stored: it carries every transaction and
 * event of the block, confirmed microblock transactions included. The others are acknowledged
 * and dropped: burn blocks, unconfirmed microblock streams (their transactions arrive again in
 * the block that confirms them; orphaned ones never do), mempool traffic, attachments, StackerDB
 * chunks, signer proposal responses and mined-block notices carry nothing the index keeps.
 */
export type RequestRole = 'block' | 'ack'

const ACKED = new Set([
  '/new_burn_block',
  '/new_microblocks',
  '/new_mempool_tx',
  '/drop_mempool_tx',
  '/attachments/new',
  '/stackerdb_chunks',
  '/new_stackerdb_chunks',
  '/proposal_response',
  '/mined_block',
  '/mined_microblock',
  '/mined_nakamoto_block',
])

/** `block` for the stored path, `ack` for a known path not stored, undefined for a path we do not know. */
export function requestRole(path: string): RequestRole | undefined {
  if (path === '/new_block') return 'block'
  return ACKED.has(path) ? 'ack' : undefined
}
