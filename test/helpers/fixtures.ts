import { EntityManager } from 'typeorm'
import { Contract, Token, TokenStandard, UpdateMode } from '../../src/model'
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity'

/** Builders for rows as the processors write them (for tests that start after ingestion). */
export function contractRow(p: Partial<Contract> & { chain: string; address: string; standard: TokenStandard }): Contract {
  return new Contract({
    id: `${p.chain}:${p.address}`,
    firstSeenBlock: 1,
    updateMode: UpdateMode.STANDARD,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    ...p,
  })
}

export function tokenRow(contract: Contract, tokenId: bigint, p: Partial<Token> = {}): Token {
  return new Token({
    id: `${contract.id}:${tokenId}`,
    chain: contract.chain,
    contract,
    tokenId,
    standard: contract.standard,
    owner: '0x0000000000000000000000000000000000000001',
    supply: 1n,
    burned: false,
    mintBlock: 1,
    updateMode: UpdateMode.STANDARD,
    ...p,
  })
}

/** Inserts a contract and `count` tokens (ids 0..count-1 unless given). */
export async function seedCollection(
  em: EntityManager,
  opts: { chain?: string; address?: string; standard?: TokenStandard; count?: number; ids?: bigint[] } = {},
): Promise<{ contract: Contract; tokens: Token[] }> {
  const contract = contractRow({
    chain: opts.chain ?? 'eip155:31337',
    address: opts.address ?? '0x00000000000000000000000000000000000000aa',
    standard: opts.standard ?? TokenStandard.ERC721,
  })
  await em.save(contract)
  const ids = opts.ids ?? Array.from({ length: opts.count ?? 10 }, (_, i) => BigInt(i))
  const tokens = ids.map((id) => tokenRow(contract, id))
  // The entity's `unknown` JSON columns do not fit TypeORM's deep-partial insert type.
  await em.insert(Token, tokens as QueryDeepPartialEntity<Token>[])
  return { contract, tokens }
}
