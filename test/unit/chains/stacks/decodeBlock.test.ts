import { Cl, type ClarityValue } from '@stacks/transactions'
import { describe, expect, it } from 'vitest'
import type { EventPosition } from '../../../../src/core/events'
import type { TokenStandardName } from '../../../../src/core/standards'
import type { StacksBlock, StacksEvent, StacksTx } from '../../../../src/chains/stacks/blockSource'
import { toHexRepr } from '../../../../src/chains/stacks/clarity'
import { decodeBlock } from '../../../../src/chains/stacks/decodeEvents'

const DEPLOYER = 'SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9'
const ALICE = 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173'
const BOB = 'ST3PF13W7Z0RRM42A8VZRVFQ75SV1K26RXEP8YGKJ'
const NFT = `${DEPLOYER}.nft`
const FT = `${DEPLOYER}.ft`
const SFT = `${DEPLOYER}.sft`
const NOTIFIER = `${DEPLOYER}.notifier`
const UNKNOWN = `${DEPLOYER}.other`

const STANDARDS: Record<string, TokenStandardName> = { [NFT]: 'SIP009', [FT]: 'SIP010', [SFT]: 'SIP013' }
const standardOf = (id: string): TokenStandardName | undefined => STANDARDS[id]
const noDeployments = (): TokenStandardName | undefined => undefined

const TX = '0x' + 'aa'.repeat(32)
const TIME = 1_700_000_000
const pos = (logIndex: number, txHash = TX, sender = ALICE): EventPosition => ({
  blockNumber: 100,
  blockHash: '0xindex100',
  timestamp: new Date(TIME * 1000),
  txHash,
  sender,
  logIndex,
})

function tx(events: StacksEvent[], extra: Partial<StacksTx> = {}): StacksTx {
  return { txId: TX, index: 0, sender: ALICE, status: 'success', kind: 'contract_call', events, ...extra }
}

function block(...txs: StacksTx[]): StacksBlock {
  return {
    height: 100,
    hash: '0xhash100',
    indexBlockHash: '0xindex100',
    parentIndexBlockHash: '0xindex99',
    parentBlockHash: '0xhash99',
    timestamp: TIME,
    burnBlockHeight: 900,
    txCount: txs.length,
    txs,
    failedTxIds: [],
  }
}

const asset = (contractId: string, name: string) => ({ assetIdentifier: `${contractId}::${name}`, contractId, assetName: name })

function nftMint(contractId: string, id: bigint, eventIndex = 0): StacksEvent {
  return { type: 'nft_mint', txId: TX, eventIndex, ...asset(contractId, 'token'), tokenValue: toHexRepr(Cl.uint(id)), tokenId: id.toString(), recipient: BOB }
}

function print(contractId: string, value: ClarityValue, eventIndex = 0): StacksEvent {
  return { type: 'print', txId: TX, eventIndex, contractId, topic: 'print', value: toHexRepr(value) }
}

const sft = (fields: Record<string, ClarityValue>): ClarityValue => Cl.tuple(fields)
const notice = (payload: ClarityValue | undefined): ClarityValue =>
  Cl.tuple({ notification: Cl.stringAscii('token-metadata-update'), ...(payload === undefined ? {} : { payload }) })

const decode = (...events: StacksEvent[]) => decodeBlock(block(tx(events)), standardOf, noDeployments)

describe('decodeBlock: SIP-009', () => {
  it('turns an nft_mint of a SIP-009 contract into a transfer from nobody', () => {
    expect(decode(nftMint(NFT, 7n, 3))).toEqual({
      events: [{ kind: 'nft_transfer', standard: 'SIP009', contract: NFT, tokenId: 7n, from: null, to: BOB, pos: pos(3) }],
      skipped: [],
    })
  })

  it('turns an nft_transfer into a transfer from the sender to the recipient', () => {
    const e: StacksEvent = { type: 'nft_transfer', txId: TX, eventIndex: 0, ...asset(NFT, 'token'), tokenValue: toHexRepr(Cl.uint(7)), tokenId: '7', sender: BOB, recipient: ALICE }
    expect(decode(e).events).toEqual([{ kind: 'nft_transfer', standard: 'SIP009', contract: NFT, tokenId: 7n, from: BOB, to: ALICE, pos: pos(0) }])
  })

  it('turns an nft_burn into a transfer to nobody', () => {
    const e: StacksEvent = { type: 'nft_burn', txId: TX, eventIndex: 0, ...asset(NFT, 'token'), tokenValue: toHexRepr(Cl.uint(7)), tokenId: '7', sender: BOB }
    expect(decode(e).events).toEqual([{ kind: 'nft_transfer', standard: 'SIP009', contract: NFT, tokenId: 7n, from: BOB, to: null, pos: pos(0) }])
  })

  it('keeps a token id above 2^64 exact', () => {
    expect(decode(nftMint(NFT, 2n ** 127n + 1n)).events).toMatchObject([{ tokenId: 2n ** 127n + 1n }])
  })

  it('skips an NFT event whose token id is not a uint, with the value in the reason', () => {
    const e: StacksEvent = { type: 'nft_mint', txId: TX, eventIndex: 0, ...asset(NFT, 'token'), tokenValue: toHexRepr(Cl.stringAscii('seven')), recipient: BOB }
    expect(decode(e)).toEqual({ events: [], skipped: [{ contract: NFT, reason: 'nft_mint with a non-uint token id "seven"', pos: pos(0) }] })
  })

  it('skips an NFT event of a contract that is not SIP-009', () => {
    expect(decode(nftMint(UNKNOWN, 1n))).toEqual({ events: [], skipped: [{ contract: UNKNOWN, reason: 'nft_mint from a contract that is not SIP-009', pos: pos(0) }] })
  })

  it('ignores, without skipping, the internal NFT events of a SIP-013 contract', () => {
    expect(decode(nftMint(SFT, 1n))).toEqual({ events: [], skipped: [] })
  })
})

describe('decodeBlock: SIP-010', () => {
  const ft = (type: 'ft_mint' | 'ft_transfer' | 'ft_burn', contractId = FT): StacksEvent => {
    const base = { txId: TX, eventIndex: 1, ...asset(contractId, 'coin'), amount: (2n ** 100n).toString() }
    if (type === 'ft_mint') return { ...base, type, recipient: BOB }
    if (type === 'ft_burn') return { ...base, type, sender: ALICE }
    return { ...base, type, sender: ALICE, recipient: BOB }
  }

  it('turns an ft_mint into a movement from nobody with the exact u128 amount', () => {
    expect(decode(ft('ft_mint')).events).toEqual([{ kind: 'ft_transfer', standard: 'SIP010', contract: FT, amount: 2n ** 100n, from: null, to: BOB, pos: pos(1) }])
  })

  it('turns an ft_transfer into a movement from the sender to the recipient', () => {
    expect(decode(ft('ft_transfer')).events).toEqual([{ kind: 'ft_transfer', standard: 'SIP010', contract: FT, amount: 2n ** 100n, from: ALICE, to: BOB, pos: pos(1) }])
  })

  it.each(['1.5', 'abc', '', '-3'])('skips an ft event whose amount %j is not a uint, naming it', (amount) => {
    const out = decode({ ...ft('ft_transfer'), amount } as StacksEvent)
    expect(out.events).toEqual([])
    expect(out.skipped).toHaveLength(1)
  })

  it('turns an ft_burn into a movement to nobody', () => {
    expect(decode(ft('ft_burn')).events).toEqual([{ kind: 'ft_transfer', standard: 'SIP010', contract: FT, amount: 2n ** 100n, from: ALICE, to: null, pos: pos(1) }])
  })

  it('skips an FT event of a contract that is not SIP-010', () => {
    expect(decode(ft('ft_transfer', NFT))).toEqual({ events: [], skipped: [{ contract: NFT, reason: 'ft_transfer from a contract that is not SIP-010', pos: pos(1) }] })
  })
})

describe('decodeBlock: SIP-013 print events', () => {
  it('turns an sft_mint print into a multi transfer from nobody', () => {
    const v = sft({ type: Cl.stringAscii('sft_mint'), 'token-id': Cl.uint(5), amount: Cl.uint(10), recipient: Cl.principal(BOB) })
    expect(decode(print(SFT, v, 2))).toEqual({
      events: [{ kind: 'multi_transfer', standard: 'SIP013', contract: SFT, ids: [5n], amounts: [10n], from: null, to: BOB, pos: pos(2) }],
      skipped: [],
    })
  })

  it('turns an sft_transfer print into a multi transfer from the sender to the recipient', () => {
    const v = sft({ type: Cl.stringAscii('sft_transfer'), 'token-id': Cl.uint(5), amount: Cl.uint(3), sender: Cl.principal(ALICE), recipient: Cl.principal(BOB) })
    expect(decode(print(SFT, v)).events).toEqual([{ kind: 'multi_transfer', standard: 'SIP013', contract: SFT, ids: [5n], amounts: [3n], from: ALICE, to: BOB, pos: pos(0) }])
  })

  it('turns an sft_burn print into a multi transfer to nobody', () => {
    const v = sft({ type: Cl.stringAscii('sft_burn'), 'token-id': Cl.uint(5), amount: Cl.uint(1), sender: Cl.principal(ALICE) })
    expect(decode(print(SFT, v)).events).toEqual([{ kind: 'multi_transfer', standard: 'SIP013', contract: SFT, ids: [5n], amounts: [1n], from: ALICE, to: null, pos: pos(0) }])
  })

  it('accepts a contract principal as the recipient', () => {
    const v = sft({ type: Cl.stringAscii('sft_mint'), 'token-id': Cl.uint(1), amount: Cl.uint(1), recipient: Cl.principal(NOTIFIER) })
    expect(decode(print(SFT, v)).events).toMatchObject([{ to: NOTIFIER }])
  })

  it('accepts the event type as a UTF-8 string', () => {
    const v = sft({ type: Cl.stringUtf8('sft_mint'), 'token-id': Cl.uint(1), amount: Cl.uint(2), recipient: Cl.principal(BOB) })
    expect(decode(print(SFT, v)).events).toMatchObject([{ kind: 'multi_transfer', ids: [1n], amounts: [2n] }])
  })

  it('skips an sft event printed by a contract that is not SIP-013', () => {
    const v = sft({ type: Cl.stringAscii('sft_mint'), 'token-id': Cl.uint(1), amount: Cl.uint(1), recipient: Cl.principal(BOB) })
    expect(decode(print(NFT, v))).toEqual({ events: [], skipped: [{ contract: NFT, reason: 'sft_mint printed by a contract that is not SIP-013', pos: pos(0) }] })
  })

  it('skips an sft_transfer without a recipient as having wrong field types', () => {
    const v = sft({ type: Cl.stringAscii('sft_transfer'), 'token-id': Cl.uint(1), amount: Cl.uint(1), sender: Cl.principal(ALICE) })
    expect(decode(print(SFT, v))).toEqual({ events: [], skipped: [{ contract: SFT, reason: 'sft_transfer with wrong field types', pos: pos(0) }] })
  })

  it('skips an sft_mint without a recipient', () => {
    const v = sft({ type: Cl.stringAscii('sft_mint'), 'token-id': Cl.uint(1), amount: Cl.uint(1) })
    expect(decode(print(SFT, v)).skipped).toEqual([{ contract: SFT, reason: 'sft_mint with wrong field types', pos: pos(0) }])
  })

  it('skips an sft_burn without a sender', () => {
    const v = sft({ type: Cl.stringAscii('sft_burn'), 'token-id': Cl.uint(1), amount: Cl.uint(1), recipient: Cl.principal(BOB) })
    expect(decode(print(SFT, v)).skipped).toEqual([{ contract: SFT, reason: 'sft_burn with wrong field types', pos: pos(0) }])
  })

  it('skips an sft event whose token id is a signed int', () => {
    const v = sft({ type: Cl.stringAscii('sft_mint'), 'token-id': Cl.int(1), amount: Cl.uint(1), recipient: Cl.principal(BOB) })
    expect(decode(print(SFT, v)).skipped).toEqual([{ contract: SFT, reason: 'sft_mint with wrong field types', pos: pos(0) }])
  })

  it('skips an sft event whose amount is missing', () => {
    const v = sft({ type: Cl.stringAscii('sft_mint'), 'token-id': Cl.uint(1), recipient: Cl.principal(BOB) })
    expect(decode(print(SFT, v)).skipped).toEqual([{ contract: SFT, reason: 'sft_mint with wrong field types', pos: pos(0) }])
  })
})

describe('decodeBlock: other print events', () => {
  it('ignores a print whose value does not decode', () => {
    const e: StacksEvent = { type: 'print', txId: TX, eventIndex: 0, contractId: SFT, topic: 'print', value: { hex: '0xzz', repr: '?' } }
    expect(decode(e)).toEqual({ events: [], skipped: [] })
  })

  it('ignores a print that is not a tuple', () => {
    expect(decode(print(SFT, Cl.uint(1)))).toEqual({ events: [], skipped: [] })
  })

  it('ignores a tuple print of another type', () => {
    expect(decode(print(SFT, Cl.tuple({ type: Cl.stringAscii('listing'), 'token-id': Cl.uint(1) })))).toEqual({ events: [], skipped: [] })
  })

  it('ignores a tuple print with another notification', () => {
    expect(decode(print(NFT, Cl.tuple({ notification: Cl.stringAscii('something-else'), payload: Cl.tuple({}) })))).toEqual({ events: [], skipped: [] })
  })
})

describe('decodeBlock: SIP-019 notifications', () => {
  const payload = (fields: Record<string, ClarityValue>): ClarityValue => Cl.tuple({ 'token-class': Cl.stringAscii('nft'), 'contract-id': Cl.principal(NFT), ...fields })

  it('turns a notification without token ids into a standard update of the whole contract, with the sender in its position', () => {
    expect(decode(print(NFT, notice(payload({}))))).toEqual({
      events: [{ kind: 'update_notification', contract: NFT, tokenClass: 'nft', tokenIds: undefined, mode: 'standard', ttlSeconds: undefined, emitter: NFT, pos: pos(0) }],
      skipped: [],
    })
  })

  it('keeps the emitting contract apart from the notified contract', () => {
    expect(decode(print(NOTIFIER, notice(payload({})))).events).toMatchObject([{ contract: NFT, emitter: NOTIFIER }])
  })

  it('reads a list of token ids', () => {
    expect(decode(print(NFT, notice(payload({ 'token-ids': Cl.list([Cl.uint(1), Cl.uint(2)]) })))).events).toMatchObject([{ tokenIds: [1n, 2n] }])
  })

  it('reads token ids wrapped in (some …)', () => {
    expect(decode(print(NFT, notice(payload({ 'token-ids': Cl.some(Cl.list([Cl.uint(9)])) })))).events).toMatchObject([{ tokenIds: [9n] }])
  })

  it('reads token ids none as the whole contract', () => {
    expect(decode(print(NFT, notice(payload({ 'token-ids': Cl.none() })))).events).toMatchObject([{ tokenIds: undefined }])
  })

  it('reads an empty token id list as an empty list, not the whole contract', () => {
    expect(decode(print(NFT, notice(payload({ 'token-ids': Cl.list([]) })))).events).toMatchObject([{ tokenIds: [] }])
  })

  it('reads a dynamic update mode with its ttl', () => {
    expect(decode(print(NFT, notice(payload({ 'update-mode': Cl.stringAscii('dynamic'), ttl: Cl.uint(3600) })))).events).toMatchObject([{ mode: 'dynamic', ttlSeconds: 3600 }])
  })

  it('reads an update mode and ttl wrapped in (some …)', () => {
    expect(decode(print(NFT, notice(payload({ 'update-mode': Cl.some(Cl.stringAscii('frozen')), ttl: Cl.some(Cl.uint(60)) })))).events).toMatchObject([
      { mode: 'frozen', ttlSeconds: 60 },
    ])
  })

  it('keeps a ttl of the largest 32-bit signed integer as it is', () => {
    expect(decode(print(NFT, notice(payload({ ttl: Cl.uint(2_147_483_647) })))).events).toMatchObject([{ ttlSeconds: 2_147_483_647 }])
  })

  it('holds a ttl past the int4 columns at their maximum', () => {
    expect(decode(print(NFT, notice(payload({ ttl: Cl.uint(2n ** 40n) })))).events).toMatchObject([{ ttlSeconds: 2_147_483_647 }])
  })

  it('reads ft and sft token classes', () => {
    expect(decode(print(FT, notice(payload({ 'token-class': Cl.stringAscii('ft'), 'contract-id': Cl.principal(FT) })))).events).toMatchObject([{ tokenClass: 'ft', contract: FT }])
    expect(decode(print(SFT, notice(payload({ 'token-class': Cl.stringAscii('sft'), 'contract-id': Cl.principal(SFT) })))).events).toMatchObject([
      { tokenClass: 'sft', contract: SFT },
    ])
  })

  it('accepts the notification name as a UTF-8 string', () => {
    const v = Cl.tuple({ notification: Cl.stringUtf8('token-metadata-update'), payload: payload({}) })
    expect(decode(print(NFT, v)).events).toMatchObject([{ kind: 'update_notification' }])
  })

  const skippedFor = (p: ClarityValue | undefined): string[] => decode(print(NFT, notice(p))).skipped.map((s) => s.reason)

  it('skips a notification without a payload', () => {
    expect(skippedFor(undefined)).toEqual(['SIP-019 notification: payload is not a tuple'])
  })

  it('skips a notification whose payload is not a tuple', () => {
    expect(skippedFor(Cl.uint(1))).toEqual(['SIP-019 notification: payload is not a tuple'])
  })

  it('skips an unknown token class, naming it', () => {
    expect(skippedFor(payload({ 'token-class': Cl.stringAscii('coin') }))).toEqual(['SIP-019 notification: unknown token-class coin'])
  })

  it('skips a payload without a token class', () => {
    expect(skippedFor(Cl.tuple({ 'contract-id': Cl.principal(NFT) }))).toEqual(['SIP-019 notification: unknown token-class undefined'])
  })

  it('skips a contract-id that is a standard principal', () => {
    expect(skippedFor(payload({ 'contract-id': Cl.principal(ALICE) }))).toEqual(['SIP-019 notification: contract-id is not a contract principal'])
  })

  it('skips a contract-id that is a string, not a principal', () => {
    expect(skippedFor(payload({ 'contract-id': Cl.stringAscii(NFT) }))).toEqual(['SIP-019 notification: contract-id is not a contract principal'])
  })

  it('skips token ids that are not a list', () => {
    expect(skippedFor(payload({ 'token-ids': Cl.uint(1) }))).toEqual(['SIP-019 notification: token-ids is not a list'])
  })

  it('skips token ids holding a signed int', () => {
    expect(skippedFor(payload({ 'token-ids': Cl.list([Cl.uint(1), Cl.int(2)]) }))).toEqual(['SIP-019 notification: token-ids holds a non-uint'])
  })

  it('skips an unknown update mode, naming it', () => {
    expect(skippedFor(payload({ 'update-mode': Cl.stringAscii('sometimes') }))).toEqual(['SIP-019 notification: unknown update-mode sometimes'])
  })

  it('skips a ttl that is not a uint', () => {
    expect(skippedFor(payload({ ttl: Cl.stringAscii('3600') }))).toEqual(['SIP-019 notification: ttl is not a uint'])
  })
})

describe('decodeBlock: transactions and deployments', () => {
  it('emits a deployment whose interface matched a standard before the transaction events, at log index -1', () => {
    const deploy = tx([nftMint(NFT, 1n, 0)], { kind: 'smart_contract', deployedContractId: NFT, sender: DEPLOYER })
    const out = decodeBlock(block(deploy), standardOf, (id) => (id === NFT ? 'SIP009' : undefined))
    expect(out.events).toEqual([
      { kind: 'contract_deployed', contract: NFT, standard: 'SIP009', deployer: DEPLOYER, pos: pos(-1, TX, DEPLOYER) },
      { kind: 'nft_transfer', standard: 'SIP009', contract: NFT, tokenId: 1n, from: null, to: BOB, pos: pos(0, TX, DEPLOYER) },
    ])
  })

  it('emits nothing for a deployment that matched no standard', () => {
    const deploy = tx([], { kind: 'smart_contract', deployedContractId: UNKNOWN })
    expect(decodeBlock(block(deploy), standardOf, noDeployments)).toEqual({ events: [], skipped: [] })
  })

  it('ignores STX transfers, mints, burns and locks', () => {
    const base = { txId: TX, eventIndex: 0 }
    const events: StacksEvent[] = [
      { ...base, type: 'stx_transfer', amount: '5', sender: ALICE, recipient: BOB },
      { ...base, type: 'stx_mint', amount: '5', recipient: BOB },
      { ...base, type: 'stx_burn', amount: '5', sender: ALICE },
      { ...base, type: 'stx_lock', amount: '5', unlockHeight: 10, lockedAddress: ALICE },
    ]
    expect(decode(...events)).toEqual({ events: [], skipped: [] })
  })

  it('keeps block order across transactions, each event with its own transaction hash and sender', () => {
    const TX2 = '0x' + 'bb'.repeat(32)
    const first = tx([nftMint(NFT, 1n, 0), nftMint(NFT, 2n, 1)])
    const second = tx([{ ...nftMint(NFT, 3n, 0), txId: TX2 }], { txId: TX2, index: 1, sender: BOB })
    const out = decodeBlock(block(first, second), standardOf, noDeployments)
    expect(out.events.map((e) => [e.kind === 'nft_transfer' ? e.tokenId : -1n, e.pos])).toEqual([
      [1n, pos(0)],
      [2n, pos(1)],
      [3n, pos(0, TX2, BOB)],
    ])
  })

  it('decodes nothing from a block without transactions', () => {
    expect(decodeBlock(block(), standardOf, noDeployments)).toEqual({ events: [], skipped: [] })
  })
})
