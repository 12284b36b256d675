import { Cl } from '@stacks/transactions'
import { describe, expect, it } from 'vitest'
import type { ApiTxEvent } from '../../../../src/chains/stacks/apiTypes'
import { toStacksEvent } from '../../../../src/chains/stacks/blockSource'
import { toHexRepr } from '../../../../src/chains/stacks/clarity'

const TX = '0x' + 'cc'.repeat(32)
const ALICE = 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173'
const BOB = 'ST3PF13W7Z0RRM42A8VZRVFQ75SV1K26RXEP8YGKJ'
const NFT = 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.nft'
const base = { tx_id: TX, event_index: 4 }
const UINT_42 = toHexRepr(Cl.uint(42))

function nftEvent(kind: 'mint' | 'transfer' | 'burn', value = UINT_42, assetId = `${NFT}::token`): ApiTxEvent {
  return { ...base, event_type: 'non_fungible_token_asset', asset: { asset_event_type: kind, asset_id: assetId, sender: ALICE, recipient: BOB, value } }
}

function ftEvent(kind: 'mint' | 'transfer' | 'burn'): ApiTxEvent {
  return {
    ...base,
    event_type: 'fungible_token_asset',
    asset: { asset_event_type: kind, asset_id: `${NFT}::coin`, sender: ALICE, recipient: BOB, amount: '340282366920938463463374607431768211455' },
  }
}

function stxEvent(kind: 'mint' | 'transfer' | 'burn', memo?: string): ApiTxEvent {
  return { ...base, event_type: 'stx_asset', asset: { asset_event_type: kind, sender: ALICE, recipient: BOB, amount: '1000', ...(memo === undefined ? {} : { memo }) } }
}

const nftFields = { txId: TX, eventIndex: 4, assetIdentifier: `${NFT}::token`, contractId: NFT, assetName: 'token', tokenValue: UINT_42, tokenId: '42' }
const ftFields = { txId: TX, eventIndex: 4, assetIdentifier: `${NFT}::coin`, contractId: NFT, assetName: 'coin', amount: '340282366920938463463374607431768211455' }

describe('toStacksEvent', () => {
  it('maps a smart_contract_log to a print of the logging contract', () => {
    const value = toHexRepr(Cl.tuple({ a: Cl.uint(1) }))
    const e: ApiTxEvent = { ...base, event_type: 'smart_contract_log', contract_log: { contract_id: NFT, topic: 'print', value } }
    expect(toStacksEvent(e)).toEqual({ txId: TX, eventIndex: 4, type: 'print', contractId: NFT, topic: 'print', value })
  })

  it('maps an NFT mint to nft_mint with the recipient and the decimal token id', () => {
    expect(toStacksEvent(nftEvent('mint'))).toEqual({ ...nftFields, type: 'nft_mint', recipient: BOB })
  })

  it('maps an NFT transfer to nft_transfer with sender and recipient', () => {
    expect(toStacksEvent(nftEvent('transfer'))).toEqual({ ...nftFields, type: 'nft_transfer', sender: ALICE, recipient: BOB })
  })

  it('maps an NFT burn to nft_burn with the sender', () => {
    expect(toStacksEvent(nftEvent('burn'))).toEqual({ ...nftFields, type: 'nft_burn', sender: ALICE })
  })

  it('leaves out the token id of an NFT whose value is not a uint', () => {
    const value = toHexRepr(Cl.stringAscii('x'))
    const { tokenId: _uint, ...withoutId } = nftFields
    const e = toStacksEvent(nftEvent('mint', value))
    expect(e).toEqual({ ...withoutId, tokenValue: value, type: 'nft_mint', recipient: BOB })
    expect(e).not.toHaveProperty('tokenId')
  })

  it('reads the largest u128 token id exactly', () => {
    expect(toStacksEvent(nftEvent('mint', toHexRepr(Cl.uint(2n ** 128n - 1n))))).toMatchObject({ tokenId: (2n ** 128n - 1n).toString() })
  })

  it('splits the asset identifier at the first "::" into contract and asset name', () => {
    expect(toStacksEvent(nftEvent('mint', UINT_42, `${NFT}::a::b`))).toMatchObject({ contractId: NFT, assetName: 'a::b' })
  })

  it('keeps an asset identifier without "::" whole as the contract, with an empty asset name', () => {
    expect(toStacksEvent(nftEvent('mint', UINT_42, NFT))).toMatchObject({ contractId: NFT, assetName: '', assetIdentifier: NFT })
  })

  it('maps an FT mint to ft_mint with the recipient and the amount as sent', () => {
    expect(toStacksEvent(ftEvent('mint'))).toEqual({ ...ftFields, type: 'ft_mint', recipient: BOB })
  })

  it('maps an FT transfer to ft_transfer with sender and recipient', () => {
    expect(toStacksEvent(ftEvent('transfer'))).toEqual({ ...ftFields, type: 'ft_transfer', sender: ALICE, recipient: BOB })
  })

  it('maps an FT burn to ft_burn with the sender', () => {
    expect(toStacksEvent(ftEvent('burn'))).toEqual({ ...ftFields, type: 'ft_burn', sender: ALICE })
  })

  it('maps an STX mint to stx_mint with the recipient', () => {
    expect(toStacksEvent(stxEvent('mint'))).toEqual({ txId: TX, eventIndex: 4, type: 'stx_mint', amount: '1000', recipient: BOB })
  })

  it('maps an STX burn to stx_burn with the sender', () => {
    expect(toStacksEvent(stxEvent('burn'))).toEqual({ txId: TX, eventIndex: 4, type: 'stx_burn', amount: '1000', sender: ALICE })
  })

  it('maps an STX transfer with a memo to stx_transfer carrying the memo', () => {
    expect(toStacksEvent(stxEvent('transfer', '0x6869'))).toEqual({ txId: TX, eventIndex: 4, type: 'stx_transfer', amount: '1000', sender: ALICE, recipient: BOB, memo: '0x6869' })
  })

  it('leaves out an empty STX transfer memo', () => {
    expect(toStacksEvent(stxEvent('transfer', ''))).not.toHaveProperty('memo')
    expect(toStacksEvent(stxEvent('transfer'))).toEqual({ txId: TX, eventIndex: 4, type: 'stx_transfer', amount: '1000', sender: ALICE, recipient: BOB })
  })

  it('maps an stx_lock to its amount, unlock height and locked address', () => {
    const e: ApiTxEvent = { ...base, event_type: 'stx_lock', stx_lock_event: { locked_amount: '500', unlock_height: 2100, locked_address: ALICE } }
    expect(toStacksEvent(e)).toEqual({ txId: TX, eventIndex: 4, type: 'stx_lock', amount: '500', unlockHeight: 2100, lockedAddress: ALICE })
  })

  it('returns undefined for an event type it does not carry', () => {
    expect(toStacksEvent({ ...base, event_type: 'microblock_event' } as unknown as ApiTxEvent)).toBeUndefined()
  })
})
