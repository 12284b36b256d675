import { describe, expect, it } from 'vitest'
import { upsertTokens } from '../../src/store/tokens'
import { Contract, Token, TokenStandard, UpdateMode } from '../../src/model'
import { useTestDatabase } from '../helpers/database'

const db = useTestDatabase()
const at = new Date('2026-11-21T10:00:00.123Z')
const CHAIN = 'eip155:1'
const contract = new Contract({
  id: `${CHAIN}:0xabc`,
  chain: CHAIN,
  address: '0xabc',
  standard: TokenStandard.ERC721,
  firstSeenBlock: 1,
  updateMode: UpdateMode.STANDARD,
  createdAt: at,
})

function token(id: bigint, p: Partial<Token> = {}): Token {
  return new Token({
    id: `${contract.id}:${id}`,
    chain: CHAIN,
    contract,
    tokenId: id,
    standard: TokenStandard.ERC721,
    owner: '0x01',
    supply: 1n,
    burned: false,
    mintBlock: 5,
    mintTx: '0xt',
    mintedAt: at,
    updateMode: UpdateMode.STANDARD,
    ...p,
  })
}

/** Writes in one transaction, as the processor's batch does (no hot-block tracker). */
async function write(created: Token[], loaded: Token[]): Promise<void> {
  await db.ds.transaction('READ COMMITTED', (em) => upsertTokens(em, undefined, created, loaded))
}

const rowOf = async (id: bigint) =>
  (
    await db.ds.query(`SELECT owner, supply::text, burned, chain_uri, mint_block, mint_tx, minted_at, burn_block, update_mode, update_ttl, standard FROM token WHERE id = $1`, [
      `${contract.id}:${id}`,
    ])
  )[0]

async function counterDeltas(): Promise<{ name: string; delta: number }[]> {
  return db.ds.query(`SELECT name, sum(delta)::int AS delta FROM counter_delta WHERE scope = 'token' GROUP BY name HAVING sum(delta) <> 0 ORDER BY name`)
}

describe('ingest token writes', () => {
  it('write every column, with values shared by all rows sent once, also for a one-row chunk', async () => {
    await db.ds.manager.save(contract)
    await write([token(1n, { owner: '0x02', chainUri: 'ipfs://x', updateTtl: 60 }), token(2n, { mintedAt: new Date(at.getTime() + 1) })], [])
    await write([token(3n, { burned: true, supply: 0n, owner: null, burnBlock: 9 })], [])
    expect(await rowOf(1n)).toEqual({
      owner: '0x02',
      supply: '1',
      burned: false,
      chain_uri: 'ipfs://x',
      mint_block: 5,
      mint_tx: '0xt',
      minted_at: at,
      burn_block: null,
      update_mode: 'STANDARD',
      update_ttl: 60,
      standard: 'ERC721',
    })
    expect((await rowOf(2n)).minted_at).toEqual(new Date(at.getTime() + 1))
    expect(await rowOf(3n)).toMatchObject({ owner: null, supply: '0', burned: true, burn_block: 9 })
  })

  it('text with quotes, backslashes, commas, braces and NULL spelt out travels intact in an array parameter', async () => {
    const uris = ['data:application/json,{"name":"a, b"}', 'C:\\x\\"y"', 'NULL', '', null]
    await write(
      uris.map((chainUri, i) => token(BigInt(40 + i), { chainUri })),
      [],
    )
    for (const [i, uri] of uris.entries()) expect((await rowOf(BigInt(40 + i))).chain_uri).toBe(uri)
  })

  it('a created token replaces every chain fact of a placeholder row written meanwhile', async () => {
    await db.ds.query(
      `INSERT INTO token (id, chain, contract_id, token_id, standard, owner, supply, burned, update_mode) VALUES ($1, $2, $3, 4, 'ERC721', NULL, 0, false, 'STANDARD')`,
      [`${contract.id}:4`, CHAIN, contract.id],
    )
    await write([token(4n)], [])
    expect(await rowOf(4n)).toMatchObject({ owner: '0x01', supply: '1', mint_block: 5, mint_tx: '0xt', minted_at: at })
  })

  it('a loaded token gets its changes; an update that keeps chain and standard moves no counter', async () => {
    const before = await counterDeltas()
    const loaded = token(1n, { owner: '0x03', updateMode: UpdateMode.DYNAMIC, updateTtl: null })
    await write([], [loaded])
    expect(await rowOf(1n)).toMatchObject({ owner: '0x03', update_mode: 'DYNAMIC', update_ttl: null, mint_block: 5 })
    expect(await counterDeltas()).toEqual(before)
    await db.ds.query(`UPDATE token SET standard = 'ERC1155' WHERE id = $1`, [`${contract.id}:1`])
    expect(await counterDeltas()).toEqual([
      { name: 'ERC1155', delta: 1 },
      { name: 'ERC721', delta: before.find((d) => d.name === 'ERC721')!.delta - 1 },
    ])
  })

  it('a loaded placeholder row gets the mint facts it lacks; a loaded row keeps the ones it has', async () => {
    await db.ds.query(
      `INSERT INTO token (id, chain, contract_id, token_id, standard, owner, supply, burned, update_mode) VALUES ($1, $2, $3, 6, 'ERC721', NULL, 0, false, 'STANDARD')`,
      [`${contract.id}:6`, CHAIN, contract.id],
    )
    await write([], [token(6n, { mintBlock: 7, mintTx: '0xm', mintedAt: at }), token(1n, { mintBlock: 99, mintTx: '0xother' })])
    expect(await rowOf(6n)).toMatchObject({ owner: '0x01', mint_block: 7, mint_tx: '0xm', minted_at: at })
    expect(await rowOf(1n)).toMatchObject({ mint_block: 5, mint_tx: '0xt' })
  })
})
