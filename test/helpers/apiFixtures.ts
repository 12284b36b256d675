import type { DataSource } from 'typeorm'
import type { SqlExecutor } from '../../src/store/sql'

/**
 * A database as the pipeline leaves it (processors wrote contracts, tokens, balances; workers
 * wrote metadata, attributes, locales, contract reads; the queue holds jobs in every status),
 * for tests that read it through the API. Rows are written with plain SQL in the columns the
 * pipeline fills; counters are kept by the database's own triggers.
 */

export const CHAIN = { eth: 'eip155:1', amoy: 'eip155:80002', stacks: 'stacks:1' } as const

export const EVM = {
  axes: '0x1111111111111111111111111111111111111111',
  items: '0x2222222222222222222222222222222222222222',
  usdc: '0x3333333333333333333333333333333333333333',
  amoy: '0x4444444444444444444444444444444444444444',
  unknown: '0x5555555555555555555555555555555555555555',
} as const

export const OWNER = {
  a: '0xaaaa000000000000000000000000000000000001',
  b: '0xbbbb000000000000000000000000000000000002',
  c: '0xcccc000000000000000000000000000000000003',
} as const

export const STX = {
  deployer: 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173',
  nft: 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173.boombox',
  ft: 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.wrapped-usd',
  ft2: 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.miamicoin',
  sft: 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.key-alex',
  holder: 'SP1H1733V5MZ3SZ9XRW9FKYGEZT0JDGEB8Y634C7R',
} as const

export const UINT256_MAX = ((1n << 256n) - 1n).toString()
export const COLORS = ['Red', 'Green', 'Blue'] as const
export const T0 = new Date('2026-01-01T00:00:00Z')
export const FETCHED = new Date('2026-01-02T03:04:05Z')

type Row = Record<string, unknown>

/** Multi-row INSERT over the union of the rows' columns (absent = NULL); objects and arrays go as JSON text (jsonb). */
export async function insertRows(db: SqlExecutor, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  const params: unknown[] = []
  const tuples = rows.map(
    (r) =>
      `(${columns
        .map((c) => {
          const v = r[c] ?? null
          params.push(v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v)
          return `$${params.length}`
        })
        .join(', ')})`,
  )
  await db.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`, params)
}

export function contract(chain: string, address: string, standard: string, extra: Row = {}): Row {
  return {
    id: `${chain}:${address}`,
    chain,
    address,
    standard,
    total_supply: null,
    deployer: null,
    deploy_tx: `0xdeploy${address.slice(-4)}`,
    deploy_block: 1,
    first_seen_block: 1,
    update_mode: 'STANDARD',
    update_ttl: null,
    created_at: T0,
    ...extra,
  }
}

export function token(contractId: string, chain: string, standard: string, tokenId: string, extra: Row = {}): Row {
  return {
    id: `${contractId}:${tokenId}`,
    chain,
    contract_id: contractId,
    token_id: tokenId,
    standard,
    owner: null,
    supply: '1',
    burned: false,
    chain_uri: null,
    mint_block: 1,
    mint_tx: '0xmint',
    minted_at: T0,
    burn_block: null,
    update_mode: 'STANDARD',
    update_ttl: null,
    ...extra,
  }
}

export interface DocInput {
  name: string
  description?: string
  image?: string
  attributes?: { trait_type?: string; value: unknown; display_type?: string }[]
  properties?: Record<string, unknown>
  localization?: { uri: string; default: string; locales: string[] }
  external_url?: string
  image_data?: string
  decimals?: number
}

/** A worker-written metadata row; status is the outcome of the last fetch. */
export function metadata(ref: string, contractId: string, status: 'AVAILABLE' | 'INVALID' | 'FAILED', doc: DocInput | null, extra: Row = {}): Row {
  return {
    id: ref,
    token_id: ref,
    contract_id: contractId,
    status,
    uri: `ipfs://meta/${ref.split(':').at(-1)}.json`,
    resolved_url: 'https://ipfs.io/ipfs/meta',
    content_hash: doc ? `hash-${ref}` : null,
    error_code: null,
    error_message: null,
    error_http_status: null,
    queued_at: null,
    last_fetched_at: FETCHED,
    updated_at: FETCHED,
    name: doc?.name ?? null,
    description: doc?.description ?? null,
    image: doc?.image ?? null,
    image_data: doc?.image_data ?? null,
    external_url: doc?.external_url ?? null,
    animation_url: null,
    background_color: null,
    youtube_url: null,
    decimals: doc?.decimals ?? null,
    properties: doc?.properties ?? null,
    localization: doc?.localization ?? null,
    normalized: doc,
    raw: doc ? { ...doc, raw: true } : null,
    ...extra,
  }
}

export function attributeRows(ref: string, contractId: string, attrs: NonNullable<DocInput['attributes']>): Row[] {
  return attrs.map((a, position) => ({
    id: `${ref}:${position}`,
    token_id: ref,
    contract_id: contractId,
    position,
    trait_type: a.trait_type ?? null,
    value: String(a.value),
    value_number: typeof a.value === 'number' ? a.value : null,
    value_json: JSON.stringify(a.value),
    display_type: a.display_type ?? null,
    max_value: null,
  }))
}

export function job(kind: 'TOKEN' | 'CONTRACT', chain: string, contractId: string, ref: string | null, status: string, extra: Row = {}): Row {
  return {
    id: kind === 'TOKEN' ? `token:${ref}` : `contract:${contractId}`,
    kind,
    chain,
    contract_id: contractId,
    token_ref: ref,
    status,
    priority: 20,
    run_at: T0,
    attempts: status === 'QUEUED' ? 0 : 1,
    request_version: 1,
    claimed_version: status === 'QUEUED' ? null : 1,
    queued_at: new Date(T0.getTime() + 1000),
    locked_by: status === 'RUNNING' ? 'worker-1' : null,
    locked_until: status === 'RUNNING' ? new Date(Date.now() + 60_000) : null,
    host: null,
    error_code: null,
    error_message: null,
    error_http_status: null,
    error_body: null,
    error_url: null,
    created_at: T0,
    updated_at: T0,
    finished_at: null,
    ...extra,
  }
}

export function axeDoc(i: number): DocInput {
  return {
    name: `Axe #${i}`,
    description: `Axe number ${i}`,
    image: `ipfs://images/${i}.png`,
    external_url: `https://axes.example/${i}`,
    attributes: [
      { trait_type: 'Color', value: COLORS[i % 3] },
      { trait_type: 'Level', value: i % 5, display_type: 'number' },
    ],
    properties: { rarity: i % 2 === 0 ? 'common' : 'rare' },
  }
}

export interface ApiFixture {
  /** Token id -> expected derived status, for the ERC-721 collection. */
  axesStatus: Map<string, string>
}

/** Fills the database; see the constants above for what is where. */
export async function seedApiFixtures(db: DataSource): Promise<ApiFixture> {
  const axesStatus = new Map<string, string>()
  const eth = CHAIN.eth
  const axesId = `${eth}:${EVM.axes}`
  const itemsId = `${eth}:${EVM.items}`
  const usdcId = `${eth}:${EVM.usdc}`
  const amoyId = `${CHAIN.amoy}:${EVM.amoy}`
  const stx = CHAIN.stacks
  const nftId = `${stx}:${STX.nft}`
  const ftId = `${stx}:${STX.ft}`
  const ft2Id = `${stx}:${STX.ft2}`
  const sftId = `${stx}:${STX.sft}`

  await insertRows(db, 'contract', [
    contract(eth, EVM.axes, 'ERC721', { deployer: OWNER.a }),
    contract(eth, EVM.items, 'ERC1155'),
    contract(eth, EVM.usdc, 'ERC20', { total_supply: '1000000000000' }),
    contract(CHAIN.amoy, EVM.amoy, 'ERC721'),
    contract(stx, STX.nft, 'SIP009', { deployer: STX.deployer }),
    // Its define-fungible-token is named `wusd`, not after the contract (as the processor stores it).
    contract(stx, STX.ft, 'SIP010', { asset_name: 'wusd' }),
    contract(stx, STX.ft2, 'SIP010'),
    contract(stx, STX.sft, 'SIP013'),
  ])
  await insertRows(db, 'contract_metadata', [
    {
      id: usdcId,
      contract_id: usdcId,
      status: 'AVAILABLE',
      name: 'USD Coin',
      symbol: 'USDC',
      decimals: 6,
      total_supply: '999',
      uri: null,
      updated_at: FETCHED,
      last_fetched_at: FETCHED,
    },
    {
      id: axesId,
      contract_id: axesId,
      status: 'AVAILABLE',
      name: 'Axes',
      symbol: 'AXE',
      decimals: null,
      total_supply: null,
      uri: 'https://axes.example/contract.json',
      normalized: { name: 'Axes', description: 'A collection of axes' },
      updated_at: FETCHED,
      last_fetched_at: FETCHED,
    },
    {
      id: ftId,
      contract_id: ftId,
      status: 'AVAILABLE',
      name: 'Wrapped USD',
      symbol: 'xUSD',
      decimals: 8,
      total_supply: '9999980000000',
      uri: 'ipfs://ipfs/Qmf9/wusd.json',
      updated_at: FETCHED,
      last_fetched_at: FETCHED,
    },
    {
      id: ft2Id,
      contract_id: ft2Id,
      status: 'AVAILABLE',
      name: 'MiamiCoin',
      symbol: 'MIA',
      decimals: 6,
      total_supply: '500',
      uri: 'https://mia.example/token.json',
      updated_at: FETCHED,
      last_fetched_at: FETCHED,
    },
  ])

  // ERC-721 "Axes": ids 0..29 and 2^256-1. 0..19 and MAX fetched; 20..29 in the other states.
  const axeIds = [...Array.from({ length: 30 }, (_, i) => String(i)), UINT256_MAX]
  const owners = (i: number) => (i < 10 ? OWNER.a : i < 20 ? OWNER.b : OWNER.c)
  await insertRows(
    db,
    'token',
    axeIds.map((id, i) => token(axesId, eth, 'ERC721', id, { owner: owners(i) })),
  )
  const metas: Row[] = []
  const attrs: Row[] = []
  const jobs: Row[] = []
  for (const [i, id] of axeIds.entries()) {
    const ref = `${axesId}:${id}`
    const fetched = i < 20 || id === UINT256_MAX
    if (fetched) {
      const doc = axeDoc(i)
      metas.push(metadata(ref, axesId, 'AVAILABLE', doc))
      attrs.push(...attributeRows(ref, axesId, doc.attributes!))
      jobs.push(job('TOKEN', eth, axesId, ref, 'DONE', { finished_at: FETCHED }))
      axesStatus.set(id, 'AVAILABLE')
    }
  }
  const ref = (id: number) => `${axesId}:${id}`
  metas.push(metadata(ref(20), axesId, 'AVAILABLE', axeDoc(20)))
  attrs.push(...attributeRows(ref(20), axesId, axeDoc(20).attributes!))
  jobs.push(job('TOKEN', eth, axesId, ref(20), 'QUEUED', { priority: 100 }))
  axesStatus.set('20', 'STALE')
  jobs.push(job('TOKEN', eth, axesId, ref(21), 'RUNNING'))
  axesStatus.set('21', 'PENDING')
  jobs.push(job('TOKEN', eth, axesId, ref(22), 'QUEUED', { error_code: 'timeout', error_message: 'slow host' }))
  axesStatus.set('22', 'PENDING')
  metas.push(metadata(ref(23), axesId, 'FAILED', null, { error_code: 'timeout', error_message: 'no answer within 10000 ms' }))
  jobs.push(job('TOKEN', eth, axesId, ref(23), 'FAILED', { error_code: 'timeout', error_message: 'no answer within 10000 ms', attempts: 8 }))
  axesStatus.set('23', 'FAILED')
  metas.push(metadata(ref(24), axesId, 'INVALID', null, { error_code: 'token_not_found', error_message: 'HTTP 404', error_http_status: 404 }))
  jobs.push(job('TOKEN', eth, axesId, ref(24), 'INVALID', { error_code: 'token_not_found', error_message: 'HTTP 404', error_http_status: 404 }))
  axesStatus.set('24', 'INVALID')
  for (let i = 25; i < 30; i++) axesStatus.set(String(i), 'PENDING') // seen on chain, no job yet

  // ERC-1155 "Items": ids 1..3 with holders; id 1 has a French variant.
  await insertRows(
    db,
    'token',
    ['1', '2', '3'].map((id) => token(itemsId, eth, 'ERC1155', id, { supply: id === '1' ? '7' : '7' })),
  )
  for (const id of ['1', '2', '3']) {
    const doc: DocInput = {
      name: `Item ${id}`,
      image: `https://items.example/${id}.png`,
      attributes: [{ trait_type: 'Kind', value: id === '3' ? 'Shield' : 'Sword' }],
      localization: { uri: 'https://items.example/{locale}/{id}.json', default: 'en', locales: ['en', 'fr'] },
    }
    metas.push(metadata(`${itemsId}:${id}`, itemsId, 'AVAILABLE', doc))
    attrs.push(...attributeRows(`${itemsId}:${id}`, itemsId, doc.attributes!))
    jobs.push(job('TOKEN', eth, itemsId, `${itemsId}:${id}`, 'DONE'))
  }
  await insertRows(db, 'balance', [
    { id: `${itemsId}:1:${OWNER.a}`, token_id: `${itemsId}:1`, contract_id: itemsId, account: OWNER.a, amount: '5' },
    { id: `${itemsId}:1:${OWNER.b}`, token_id: `${itemsId}:1`, contract_id: itemsId, account: OWNER.b, amount: '2' },
    { id: `${itemsId}:2:${OWNER.a}`, token_id: `${itemsId}:2`, contract_id: itemsId, account: OWNER.a, amount: '7' },
    { id: `${itemsId}:3:${OWNER.c}`, token_id: `${itemsId}:3`, contract_id: itemsId, account: OWNER.c, amount: '0' },
  ])

  // ERC-20: one token row, id 0.
  await insertRows(db, 'token', [token(usdcId, eth, 'ERC20', '0', { supply: '0' })])
  metas.push(metadata(`${usdcId}:0`, usdcId, 'AVAILABLE', { name: 'USD Coin', image: 'https://usdc.example/logo.png', decimals: 6 }))
  jobs.push(job('TOKEN', eth, usdcId, `${usdcId}:0`, 'DONE'))

  // A second EVM chain.
  await insertRows(
    db,
    'token',
    ['0', '1'].map((id) => token(amoyId, CHAIN.amoy, 'ERC721', id, { owner: OWNER.a })),
  )
  metas.push(metadata(`${amoyId}:0`, amoyId, 'AVAILABLE', { name: 'Amoy NFT 0' }))
  jobs.push(job('TOKEN', CHAIN.amoy, amoyId, `${amoyId}:0`, 'DONE'), job('TOKEN', CHAIN.amoy, amoyId, `${amoyId}:1`, 'QUEUED'))

  // Stacks SIP-009: 1 fetched (with an "es" variant), 2 queued, 3 invalid, 4 stale, 5 failed.
  await insertRows(
    db,
    'token',
    ['1', '2', '3', '4', '5'].map((id) => token(nftId, stx, 'SIP009', id, { owner: STX.holder, chain_uri: `ipfs://boombox/${id}.json` })),
  )
  const boombox = (id: string): DocInput => ({
    name: `Boombox #${id}`,
    description: 'Heavy hitters',
    image: `ipfs://ipfs/QmZ/${id}.png`,
    attributes: [{ trait_type: 'Background', display_type: 'string', value: 'value' }],
    properties: { collection: 'Foo Collection', total_supply: '10000' },
    localization: { uri: 'http://token.com/metadata?hl={locale}', default: 'en', locales: ['en', 'es'] },
  })
  metas.push(metadata(`${nftId}:1`, nftId, 'AVAILABLE', boombox('1')))
  jobs.push(job('TOKEN', stx, nftId, `${nftId}:1`, 'DONE'))
  jobs.push(job('TOKEN', stx, nftId, `${nftId}:2`, 'QUEUED'))
  metas.push(metadata(`${nftId}:3`, nftId, 'INVALID', null, { error_code: 'metadata_invalid', error_message: 'not JSON' }))
  jobs.push(job('TOKEN', stx, nftId, `${nftId}:3`, 'INVALID', { error_code: 'metadata_invalid', error_message: 'not JSON' }))
  metas.push(metadata(`${nftId}:4`, nftId, 'AVAILABLE', boombox('4')))
  jobs.push(job('TOKEN', stx, nftId, `${nftId}:4`, 'RUNNING'))
  metas.push(metadata(`${nftId}:5`, nftId, 'FAILED', null, { error_code: 'timeout', error_message: 'slow' }))
  jobs.push(job('TOKEN', stx, nftId, `${nftId}:5`, 'FAILED', { error_code: 'timeout', error_message: 'slow' }))

  // Stacks SIP-010: wrapped-usd fetched; miamicoin still queued.
  await insertRows(db, 'token', [token(ftId, stx, 'SIP010', '0', { supply: '0' }), token(ft2Id, stx, 'SIP010', '0', { supply: '0' })])
  metas.push(
    metadata(
      `${ftId}:0`,
      ftId,
      'AVAILABLE',
      { name: 'Wrapped USD', description: 'Heavy hitters, all-stars', image: 'ipfs://ipfs/QmZMqhh/12199.png' },
      { uri: 'ipfs://ipfs/Qmf9/wusd.json' },
    ),
  )
  jobs.push(job('TOKEN', stx, ftId, `${ftId}:0`, 'DONE'), job('TOKEN', stx, ft2Id, `${ft2Id}:0`, 'QUEUED'))

  // Stacks SIP-013: token 7.
  await insertRows(db, 'token', [token(sftId, stx, 'SIP013', '7', { supply: '250' })])
  metas.push(metadata(`${sftId}:7`, sftId, 'AVAILABLE', { name: 'Key 7', decimals: 6 }, { decimals: 6 }))
  jobs.push(job('TOKEN', stx, sftId, `${sftId}:7`, 'DONE'))

  // Contract jobs.
  for (const id of [axesId, usdcId, ftId, ft2Id]) jobs.push(job('CONTRACT', id.startsWith('stacks') ? stx : eth, id, null, 'DONE'))

  await insertRows(db, 'token_metadata', metas)
  await insertRows(db, 'token_attribute', attrs)
  await insertRows(db, 'metadata_job', jobs)
  await insertRows(db, 'token_locale', [
    { id: `${axesId}:2:fr`, token_id: `${axesId}:2`, locale: 'fr', status: 'AVAILABLE', normalized: { ...axeDoc(2), name: 'Hache #2', locale: 'fr' }, raw: null },
    {
      id: `${itemsId}:1:fr`,
      token_id: `${itemsId}:1`,
      locale: 'fr',
      status: 'AVAILABLE',
      normalized: { name: 'Objet 1', attributes: [{ trait_type: 'Genre', value: 'Épée' }], locale: 'fr' },
      raw: null,
    },
    {
      id: `${nftId}:1:es`,
      token_id: `${nftId}:1`,
      locale: 'es',
      status: 'AVAILABLE',
      normalized: { ...boombox('1'), name: 'Caja #1', localization: undefined, locale: 'es' },
      raw: null,
    },
  ])

  // Processor checkpoints and recent queue activity.
  for (const [schema, height] of [
    ['stacks_1_processor', 163541],
    ['eip155_1_processor', 100],
  ] as const) {
    await db.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
    await db.query(`CREATE TABLE IF NOT EXISTS "${schema}".status (id int PRIMARY KEY, height int NOT NULL, hash text NOT NULL)`)
    await db.query(`INSERT INTO "${schema}".status VALUES (0, $1, '0xabc') ON CONFLICT (id) DO UPDATE SET height = excluded.height`, [height])
  }
  const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000)
  await insertRows(db, 'job_stat_minute', [
    { id: `${minute.toISOString()}|${eth}|axes.example`, minute, chain: eth, host: 'axes.example', completed: 12, failed: 1, invalid: 2, retried: 3 },
    { id: `${minute.toISOString()}|${stx}|`, minute, chain: stx, host: '', completed: 4, failed: 0, invalid: 1, retried: 0 },
  ])
  return { axesStatus }
}
