import { describe, expect, it } from 'vitest'
import { Cl, ClarityType, type ClarityValue } from '@stacks/transactions'
import { useStacksSimulator } from '../helpers/stacksSimulator'
import { simTx } from '../../devnet/stacks/simulator'
import { createStacksBlockSource, type StacksBlock, type StacksEvent, type StacksLog } from '../../src/chains/stacks/blockSource'
import {
  callReadOnly,
  ClarityCallFailedError,
  ClarityErrResultError,
  clarityBigInt,
  clarityString,
  getContractInterface,
  unwrapOk,
  unwrapOkSome,
} from '../../src/chains/stacks/readOnly'
import { decodeClarityHex } from '../../src/chains/stacks/clarity'
import { StacksApiUnavailableError, StacksBlockNotFoundError } from '../../src/chains/stacks/errors'
import { PermanentError } from '../../src/core/errors'
import type { ApiBlockList, ApiContract, ApiStatus, ApiTransaction, ApiTxMultiple, NodeInfo } from '../../src/chains/stacks/apiTypes'

const stacks = useStacksSimulator()

function source(extra: { log?: StacksLog; timeoutMs?: number; retries?: number } = {}) {
  return createStacksBlockSource({
    baseUrl: stacks.sim.url,
    log: extra.log,
    retry: { minDelayMs: 5, maxDelayMs: 20, retries: extra.retries ?? 5, timeoutMs: extra.timeoutMs ?? 5_000 },
  })
}

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(stacks.sim.url + path)
  return { status: res.status, body: (await res.json()) as T }
}

function eventsOf<T extends StacksEvent['type']>(block: StacksBlock, type: T): Extract<StacksEvent, { type: T }>[] {
  return block.txs.flatMap((tx) => tx.events).filter((e): e is Extract<StacksEvent, { type: T }> => e.type === type)
}

/** The print payload as a plain object of Clarity values (tuple fields). */
function tupleFields(hex: string): Record<string, ClarityValue> {
  const cv = decodeClarityHex(hex)
  if (cv.type !== ClarityType.Tuple) throw new Error(`not a tuple: ${hex}`)
  return cv.value
}

describe('Stacks simulator and block source', () => {
  it('exposes the sample contract deployments in block 2', async () => {
    const { sim } = stacks
    const block = await source().getBlockWithEvents(2)
    expect(block.txs.map((t) => t.deployedContractId)).toEqual(Object.values(sim.contracts))
    expect(block.txs.every((t) => t.kind === 'smart_contract')).toBe(true)
    expect(block.parentIndexBlockHash).toBe((await source().getBlock(1))?.indexBlockHash)

    const contract = await getJson<ApiContract>(`/extended/v1/contract/${sim.contracts.nft}`)
    expect(contract.status).toBe(200)
    expect(JSON.parse(contract.body.abi ?? '{}').functions.map((f: { name: string }) => f.name)).toContain('get-token-uri')
    const abi = await getContractInterface(sim.url, sim.contracts.nft)
    expect(abi?.non_fungible_tokens).toEqual([{ name: 'sample-nft', type: 'uint128' }])
    expect(await getContractInterface(sim.url, `${sim.accounts.deployer}.no-such-contract`)).toBeUndefined()
  })

  it('NFT mint of token id 0, transfer and burn come out as typed events', async () => {
    const { sim } = stacks
    const { deployer, wallet_1, wallet_2 } = sim.accounts
    const mint = await sim.call(sim.contracts.nft, 'mint', [Cl.principal(wallet_1)], deployer)
    expect(mint.result).toEqual(Cl.ok(Cl.uint(0)))
    const transfer = await sim.call(sim.contracts.nft, 'transfer', [Cl.uint(0), Cl.principal(wallet_1), Cl.principal(wallet_2)], wallet_1)
    const big = 2n ** 128n - 1n
    const mintBig = await sim.call(sim.contracts.nft, 'mint-id', [Cl.uint(big), Cl.principal(wallet_2)], deployer)
    const burn = await sim.call(sim.contracts.nft, 'burn', [Cl.uint(big)], wallet_2)

    const src = source()
    const minted = await src.getBlockWithEvents(mint.blockHeight)
    expect(minted.txs).toHaveLength(1)
    expect(minted.txs[0]).toMatchObject({
      txId: mint.txId,
      index: 0,
      sender: deployer,
      status: 'success',
      kind: 'contract_call',
      contractCall: { contractId: sim.contracts.nft, functionName: 'mint' },
    })
    expect(eventsOf(minted, 'nft_mint')).toEqual([
      {
        type: 'nft_mint',
        txId: mint.txId,
        eventIndex: 0,
        assetIdentifier: `${sim.contracts.nft}::sample-nft`,
        contractId: sim.contracts.nft,
        assetName: 'sample-nft',
        tokenValue: { hex: '0x0100000000000000000000000000000000', repr: 'u0' },
        tokenId: '0',
        recipient: wallet_1,
      },
    ])
    const moved = eventsOf(await src.getBlockWithEvents(transfer.blockHeight), 'nft_transfer')
    expect(moved).toMatchObject([{ tokenId: '0', sender: wallet_1, recipient: wallet_2 }])
    expect(eventsOf(await src.getBlockWithEvents(mintBig.blockHeight), 'nft_mint')[0]?.tokenId).toBe(big.toString())
    expect(eventsOf(await src.getBlockWithEvents(burn.blockHeight), 'nft_burn')).toMatchObject([{ tokenId: big.toString(), sender: wallet_2, tokenValue: { repr: `u${big}` } }])
  })

  it('FT and SFT activity: ft events with string amounts, sft_mint print events', async () => {
    const { sim } = stacks
    const { deployer, wallet_1 } = sim.accounts
    const block = await sim.mineBlock([
      simTx.call(sim.contracts.zeroDecimalsFt, 'mint', [Cl.uint(1_000_000), Cl.principal(wallet_1)], deployer),
      simTx.call(sim.contracts.ft, 'mint', [Cl.uint(2n ** 100n), Cl.principal(wallet_1)], deployer),
      simTx.call(sim.contracts.sft, 'mint', [Cl.uint(7), Cl.uint(25), Cl.principal(wallet_1)], deployer),
    ])
    expect(block.txs.map((t) => t.status)).toEqual(['success', 'success', 'success'])
    const fetched = await source().getBlockWithEvents(block.height)
    expect(fetched.txs.map((t) => t.index)).toEqual([0, 1, 2])
    expect(eventsOf(fetched, 'ft_mint')).toMatchObject([
      { contractId: sim.contracts.zeroDecimalsFt, assetName: 'points', amount: '1000000', recipient: wallet_1 },
      { contractId: sim.contracts.ft, amount: (2n ** 100n).toString() },
      { contractId: sim.contracts.sft, assetName: 'sample-sft-overall', amount: '25' },
    ])
    const sftPrints = eventsOf(fetched, 'print').filter((e) => e.contractId === sim.contracts.sft)
    expect(sftPrints).toHaveLength(1)
    const print = sftPrints[0]
    expect(print?.topic).toBe('print')
    expect(print?.value.repr).toBe(`(tuple (amount u25) (recipient '${wallet_1}) (token-id u7) (type "sft_mint"))`)
    expect(tupleFields(print?.value.hex ?? '')).toEqual({
      type: Cl.stringAscii('sft_mint'),
      'token-id': Cl.uint(7),
      amount: Cl.uint(25),
      recipient: Cl.principal(wallet_1),
    })
  })

  it('SIP-019 notifications from the token contract and from a stranger contract', async () => {
    const { sim } = stacks
    const { deployer, wallet_3 } = sim.accounts
    const block = await sim.mineBlock([
      simTx.call(sim.contracts.nft, 'notify-tokens', [Cl.list([Cl.uint(0), Cl.uint(5)])], deployer),
      simTx.call(sim.contracts.nft, 'notify-update-mode', [Cl.list([Cl.uint(1)]), Cl.stringAscii('dynamic'), Cl.some(Cl.uint(3600))], deployer),
      simTx.call(sim.contracts.stranger, 'notify', [Cl.stringAscii('nft'), Cl.principal(sim.contracts.nft)], wallet_3),
      simTx.call(sim.contracts.ft, 'notify-all', [], deployer),
    ])
    const prints = eventsOf(await source().getBlockWithEvents(block.height), 'print')
    expect(prints.map((p) => p.contractId)).toEqual([sim.contracts.nft, sim.contracts.nft, sim.contracts.stranger, sim.contracts.ft])
    const payload = (hex: string) => {
      const p = tupleFields(hex).payload
      if (p?.type !== ClarityType.Tuple) throw new Error('payload is not a tuple')
      return p.value
    }
    expect(tupleFields(prints[0]?.value.hex ?? '').notification).toEqual(Cl.stringAscii('token-metadata-update'))
    expect(payload(prints[0]?.value.hex ?? '')).toEqual({
      'token-class': Cl.stringAscii('nft'),
      'contract-id': Cl.principal(sim.contracts.nft),
      'token-ids': Cl.list([Cl.uint(0), Cl.uint(5)]),
    })
    expect(payload(prints[1]?.value.hex ?? '')).toMatchObject({ 'update-mode': Cl.stringAscii('dynamic'), ttl: Cl.uint(3600) })
    // the stranger names someone else's contract; the indexer decides (SIP-019: sender must own it)
    expect(payload(prints[2]?.value.hex ?? '')['contract-id']).toEqual(Cl.principal(sim.contracts.nft))
    expect(payload(prints[3]?.value.hex ?? '')).toEqual({
      'token-class': Cl.stringAscii('ft'),
      'contract-id': Cl.principal(sim.contracts.ft),
    })
  })

  it('failed transactions are mined but skipped, with their ids reported', async () => {
    const { sim } = stacks
    const { deployer, wallet_1 } = sim.accounts
    const block = await sim.mineBlock([
      simTx.call(sim.contracts.nft, 'mint', [Cl.principal(wallet_1)], wallet_1), // not the owner: (err u100)
      simTx.call(sim.contracts.nft, 'mint', [Cl.principal(wallet_1)], deployer),
    ])
    expect(block.txs[0]?.status).toBe('abort_by_response')
    expect(block.txs[0]?.events).toEqual([])
    const tx = await getJson<ApiTransaction>(`/extended/v1/tx/${block.txs[0]?.txId}`)
    expect(tx.body).toMatchObject({ tx_status: 'abort_by_response', tx_result: { repr: '(err u100)' }, event_count: 0 })

    const fetched = await source().getBlockWithEvents(block.height)
    expect(fetched.txCount).toBe(2)
    expect(fetched.failedTxIds).toEqual([block.txs[0]?.txId])
    expect(fetched.txs.map((t) => t.txId)).toEqual([block.txs[1]?.txId])
    expect(fetched.txs[0]?.index).toBe(1)
  })

  it('a runtime error is mined as an aborted transaction; in mineBlock it rejects and mines nothing', async () => {
    const { sim } = stacks
    const { deployer } = sim.accounts
    await sim.deploy('panics', '(define-public (boom) (begin (print "never") (ok (unwrap-panic (element-at? (list u1) u5)))))')
    const boom = await sim.call('panics', 'boom', [], deployer)
    expect(boom).toMatchObject({ status: 'abort_by_response', events: [] })
    expect(boom.vmError).toMatch(/runtime error/i)
    expect((await source().getBlockWithEvents(boom.blockHeight)).failedTxIds).toEqual([boom.txId])

    const tip = sim.tip()
    await expect(
      sim.mineBlock([simTx.call(sim.contracts.nft, 'mint-id', [Cl.uint(777), Cl.principal(deployer)], deployer), simTx.call('panics', 'boom', [], deployer)]),
    ).rejects.toThrow(/nothing was mined/)
    expect(sim.tip()).toEqual(tip)
    expect(await sim.readOnly(sim.contracts.nft, 'get-owner', [Cl.uint(777)])).toEqual(Cl.ok(Cl.none()))
    // a call simnet refuses outright is not mined either
    await expect(sim.call(sim.contracts.nft, 'no-such-function', [], deployer)).rejects.toThrow(/refused/)
    expect(sim.tip()).toEqual(tip)
  })

  it('reads a block with more than 50 transactions through several pages', async () => {
    const { sim } = stacks
    const { deployer } = sim.accounts
    const recipients = Object.values(sim.accounts)
    const specs = Array.from({ length: 61 }, (_, i) =>
      simTx.call(sim.contracts.sft, 'mint', [Cl.uint(100 + i), Cl.uint(i + 1), Cl.principal(recipients[i % recipients.length] ?? deployer)], deployer),
    )
    const block = await sim.mineBlock(specs)
    const before = sim.requests.length
    const fetched = await source().getBlockWithEvents(block.height)
    expect(fetched.txs).toHaveLength(61)
    expect(fetched.txs.map((t) => t.index)).toEqual(Array.from({ length: 61 }, (_, i) => i))
    // each SFT mint: overall ft_mint, tag nft_mint, sft_mint print
    expect(fetched.txs.every((t) => t.events.map((e) => e.type).join() === 'ft_mint,nft_mint,print')).toBe(true)
    expect(eventsOf(fetched, 'print')[60]?.value.repr).toContain('(token-id u160)')
    const paths = sim.requests.slice(before).map((r) => r.path)
    expect(paths.filter((p) => p.includes('/transactions'))).toHaveLength(2)
    expect(paths.some((p) => p.includes('offset=50'))).toBe(true)

    const tooMany = await getJson<{ error: string }>(`/extended/v2/blocks/${block.height}/transactions?limit=51`)
    expect(tooMany.status).toBe(400)
  })

  it('serves status, node info, block lists, /tx/multiple and /tx/events in the API shapes', async () => {
    const { sim } = stacks
    const { deployer, wallet_1 } = sim.accounts
    const r = await sim.call(sim.contracts.sft, 'mint', [Cl.uint(1), Cl.uint(3), Cl.principal(wallet_1)], deployer)
    const status = await getJson<ApiStatus>('/extended')
    expect(status.body.chain_tip).toMatchObject({ block_height: r.blockHeight, index_block_hash: r.indexBlockHash })
    const info = await getJson<NodeInfo>('/v2/info')
    expect(info.body).toMatchObject({ stacks_tip_height: r.blockHeight, network_id: 2147483648 })
    expect(info.body.stacks_tip).toMatch(/^[0-9a-f]{64}$/)
    const list = await getJson<ApiBlockList>('/extended/v2/blocks?limit=3&offset=1')
    expect(list.body).toMatchObject({ limit: 3, offset: 1, total: r.blockHeight })
    expect(list.body.results.map((b) => b.height)).toEqual([r.blockHeight - 1, r.blockHeight - 2, r.blockHeight - 3])
    expect((await getJson('/extended/v2/blocks?limit=31')).status).toBe(400)
    const missing = '0x' + 'ab'.repeat(32)
    const multi = await getJson<ApiTxMultiple>(`/extended/v1/tx/multiple?tx_id=${r.txId}&tx_id=${missing}&event_limit=2`)
    const found = multi.body[r.txId]
    expect(found?.found).toBe(true)
    if (!found?.found || !('events' in found.result)) throw new Error('expected a mined transaction')
    expect(found.result.events.map((e) => e.event_type)).toEqual(['fungible_token_asset', 'non_fungible_token_asset'])
    expect(found.result).toMatchObject({ event_count: 3, canonical: true, block_height: r.blockHeight })
    expect(multi.body[missing]).toEqual({ found: false, result: { tx_id: missing } })
    const page = await getJson<{ events: { event_index: number; event_type: string }[] }>(`/extended/v1/tx/events?tx_id=${r.txId}&limit=2&offset=2`)
    expect(page.body.events).toMatchObject([{ event_index: 2, event_type: 'smart_contract_log' }])
  })

  it('callReadOnly decodes results; err results and failed calls are reported as such', async () => {
    const { sim } = stacks
    const uri = await callReadOnly(sim.url, sim.contracts.nft, 'get-token-uri', [Cl.uint(0)])
    expect(uri.type).toBe(ClarityType.ResponseOk)
    const text = clarityString(unwrapOkSome(uri) ?? Cl.none())
    expect(text).toContain('{id}')
    const decimals = await callReadOnly(sim.url, sim.contracts.zeroDecimalsFt, 'get-decimals', [])
    expect(clarityBigInt(unwrapOk(decimals))).toBe(0n)
    expect(clarityBigInt(unwrapOk(await callReadOnly(sim.url, sim.contracts.ft, 'get-decimals', [])))).toBe(6n)
    expect(unwrapOkSome(await callReadOnly(sim.url, sim.contracts.nft, 'get-owner', [Cl.uint(999)]))).toBeUndefined()

    await sim.deploy('err-reader', '(define-read-only (get-token-uri (id uint)) (err u404))')
    const errResult = await callReadOnly(sim.url, `${sim.accounts.deployer}.err-reader`, 'get-token-uri', [Cl.uint(1)])
    expect(errResult).toEqual(Cl.error(Cl.uint(404)))
    expect(() => unwrapOkSome(errResult, 'get-token-uri')).toThrow(ClarityErrResultError)
    try {
      unwrapOk(errResult)
    } catch (e) {
      expect(e).toBeInstanceOf(PermanentError)
      expect((e as PermanentError).code).toBe('contract_call_reverted')
      expect((e as ClarityErrResultError).value).toEqual(Cl.uint(404))
    }
    await expect(callReadOnly(sim.url, sim.contracts.nft, 'no-such-function', [])).rejects.toBeInstanceOf(ClarityCallFailedError)
  })

  it('retries 429, 5xx and hanging requests, then gives up with a typed error', async () => {
    const { sim } = stacks
    const logged: string[] = []
    const log: StacksLog = (level, _message, fields) => logged.push(`${level}:${String(fields?.status ?? fields?.error)}`)
    const height = sim.tip().height

    sim.faults.add({ status: 429, times: 2, retryAfterSeconds: 0 })
    sim.faults.add({ hang: true, times: 1 })
    const block = await source({ log, timeoutMs: 300 }).getBlockWithEvents(height)
    expect(block.height).toBe(height)
    expect(logged).toEqual(['warn:429', 'warn:429', 'warn:timed out'])
    expect(sim.faults.pending).toBe(0)

    sim.faults.add({ status: 503, times: 10 })
    const failure = await source({ retries: 2 })
      .getTip()
      .catch((e: unknown) => e)
    sim.faults.clear()
    expect(failure).toBeInstanceOf(StacksApiUnavailableError)
    expect(failure).toMatchObject({ retryable: true, status: 503, attempts: 3 })

    await expect(source().getBlockWithEvents(height + 1000)).rejects.toBeInstanceOf(StacksBlockNotFoundError)
    expect(await source().getBlock(height + 1000)).toBeUndefined()
  })

  it('fork(2) replaces the last two blocks; the orphaned transaction is gone everywhere', async () => {
    const { sim } = stacks
    const { deployer, wallet_4 } = sim.accounts
    await sim.mineEmptyBlocks(1)
    const orphanedMint = await sim.call(sim.contracts.nft, 'mint-id', [Cl.uint(4242), Cl.principal(wallet_4)], deployer)
    const src = source()
    const top = orphanedMint.blockHeight
    const oldHeaders = [await src.getBlock(top - 1), await src.getBlock(top)]

    let replacementTx = ''
    const result = await sim.fork(2, async (s) => {
      replacementTx = (await s.call(s.contracts.nft, 'mint-id', [Cl.uint(4243), Cl.principal(wallet_4)], deployer)).txId
    })
    expect(result.orphaned.map((o) => o.height)).toEqual([top - 1, top])
    expect(result.orphaned[1]?.txIds).toEqual([orphanedMint.txId])
    expect(result.tip.height).toBe(top + 1)

    const newHeaders = [await src.getBlock(top - 1), await src.getBlock(top), await src.getBlock(top + 1)]
    expect(newHeaders[0]?.indexBlockHash).not.toBe(oldHeaders[0]?.indexBlockHash)
    expect(newHeaders[1]?.indexBlockHash).not.toBe(oldHeaders[1]?.indexBlockHash)
    expect(newHeaders[0]?.parentIndexBlockHash).toBe(oldHeaders[0]?.parentIndexBlockHash)
    expect(newHeaders[1]?.parentIndexBlockHash).toBe(newHeaders[0]?.indexBlockHash)
    expect(newHeaders[2]?.parentIndexBlockHash).toBe(newHeaders[1]?.indexBlockHash)

    const replaced = await src.getBlockWithEvents(top - 1)
    expect(replaced.txs.map((t) => t.txId)).toEqual([replacementTx])
    const atOldHeight = await src.getBlockWithEvents(top)
    expect(atOldHeight.txs.map((t) => t.txId)).not.toContain(orphanedMint.txId)

    // the orphaned block stays readable by hash, marked non-canonical
    const orphan = await getJson<{ canonical: boolean }>(`/extended/v2/blocks/${oldHeaders[1]?.indexBlockHash}`)
    expect(orphan.body.canonical).toBe(false)
    const orphanTx = await getJson<{ canonical: boolean }>(`/extended/v1/tx/${orphanedMint.txId}`)
    expect(orphanTx.body.canonical).toBe(false)
    // contract state was rewound by replay: token 4242 was never minted, 4243 was
    expect(await sim.readOnly(sim.contracts.nft, 'get-owner', [Cl.uint(4242)])).toEqual(Cl.ok(Cl.none()))
    expect(await sim.readOnly(sim.contracts.nft, 'get-owner', [Cl.uint(4243)])).toEqual(Cl.ok(Cl.some(Cl.principal(wallet_4))))
    expect((await src.getTip()).height).toBe(top + 1)
  })
})
