import type { SqlExecutor } from '../../src/store/sql'
import { contract, insertRows, token } from './apiFixtures'

/**
 * Inserts a contract and `count` tokens (ids 0..count-1 unless given) as the processors write
 * them, with the row builders of apiFixtures.ts (for tests that start after ingestion).
 */
export async function seedCollection(
  db: SqlExecutor,
  opts: { chain?: string; address?: string; standard?: string; count?: number; ids?: bigint[] } = {},
): Promise<{ contract: { id: string; chain: string; address: string; standard: string }; tokenIds: bigint[] }> {
  const chain = opts.chain ?? 'eip155:31337'
  const address = opts.address ?? '0x00000000000000000000000000000000000000aa'
  const standard = opts.standard ?? 'ERC721'
  const row = contract(chain, address, standard)
  await insertRows(db, 'contract', [row])
  const id = `${chain}:${address}`
  const tokenIds = opts.ids ?? Array.from({ length: opts.count ?? 10 }, (_, i) => BigInt(i))
  const owner = '0x0000000000000000000000000000000000000001'
  // one statement per 1,000 tokens: a multi-row INSERT takes at most 65,535 parameters
  for (let i = 0; i < tokenIds.length; i += 1000) {
    await insertRows(
      db,
      'token',
      tokenIds.slice(i, i + 1000).map((t) => token(id, chain, standard, t.toString(), { owner })),
    )
  }
  return { contract: { id, chain, address, standard }, tokenIds }
}
