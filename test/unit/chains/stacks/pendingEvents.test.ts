// Which events wait for their contract's interface, and how kept events become blocks again.
import { Cl } from '@stacks/transactions'
import { describe, expect, it } from 'vitest'
import type { StacksBlock, StacksEvent } from '../../../../src/chains/stacks/blockSource'
import { toHexRepr } from '../../../../src/chains/stacks/clarity'
import { blocksOfPending, takePending } from '../../../../src/chains/stacks/pendingEvents'

const OLD = 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.old-punks'
const KNOWN = 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.known-token'
const WALLET = 'SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7'

function print(contractId: string, eventIndex: number, value: ReturnType<typeof Cl.tuple>): StacksEvent {
  return { type: 'print', txId: '0xaa', eventIndex, contractId, topic: 'print', value: toHexRepr(value) }
}

const block: StacksBlock = {
  height: 7,
  hash: '0x07',
  indexBlockHash: '0x17',
  parentIndexBlockHash: '0x16',
  parentBlockHash: '0x06',
  timestamp: 1700000000,
  burnBlockHeight: 100,
  txCount: 1,
  failedTxIds: [],
  txs: [
    {
      txId: '0xaa',
      index: 0,
      sender: WALLET,
      status: 'success',
      kind: 'contract_call',
      events: [
        {
          type: 'nft_mint',
          txId: '0xaa',
          eventIndex: 0,
          assetIdentifier: `${OLD}::punk`,
          contractId: OLD,
          assetName: 'punk',
          tokenValue: { hex: '0x0100000000000000000000000000000001', repr: 'u1' },
          tokenId: '1',
          recipient: WALLET,
        },
        { type: 'ft_mint', txId: '0xaa', eventIndex: 1, assetIdentifier: `${KNOWN}::t`, contractId: KNOWN, assetName: 't', amount: '5', recipient: WALLET },
        print(OLD, 2, Cl.tuple({ type: Cl.stringAscii('sft_mint'), 'token-id': Cl.uint(1), amount: Cl.uint(2), recipient: Cl.principal(WALLET) })),
        print(OLD, 3, Cl.tuple({ notification: Cl.stringAscii('token-metadata-update') })),
      ],
    },
  ],
}

describe('events waiting for an interface', () => {
  it('takes out the asset events and SIP-013-shaped prints of unresolved contracts only', () => {
    const { block: kept, pending } = takePending(block, (id) => id === OLD)
    expect(pending.map((p) => p.event.eventIndex)).toEqual([0, 2])
    expect(pending[0]).toMatchObject({ contractId: OLD, indexBlockHash: '0x17', height: 7, blockTime: 1700000000, txId: '0xaa', txIndex: 0, sender: WALLET })
    // the known contract's event and a SIP-019 notice (which needs no emitter standard) stay
    expect(kept.txs[0].events.map((e) => e.eventIndex)).toEqual([1, 3])
  })

  it('leaves a block without such events untouched', () => {
    const { block: same, pending } = takePending(block, () => false)
    expect(pending).toEqual([])
    expect(same).toBe(block)
  })

  it('rebuilds kept events into blocks in chain order', () => {
    const { pending } = takePending(block, (id) => id === OLD)
    const later = { ...pending[0], indexBlockHash: '0x18', height: 8, txId: '0xbb', event: { ...pending[0].event, txId: '0xbb' } }
    const blocks = blocksOfPending([later, pending[1], pending[0]])
    expect(blocks.map((b) => [b.height, b.indexBlockHash, b.timestamp])).toEqual([
      [7, '0x17', 1700000000],
      [8, '0x18', 1700000000],
    ])
    expect(blocks[0].txs).toHaveLength(1)
    expect(blocks[0].txs[0]).toMatchObject({ txId: '0xaa', sender: WALLET })
    expect(blocks[0].txs[0].events.map((e) => e.eventIndex)).toEqual([0, 2])
  })
})
