// The trait token sets (migration 1797000000700) behind filtered facet counts: after inserts,
// attribute replacements (as the metadata writer does them) and a reorg (token rows deleted, their
// attributes with them, other tokens minted), the counts from the sets equal a from-scratch
// computation over the attribute rows the test wrote; while a change waits for its rebuild, and
// for a collection whose sets cannot answer exactly, the reader scans instead, with the same result.
import { beforeAll, describe, expect, it } from 'vitest'
import { compactCounters } from '../../src/store/counterCompaction'
import { filteredTraitCounts } from '../../src/store/read/collectionStats'
import { readDbFromDataSource, type ReadDb } from '../../src/store/read/readDb'
import { traitSetCounts, type FacetCount, type FacetFilter } from '../../src/store/read/traitSets'
import { useTestDatabase } from '../helpers/database'
import { rng, type Rng } from '../helpers/prng'

const db = useTestDatabase()
let read: ReadDb
const C = 'eip155:1:0x00000000000000000000000000000000000000c1'
const OTHER = 'eip155:1:0x00000000000000000000000000000000000000c2'

/** trait type -> values, skewed: the first values are the most frequent. */
const TRAITS: Record<string, string[]> = {
  Eyes: ['Big', 'Small', 'Laser', 'Closed'],
  Hat: ['None', 'Cap', 'Crown'],
  Fur: ['Brown', 'White', 'Gold', 'Zebra', 'Pink'],
  Mood: ['Calm', 'Angry'],
}

interface Attr {
  traitType: string | null
  value: string | null
}

/** The attribute rows the test wrote, per token ref: what a from-scratch count reads. */
const model = new Map<string, Attr[]>()

function randomAttrs(r: Rng): Attr[] {
  const attrs: Attr[] = []
  for (const [traitType, values] of Object.entries(TRAITS)) {
    if (r.chance(0.15)) continue // some tokens lack a trait
    attrs.push({ traitType, value: values[Math.min(values.length - 1, Math.floor(-Math.log2(1 - r.next())))]! })
  }
  if (r.chance(0.05)) attrs.push({ traitType: 'Note', value: null })
  if (r.chance(0.05)) attrs.push({ traitType: null, value: 'untyped' })
  return attrs
}

async function mint(contractId: string, ids: number[]): Promise<void> {
  await db.ds.query(
    `INSERT INTO token (id, chain, contract_id, token_id, standard, owner, supply, burned, mint_block, update_mode)
     SELECT $1 || ':' || t, 'eip155:1', $1, t, 'ERC721', '0x0000000000000000000000000000000000000001', 1, false, 1, 'STANDARD' FROM unnest($2::int[]) t`,
    [contractId, ids],
  )
}

/** Replaces the attribute rows of the tokens, one DELETE and one INSERT for all of them (the metadata writer's statements). */
async function writeAttrs(contractId: string, docs: Map<number, Attr[]>): Promise<void> {
  const refs = [...docs.keys()].map((id) => `${contractId}:${id}`)
  await db.ds.query(`DELETE FROM token_attribute WHERE token_id = ANY($1::text[])`, [refs])
  const rows = [...docs.entries()].flatMap(([id, attrs]) => attrs.map((a, position) => ({ ref: `${contractId}:${id}`, a, position })))
  await db.ds.query(
    `INSERT INTO token_attribute (id, token_id, contract_id, position, trait_type, value)
     SELECT token_id || ':' || position, token_id, $1, position, trait_type, value FROM unnest($2::text[], $3::int[], $4::text[], $5::text[]) AS a(token_id, position, trait_type, value)`,
    [contractId, rows.map((r) => r.ref), rows.map((r) => r.position), rows.map((r) => r.a.traitType), rows.map((r) => r.a.value)],
  )
  if (contractId === C) for (const [id, attrs] of docs) model.set(`${C}:${id}`, attrs)
}

/** Every mark rebuilt (each call rebuilds at most 50 collections). */
async function compactAll(): Promise<void> {
  for (;;) {
    await compactCounters(db.ds)
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM trait_set_dirty`)
    if (n === 0) return
  }
}

/** Facet counts as the definition states them, over the rows the test wrote. */
function fromScratch(filters: readonly FacetFilter[]): FacetCount[] {
  const matches = (attrs: Attr[], f: FacetFilter) => attrs.some((a) => a.traitType === f.traitType && a.value !== null && f.values.includes(a.value))
  const counts = new Map<string, FacetCount>()
  for (const attrs of model.values()) {
    for (const a of attrs) {
      if (a.traitType === null) continue
      if (!filters.every((f) => f.traitType === a.traitType || matches(attrs, f))) continue
      const key = `${a.traitType}\u001f${a.value ?? ''}`
      const c = counts.get(key) ?? { traitType: a.traitType, value: a.value ?? '', count: 0 }
      c.count++
      counts.set(key, c)
    }
  }
  return sorted([...counts.values()])
}

function sorted(counts: FacetCount[]): FacetCount[] {
  const key = (c: FacetCount) => `${c.traitType}\u001f${c.value}`
  return [...counts].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

/** Filter sets: one to three filters, one or two values each, a value no token has, a trait type twice. */
function filterCases(r: Rng): FacetFilter[][] {
  const types = Object.keys(TRAITS)
  const cases: FacetFilter[][] = [
    [{ traitType: 'Eyes', values: ['Big'] }],
    [
      { traitType: 'Eyes', values: ['Small'] },
      { traitType: 'Hat', values: ['None', 'Cap'] },
    ],
    [{ traitType: 'Fur', values: ['Nonexistent'] }],
    [
      { traitType: 'Fur', values: ['Brown', 'White'] },
      { traitType: 'Fur', values: ['White', 'Gold'] },
    ],
  ]
  for (let i = 0; i < 20; i++) {
    cases.push(
      Array.from({ length: r.int(1, 3) }, () => {
        const traitType = r.pick(types)
        return { traitType, values: [...new Set([r.pick(TRAITS[traitType]!), r.pick(TRAITS[traitType]!)])] }
      }),
    )
  }
  return cases
}

async function expectSetsEqualScratch(r: Rng): Promise<void> {
  for (const filters of filterCases(r)) {
    const fromSets = await traitSetCounts(read, C, filters)
    expect(fromSets, 'the sets are current').not.toBeNull()
    expect(sorted(fromSets!), JSON.stringify(filters)).toEqual(fromScratch(filters))
  }
}

beforeAll(async () => {
  read = readDbFromDataSource(db.ds)
  for (const id of [C, OTHER]) {
    await db.ds.query(
      `INSERT INTO contract (id, chain, address, standard, first_seen_block, update_mode, created_at) VALUES ($1, 'eip155:1', $2, 'ERC721', 1, 'STANDARD', now())`,
      [id, id.slice('eip155:1:'.length)],
    )
  }
})

describe('trait token sets', () => {
  it('equal a from-scratch count after inserts, replacements and a reorg; a pending change or an inexact collection is scanned', async () => {
    const r = rng(17)
    const ids = Array.from({ length: 400 }, (_, i) => i)
    await mint(C, ids)
    await mint(OTHER, [0, 1, 2])
    await writeAttrs(C, new Map(ids.map((id) => [id, randomAttrs(r)])))
    await writeAttrs(OTHER, new Map([[0, [{ traitType: 'Eyes', value: 'Big' }]]]))
    await compactAll()
    await expectSetsEqualScratch(r)

    // a reveal of 150 tokens: until the maintenance rebuilds the sets, the reader scans the rows
    await writeAttrs(C, new Map(ids.slice(100, 250).map((id) => [id, randomAttrs(r)])))
    const pending = [{ traitType: 'Eyes', values: ['Big'] }]
    expect(await traitSetCounts(read, C, pending)).toBeNull()
    const scanned = (await filteredTraitCounts(read, C, pending)).flatMap((f) => f.values.map((v) => ({ traitType: f.traitType, ...v })))
    expect(sorted(scanned)).toEqual(fromScratch(pending))
    await compactAll()
    await expectSetsEqualScratch(r)

    // a reorg: 60 tokens' rows go (their attribute rows by cascade), 40 other tokens are minted
    const orphaned = ids.slice(300, 360)
    await db.ds.query(`DELETE FROM token WHERE id = ANY($1::text[])`, [orphaned.map((id) => `${C}:${id}`)])
    for (const id of orphaned) model.delete(`${C}:${id}`)
    const minted = Array.from({ length: 40 }, (_, i) => 1000 + i)
    await mint(C, minted)
    await writeAttrs(C, new Map(minted.map((id) => [id, randomAttrs(r)])))
    await compactAll()
    await expectSetsEqualScratch(r)

    // a token with the same trait value twice: bits cannot count it twice, so the reader scans
    await writeAttrs(
      C,
      new Map([
        [
          0,
          [
            { traitType: 'Hat', value: 'Cap' },
            { traitType: 'Hat', value: 'Cap' },
          ],
        ],
      ]),
    )
    await compactAll()
    const twice = [{ traitType: 'Eyes', values: ['Small', 'Big'] }]
    expect(await traitSetCounts(read, C, twice)).toBeNull()
    const exact = (await filteredTraitCounts(read, C, twice)).flatMap((f) => f.values.map((v) => ({ traitType: f.traitType, ...v })))
    expect(sorted(exact)).toEqual(fromScratch(twice))
  })
})
