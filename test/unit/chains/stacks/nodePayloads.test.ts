// The node's /new_block bodies of the real recordings, parsed as the processor sees them.
import path from 'node:path'
import { serializeCV } from '@stacks/transactions'
import { describe, expect, it } from 'vitest'
import { openEventArchive, parseLine, unescapeCopyText } from '../../../../src/chains/stacks/node/eventArchive'
import { clarityFromJson } from '../../../../src/chains/stacks/node/clarityJson'
import { parseNewBlock, toStacksEvent } from '../../../../src/chains/stacks/node/newBlock'
import type { NodeBlockMessage, NodeEvent } from '../../../../src/chains/stacks/node/observerPayloads'

const FIXTURES = path.resolve(__dirname, '../../../fixtures/stacks-node-events')

async function blocksOf(file: string): Promise<NodeBlockMessage[]> {
  const archive = await openEventArchive(path.join(FIXTURES, file))
  const out: NodeBlockMessage[] = []
  for await (const r of archive.requests) if (r.path === '/new_block') out.push(JSON.parse(r.body) as NodeBlockMessage)
  return out
}

function clarityFields(blocks: NodeBlockMessage[]): { raw: string; value: unknown }[] {
  const out: { raw: string; value: unknown }[] = []
  for (const b of blocks) {
    for (const e of b.events) {
      const body = e[e.type] as { raw_value?: string; value?: unknown } | undefined
      if (body?.raw_value && body.value !== undefined) out.push({ raw: body.raw_value, value: body.value })
    }
  }
  return out
}

describe('event-observer payloads', () => {
  it('decodes every structured-JSON Clarity value of the mainnet recordings to the bytes of its raw_value', async () => {
    const fields = clarityFields([...(await blocksOf('mainnet-out-of-order-microblock.tsv')), ...(await blocksOf('mainnet-reorg-scenario2.tsv'))])
    expect(fields.length).toBe(14)
    for (const f of fields) expect('0x' + serializeCV(clarityFromJson(f.value))).toBe(f.raw)
  })

  it('reads an NFT event without raw_value from its structured JSON', () => {
    const e: NodeEvent = {
      txid: '0x01',
      event_index: 3,
      committed: true,
      type: 'nft_mint_event',
      nft_mint_event: {
        asset_identifier: 'SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.free-punks-v0::free-punks',
        recipient: 'SP1AJHPGR201NHMPT6M2ME9ACS32TS02FVYJ4VVKA',
        value: { UInt: 483 },
      },
    }
    expect(toStacksEvent(e)).toEqual({
      txId: '0x01',
      eventIndex: 3,
      type: 'nft_mint',
      assetIdentifier: 'SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.free-punks-v0::free-punks',
      contractId: 'SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.free-punks-v0',
      assetName: 'free-punks',
      tokenValue: { hex: '0x01000000000000000000000000000001e3', repr: 'u483' },
      tokenId: '483',
      recipient: 'SP1AJHPGR201NHMPT6M2ME9ACS32TS02FVYJ4VVKA',
    })
  })

  it('takes senders, kinds and called contracts from raw_tx, and leaves failed transactions and their events out', async () => {
    const [b] = await blocksOf('mainnet-out-of-order-microblock.tsv')
    const block = parseNewBlock(b)
    expect(block.height).toBe(1)
    expect(block.txCount).toBe(22)
    expect(block.failedTxIds).toEqual([b.transactions[12].txid, b.transactions[14].txid])
    expect(block.txs).toHaveLength(20)
    const punks = block.txs.find((t) => t.txId.startsWith('0xa63da9d3'))!
    expect(punks.contractCall?.contractId).toBe('SPJW1XE278YMCEYMXB8ZFGJMH8ZVAAEDP2S2PJYG.stacks-punks-market')
    expect(punks.events.map((e) => e.type)).toContain('nft_transfer')
    // the events of the post-condition failure (a punk transfer) are not there
    expect(block.txs.flatMap((t) => t.events).some((e) => e.type === 'nft_transfer' && e.tokenId === '877')).toBe(false)
    // confirmed microblock transactions belong to the block that confirms them
    expect(block.txs.filter((t) => b.transactions.find((x) => x.txid === t.txId)?.microblock_hash)).toHaveLength(6)
  })

  it('carries the contract interface of each deployment of the epoch-3 recording', async () => {
    const blocks = (await blocksOf('epoch-3-transition.tsv.gz')).map(parseNewBlock)
    // 52 requests for 51 blocks: the node announced the genesis block a second time, without its transactions
    expect(blocks).toHaveLength(52)
    expect([...new Set(blocks.map((b) => b.height))]).toEqual(Array.from({ length: 51 }, (_, i) => i))
    const geneses = blocks.filter((b) => b.height === 0)
    expect(geneses.map((b) => b.indexBlockHash)).toEqual([geneses[0].indexBlockHash, geneses[0].indexBlockHash])
    expect(geneses.map((b) => b.txCount)).toEqual([7, 0])
    const deploys = blocks.flatMap((b) => b.txs.filter((t) => t.deployedContractId))
    expect(deploys.length).toBe(37)
    expect(deploys.every((t) => t.contractInterface !== undefined && t.kind === 'smart_contract')).toBe(true)
    expect(deploys[0].deployedContractId).toBe('ST000000000000000000002AMW42H.pox')
  })

  it('undoes COPY text escaping in archive fields', () => {
    expect(unescapeCopyText('{"a":"x\\\\ny"}')).toBe('{"a":"x\\ny"}')
    expect(unescapeCopyText('tab\\there')).toBe('tab\there')
    const line = parseLine('7\t2024-01-01 00:00:00+00\t/new_block\t{"k":"\\\\u0041"}', 1)
    expect(line).toEqual({ line: 1, id: '7', path: '/new_block', body: '{"k":"\\u0041"}' })
  })
})
