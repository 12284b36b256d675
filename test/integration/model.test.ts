import { describe, expect, it } from 'vitest'
import {
  ApiKey,
  Balance,
  Contract,
  ContractMetadata,
  HostLease,
  HostState,
  JobKind,
  JobStatMinute,
  JobStatus,
  MetadataJob,
  MetadataStatus,
  RateLimitWindow,
  Refresh,
  RefreshItem,
  RefreshItemStatus,
  RefreshStatus,
  Token,
  TokenAttribute,
  TokenLocale,
  TokenMetadata,
  TokenStandard,
  UpdateMode,
  UpdateNotice,
  UpdateNoticeKind,
} from '../../src/model'
import { useTestDatabase } from '../helpers/database'

const db = useTestDatabase()
const at = new Date('2026-11-21T10:00:00.000Z')
const big = 2n ** 256n - 1n

function contract(): Contract {
  return new Contract({
    id: 'eip155:1:0xabc',
    chain: 'eip155:1',
    address: '0xabc',
    standard: TokenStandard.ERC1155,
    totalSupply: big,
    firstSeenBlock: 7,
    updateMode: UpdateMode.STANDARD,
    createdAt: at,
  })
}

function token(c: Contract): Token {
  return new Token({
    id: `${c.id}:${big}`,
    chain: c.chain,
    contract: c,
    tokenId: big,
    standard: TokenStandard.ERC1155,
    owner: null,
    supply: 10n ** 30n,
    burned: false,
    chainUri: 'https://x/{id}.json',
    mintBlock: 7,
    mintTx: '0x01',
    mintedAt: at,
    updateMode: UpdateMode.DYNAMIC,
    updateTtl: 3600,
    seenOnChain: true,
  })
}

describe('storage model', () => {
  it('round-trips every entity through TypeORM with uint256 ids, JSON, arrays and dates intact', async () => {
    const em = db.ds.manager
    const c = contract()
    const t = token(c)
    const key = new ApiKey({ id: 'k1', name: 'studio', hash: 'h'.repeat(64), prefix: 'tms_ab', admin: false, contracts: [c.id], createdAt: at })
    const refresh = new Refresh({ id: 'r1', surface: 'imx', chain: c.chain, contractId: c.id, apiKey: key, status: RefreshStatus.QUEUED, tokenCount: 1, createdAt: at })
    const rows = [
      c,
      new ContractMetadata({
        id: c.id,
        contract: c,
        status: MetadataStatus.AVAILABLE,
        confirmedStandard: TokenStandard.ERC1155,
        name: 'Cards',
        symbol: 'CRD',
        decimals: 0,
        totalSupply: big,
        uri: 'ipfs://x',
        normalized: { name: 'Cards', list: [1, 'a'] },
        updatedAt: at,
      }),
      t,
      new TokenMetadata({
        id: t.id,
        token: t,
        contract: c,
        status: MetadataStatus.AVAILABLE,
        uri: 'ipfs://a',
        name: 'A',
        decimals: 0,
        properties: { a: { b: null } },
        normalized: { name: 'A' },
        raw: [1, 2],
        queuedAt: at,
      }),
      new TokenAttribute({
        id: `${t.id}:0`,
        token: t,
        contract: c,
        position: 0,
        traitType: 'Level',
        value: '5',
        valueNumber: 5,
        valueJson: 5,
        displayType: 'number',
        maxValue: 10,
      }),
      new TokenLocale({ id: `${t.id}:fr`, token: t, locale: 'fr', status: MetadataStatus.AVAILABLE, normalized: { name: 'Un' }, raw: { name: 'Un' } }),
      new Balance({ id: `${t.id}:0xdef`, token: t, contract: c, account: '0xdef', amount: big }),
      new UpdateNotice({
        id: 'eip155:1:7:3',
        chain: c.chain,
        contract: c,
        token: t,
        kind: UpdateNoticeKind.URI,
        tokenCount: 1,
        uri: 'u',
        blockNumber: 7,
        blockHash: '0xb',
        txHash: '0x01',
        logIndex: 3,
        timestamp: at,
        fromTokenId: 0n,
        toTokenId: big,
      }),
      new MetadataJob({
        id: `token:${t.id}`,
        kind: JobKind.TOKEN,
        chain: c.chain,
        contractId: c.id,
        tokenRef: t.id,
        ...queuedNow(at),
      }),
      new HostState({ id: 'ipfs.io', rateLimitedCount: 0, updatedAt: at }),
      new HostLease({ id: 'ipfs.io|w1', host: 'ipfs.io', workerId: 'w1', slots: 4, expiresAt: at }),
      new JobStatMinute({ id: 'm', minute: at, chain: c.chain, host: 'ipfs.io', completed: 1, failed: 0, invalid: 0, retried: 2 }),
      key,
      refresh,
      new RefreshItem({
        id: `r1:${big}`,
        refresh,
        tokenRef: t.id,
        tokenId: big,
        jobVersion: 1,
        status: RefreshItemStatus.FAILED,
        errorCode: 'token_not_found',
        errorHttpStatus: 404,
        createdAt: at,
      }),
      new RateLimitWindow({ id: 'k1:rps:0', apiKey: key, kind: 'rps', windowStart: at, count: 3 }),
    ]
    for (const row of rows) await em.save(row)

    for (const row of rows) {
      const cls = row.constructor as new () => object
      const loaded = await em.findOneOrFail(cls, { where: { id: (row as { id: string }).id } })
      for (const [field, value] of Object.entries(row)) {
        if (value !== null && typeof value === 'object' && 'id' in value && !Array.isArray(value)) continue // relations
        expect([cls.name, field, (loaded as Record<string, unknown>)[field]]).toEqual([cls.name, field, value])
      }
    }
    const withRelations = await em.findOneOrFail(Token, { where: { id: t.id }, relations: { contract: true, metadata: true, balances: true } })
    expect(withRelations.contract.totalSupply).toBe(big)
    expect(withRelations.metadata?.properties).toEqual({ a: { b: null } })
    expect(withRelations.balances[0].amount).toBe(big)
  })

  it('deleting a token removes its worker-owned metadata, attributes and locales (reorg rollback)', async () => {
    const em = db.ds.manager
    const c = await em.findOneByOrFail(Contract, { id: 'eip155:1:0xabc' })
    const t = token(c)
    await em.delete(Balance, { token: { id: t.id } })
    await em.delete(UpdateNotice, { token: { id: t.id } })
    await em.delete(Token, { id: t.id })
    expect(await em.countBy(TokenMetadata, { id: t.id })).toBe(0)
    expect(await em.count(TokenAttribute)).toBe(0)
    expect(await em.count(TokenLocale)).toBe(0)
    expect(await em.countBy(MetadataJob, { id: `token:${t.id}` })).toBe(0) // and its job, by trigger
  })

  it('keeps token and job counters in step through inserts, updates and deletes', async () => {
    const em = db.ds.manager
    await em.save(
      new MetadataJob({
        id: 'contract:eip155:1:0xabc',
        kind: JobKind.CONTRACT,
        chain: 'eip155:1',
        contractId: 'eip155:1:0xabc',
        ...queuedNow(at),
      }),
    )
    await em.query(`SELECT compact_counters()`)
    const counts = await em.query(`SELECT scope, chain, name, total::int AS total FROM counter WHERE total <> 0 ORDER BY 1, 3`)
    expect(await em.countBy(ContractMetadata, { id: 'eip155:1:0xabc' })).toBe(1)
    expect(counts).toEqual([
      { scope: 'contract', chain: 'eip155:1', name: 'ERC1155', total: 1 },
      { scope: 'job', chain: 'eip155:1', name: 'QUEUED', total: 1 },
    ])
    await em.query(`UPDATE metadata_job SET status = 'DONE'`)
    await em.query(`SELECT compact_counters()`)
    const jobs = await em.query(`SELECT name, total::int AS total FROM counter WHERE scope = 'job' AND total <> 0`)
    expect(jobs).toEqual([{ name: 'DONE', total: 1 }])
    expect(await em.query(`SELECT count(*)::int AS n FROM counter_delta`)).toEqual([{ n: 0 }])
  })
})

/** A job's state when it was just queued at `at`, as the enqueue writes it. */
function queuedNow(at: Date) {
  return { status: JobStatus.QUEUED, priority: 10, runAt: at, attempts: 0, requestVersion: 1, queuedAt: at, createdAt: at, updatedAt: at }
}
