// The canonical chain of the stored node blocks (src/store/stacksNodeBlocks.ts), decided as the
// Stacks API decides it, whether the blocks come one per transaction (the observer) or in batches (an import).
import { describe, expect, it } from 'vitest'
import { storedBlocks, storeNodeBlocks, type NodeBlockToStore } from '../../src/store/stacksNodeBlocks'
import { useTestDatabase } from '../helpers/database'

const db = useTestDatabase()

const hash = (name: string) => '0x' + Buffer.from(name.padEnd(32, '.')).toString('hex')
function block(name: string, height: number, parent: string): NodeBlockToStore {
  return {
    indexBlockHash: hash(name),
    blockHash: hash(`b-${name}`),
    height,
    parentIndexBlockHash: parent === '' ? hash('genesis-parent') : hash(parent),
    payload: `{"name":"${name}"}`,
  }
}

// A1 A2 | B2 (same height: A2 stays) | B3 on B2 (B outgrows A) | A3, A4 on A2 (A outgrows B again)
const SEQUENCE = [block('A1', 1, ''), block('A2', 2, 'A1'), block('B2', 2, 'A1'), block('B3', 3, 'B2'), block('A3', 3, 'A2'), block('A4', 4, 'A3')]

async function canonical(chain: string): Promise<string[]> {
  const rows = (await storedBlocks(db.ds, chain)).filter((b) => b.canonical)
  return rows.map((r) => (JSON.parse(r.payload) as { name: string }).name)
}

describe('stored Stacks node blocks', () => {
  it('follow the longest chain, the first seen winning at equal height, one block per transaction', async () => {
    const chain = 'stacks:101'
    const after: string[][] = []
    for (const b of SEQUENCE) {
      await storeNodeBlocks(db.ds, chain, [b])
      after.push(await canonical(chain))
    }
    expect(after).toEqual([['A1'], ['A1', 'A2'], ['A1', 'A2'], ['A1', 'B2', 'B3'], ['A1', 'B2', 'B3'], ['A1', 'A2', 'A3', 'A4']])
  })

  it('end the same when the blocks come in one batch, and store a block sent again once', async () => {
    const chain = 'stacks:102'
    expect(await storeNodeBlocks(db.ds, chain, [...SEQUENCE, SEQUENCE[3]])).toEqual({ stored: 6, duplicates: 1 })
    expect(await storeNodeBlocks(db.ds, chain, SEQUENCE)).toEqual({ stored: 0, duplicates: 6 })
    expect(await canonical(chain)).toEqual(['A1', 'A2', 'A3', 'A4'])
  })
})
