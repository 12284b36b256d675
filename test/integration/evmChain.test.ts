// The local EVM chain (devnet/evm) end to end: contracts compiled from OpenZeppelin sources,
// a real hardhat node, logs read back with eth_getLogs and decoded with the generated src/abi
// decoders the processor uses.
import { describe, expect, it } from 'vitest'
import { zeroHash, type Address, type Hex } from 'viem'
import * as erc1155 from '../../src/abi/erc1155'
import * as erc20 from '../../src/abi/erc20'
import * as erc2309 from '../../src/abi/erc2309'
import * as erc4906 from '../../src/abi/erc4906'
import * as erc721 from '../../src/abi/erc721'
import * as erc7572 from '../../src/abi/erc7572'
import type { ChainDriver, DeployedContract, RpcLog } from '../../devnet/evm'
import { useHardhatChain } from '../helpers/evmChain'

const chain = useHardhatChain()
const second = useHardhatChain({ chainId: 31338 })

const T = {
  Transfer: erc721.events.Transfer.topic,
  Approval: erc721.events.Approval.topic,
  TransferSingle: erc1155.events.TransferSingle.topic,
  TransferBatch: erc1155.events.TransferBatch.topic,
  URI: erc1155.events.URI.topic,
  MetadataUpdate: erc4906.events.MetadataUpdate.topic,
  BatchMetadataUpdate: erc4906.events.BatchMetadataUpdate.topic,
  ConsecutiveTransfer: erc2309.events.ConsecutiveTransfer.topic,
  ContractURIUpdated: erc7572.events.ContractURIUpdated.topic,
}

const ZERO = '0x0000000000000000000000000000000000000000'
const lower = (a: string): string => a.toLowerCase()

async function logsOf(d: ChainDriver, c: DeployedContract, fromBlock = c.blockNumber): Promise<RpcLog[]> {
  return d.getLogs({ fromBlock, address: c.address })
}

function byTopic(logs: RpcLog[], topic: string): RpcLog[] {
  return logs.filter((l) => l.topics[0] === topic)
}

describe('local EVM chain', () => {
  it('serves the requested chain ids on two nodes', async () => {
    expect(chain.chainId).toBe(31337)
    expect(Number(await chain.driver.rpc<Hex>('eth_chainId'))).toBe(31337)
    expect(Number(await second.driver.rpc<Hex>('eth_chainId'))).toBe(31338)
    expect(chain.rpcUrl).not.toBe(second.rpcUrl)
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    // each chain is independent
    const before = await second.driver.blockNumber()
    await chain.driver.mine(2)
    expect(await second.driver.blockNumber()).toBe(before)
  })

  it('ERC-721: batched mints under the gas cap, transfers, burns, ERC-4906 and ERC-7572 events', async () => {
    const d = chain.driver
    const [owner, alice, bob] = d.accounts as [Address, Address, Address]
    const nft = await d.deploy('TestERC721', ['Test NFT', 'TNFT', 'http://127.0.0.1:9/contract.json'])

    // 600 tokens with a stored URI each (ids 0..599: token id 0 is valid): several transactions
    const uriOf = (id: bigint): string => `http://127.0.0.1:9/721/${id}.json`
    const big = await d.mintErc721Batch(nft, alice, 0n, 600, uriOf)
    expect(big.txs.length).toBeGreaterThanOrEqual(3)
    for (const tx of big.txs) expect(tx.gasUsed).toBeLessThan(16_777_216n)
    // 700 more with a shared prefix (cheap path)
    const cheap = await d.mintErc721Batch(nft, bob, 1000n, 700, 'ipfs://bafyprefix/')
    expect(cheap.txs.length).toBeGreaterThanOrEqual(2)

    expect(await d.read(nft, 'tokenURI', [0n])).toBe(uriOf(0n))
    expect(await d.read(nft, 'tokenURI', [599n])).toBe(uriOf(599n))
    expect(await d.read(nft, 'tokenURI', [1699n])).toBe('ipfs://bafyprefix/1699')
    expect(await d.read(nft, 'totalSupply')).toBe(1300n)
    expect(await d.read(nft, 'supportsInterface', ['0x49064906'])).toBe(true) // ERC-4906
    expect(await d.read(nft, 'supportsInterface', ['0x80ac58cd'])).toBe(true) // ERC-721

    await d.transferErc721(nft, alice, bob, 5n)
    await d.burnErc721(nft, 6n)
    await d.setTokenURI(nft, 1000n, 'data:application/json,{"name":"one thousand"}')
    await d.emitMetadataUpdate(nft, 7n)
    await d.emitBatchMetadataUpdate(nft, 0n, 599n)
    await d.setContractURI(nft, 'http://127.0.0.1:9/contract-v2.json')
    expect(await d.read(nft, 'ownerOf', [5n])).toBe(bob)
    expect(await d.read(nft, 'tokenURI', [1000n])).toBe('data:application/json,{"name":"one thousand"}')
    expect(await d.read(nft, 'contractURI')).toBe('http://127.0.0.1:9/contract-v2.json')
    await expect(d.setTokenURI(nft, 1n, 'x', { from: alice })).rejects.toThrow(/OwnableUnauthorizedAccount/)

    const logs = await logsOf(d, nft)
    const transfers = byTopic(logs, T.Transfer)
    expect(transfers).toHaveLength(1300 + 2)
    for (const l of transfers) {
      expect(l.topics).toHaveLength(4)
      expect(l.data).toBe('0x')
      expect(erc721.events.Transfer.is(l)).toBe(true)
      expect(erc20.events.Transfer.is(l)).toBe(false) // same topic0, different topic count
    }
    const decoded = transfers.map((l) => erc721.events.Transfer.decode(l))
    const mints = decoded.filter((t) => t.from === ZERO)
    expect(mints.map((t) => t.tokenId)).toEqual([...big.tokenIds, ...cheap.tokenIds])
    expect(mints.slice(0, 600).every((t) => t.to === lower(alice))).toBe(true)
    expect(decoded).toContainEqual({ from: lower(alice), to: lower(bob), tokenId: 5n })
    expect(decoded).toContainEqual({ from: lower(alice), to: ZERO, tokenId: 6n })

    // the mint transactions span several blocks (automine: one block per transaction)
    const mintBlocks = new Set(transfers.filter((l) => l.topics[1] === zeroHash).map((l) => l.blockNumber))
    expect(mintBlocks.size).toBe(big.txs.length + cheap.txs.length)

    const updates = byTopic(logs, T.MetadataUpdate)
    for (const l of updates) {
      expect(l.topics).toHaveLength(1)
      expect(l.data.length).toBe(2 + 64)
    }
    // one per stored-URI mint, plus setTokenURI and the explicit notice
    expect(updates.map((l) => erc4906.events.MetadataUpdate.decode(l)._tokenId)).toEqual([...big.tokenIds, 1000n, 7n])

    const batch = byTopic(logs, T.BatchMetadataUpdate)
    expect(batch).toHaveLength(1)
    expect(batch[0]!.topics).toHaveLength(1)
    expect(erc4906.events.BatchMetadataUpdate.decode(batch[0]!)).toEqual({ _fromTokenId: 0n, _toTokenId: 599n })

    const contractUri = byTopic(logs, T.ContractURIUpdated)
    expect(contractUri).toHaveLength(1)
    expect(contractUri[0]!.topics).toHaveLength(1)
    expect(contractUri[0]!.data).toBe('0x')
    expect(erc7572.events.ContractURIUpdated.is(contractUri[0]!)).toBe(true)

    // the generated view-function codecs round-trip through eth_call
    const call = async (data: string): Promise<Hex> => d.rpc<Hex>('eth_call', [{ to: nft.address, data }, 'latest'])
    expect(erc721.functions.tokenURI.decodeResult(await call(erc721.functions.tokenURI.encode({ tokenId: 1699n })))).toBe('ipfs://bafyprefix/1699')
    expect(erc721.functions.name.decodeResult(await call(erc721.functions.name.encode({})))).toBe('Test NFT')
    expect(erc7572.functions.contractURI.decodeResult(await call(erc7572.functions.contractURI.encode({})))).toBe('http://127.0.0.1:9/contract-v2.json')
    expect(owner).toBe(nft.deployer)
  })

  it('ERC-1155: TransferSingle, TransferBatch, URI', async () => {
    const d = chain.driver
    const [, alice, bob] = d.accounts as [Address, Address, Address]
    const template = 'http://127.0.0.1:9/1155/{id}.json'
    const sft = await d.deploy('TestERC1155', ['Test SFT', 'TSFT', template, ''])

    const ids = Array.from({ length: 300 }, (_, i) => BigInt(i + 1))
    const minted = await d.mintErc1155(
      sft,
      alice,
      ids,
      ids.map(() => 10n),
    )
    const single = await d.mintErc1155(sft, bob, [2n ** 256n - 1n], [1n])
    await d.transferErc1155(sft, alice, bob, 1n, 3n)
    await d.transferErc1155Batch(sft, alice, bob, [2n, 3n], [1n, 2n])
    await d.burnErc1155(sft, alice, 4n, 10n)
    await d.setUri1155(sft, 5n, 'ipfs://bafyfive')

    expect(await d.read(sft, 'uri', [6n])).toBe(template)
    expect(await d.read(sft, 'uri', [5n])).toBe('ipfs://bafyfive')
    expect(await d.read(sft, 'balanceOf', [bob, 1n])).toBe(3n)
    expect(await d.read(sft, 'name')).toBe('Test SFT')

    const logs = await logsOf(d, sft)
    const singles = byTopic(logs, T.TransferSingle)
    const batches = byTopic(logs, T.TransferBatch)
    for (const l of [...singles, ...batches]) expect(l.topics).toHaveLength(4)
    expect(batches).toHaveLength(minted.txs.length + 1)
    const mintedIds = batches.slice(0, minted.txs.length).flatMap((l) => erc1155.events.TransferBatch.decode(l).ids)
    expect(mintedIds).toEqual(ids)
    const batchTransfer = erc1155.events.TransferBatch.decode(batches[batches.length - 1]!)
    expect(batchTransfer).toEqual({ operator: lower(alice), from: lower(alice), to: lower(bob), ids: [2n, 3n], values: [1n, 2n] })

    expect(singles.map((l) => erc1155.events.TransferSingle.decode(l))).toEqual([
      { operator: lower(d.deployer), from: ZERO, to: lower(bob), id: 2n ** 256n - 1n, value: 1n },
      { operator: lower(alice), from: lower(alice), to: lower(bob), id: 1n, value: 3n },
      { operator: lower(alice), from: lower(alice), to: ZERO, id: 4n, value: 10n },
    ])
    expect(single.txs).toHaveLength(1)

    const uris = byTopic(logs, T.URI)
    expect(uris).toHaveLength(1)
    expect(uris[0]!.topics).toHaveLength(2)
    expect(erc1155.events.URI.decode(uris[0]!)).toEqual({ value: 'ipfs://bafyfive', id: 5n })
  })

  it('ERC-20: Transfer with 3 topics and the value in data', async () => {
    const d = chain.driver
    const [owner, alice, bob] = d.accounts as [Address, Address, Address]
    const ft = await d.deploy('TestERC20', ['Test Token', 'TT', 6, 1_000_000n])
    await d.mintErc20(ft, alice, 500n)
    await d.transferErc20(ft, alice, bob, 200n)
    await d.burnErc20(ft, bob, 50n)
    expect(await d.read(ft, 'decimals')).toBe(6)
    expect(await d.read(ft, 'totalSupply')).toBe(1_000_450n)

    const transfers = byTopic(await logsOf(d, ft), T.Transfer)
    for (const l of transfers) {
      expect(l.topics).toHaveLength(3)
      expect(l.data.length).toBe(2 + 64)
      expect(erc20.events.Transfer.is(l)).toBe(true)
      expect(erc721.events.Transfer.is(l)).toBe(false)
    }
    expect(transfers.map((l) => erc20.events.Transfer.decode(l))).toEqual([
      { from: ZERO, to: lower(owner), value: 1_000_000n },
      { from: ZERO, to: lower(alice), value: 500n },
      { from: lower(alice), to: lower(bob), value: 200n },
      { from: lower(bob), to: ZERO, value: 50n },
    ])
  })

  it('ERC-721 consecutive (ERC-2309): ranges minted in the constructor', async () => {
    const d = chain.driver
    const [, alice, bob] = d.accounts as [Address, Address, Address]
    const c = await d.deploy('TestConsecutive', ['Consecutive', 'CON', 'http://127.0.0.1:9/c/', [alice, bob], [100n, 50n]])
    const logs = await logsOf(d, c)
    const ranges = byTopic(logs, T.ConsecutiveTransfer)
    expect(ranges).toHaveLength(2)
    for (const l of ranges) expect(l.topics).toHaveLength(4)
    expect(ranges.map((l) => erc2309.events.ConsecutiveTransfer.decode(l))).toEqual([
      { fromTokenId: 0n, toTokenId: 99n, fromAddress: ZERO, toAddress: lower(alice) },
      { fromTokenId: 100n, toTokenId: 149n, fromAddress: ZERO, toAddress: lower(bob) },
    ])
    expect(byTopic(logs, T.Transfer)).toHaveLength(0)
    expect(await d.read(c, 'ownerOf', [120n])).toBe(bob)
    expect(await d.read(c, 'tokenURI', [0n])).toBe('http://127.0.0.1:9/c/0')

    // after construction, burns and mints use ordinary Transfer events
    await d.burnErc721(c, 3n)
    await d.write(c, 'mint', [alice, 1000n])
    const after = byTopic(await logsOf(d, c), T.Transfer).map((l) => erc721.events.Transfer.decode(l))
    expect(after).toEqual([
      { from: lower(alice), to: ZERO, tokenId: 3n },
      { from: ZERO, to: lower(alice), tokenId: 1000n },
    ])
    expect(await d.read(c, 'totalSupply')).toBe(150n)
  })

  it('non-standard logs: same topic0, other shapes', async () => {
    const d = chain.driver
    const [, alice, bob] = d.accounts as [Address, Address, Address]
    const ns = await d.deploy('NonStandardLogs')
    await d.write(ns, 'emitUnindexedTransfer', [alice, bob, 42n])
    await d.write(ns, 'emitTransferShortData', [alice, bob])
    await d.write(ns, 'emitTransferExtraData', [alice, bob, 43n, 7n])
    await d.write(ns, 'emitTransferTwoTopics', [alice, bob, 44n])
    await d.write(ns, 'emitLog', [[T.MetadataUpdate, zeroHash], '0x'])

    const logs = await logsOf(d, ns)
    expect(logs).toHaveLength(5)
    const [kitty, short, extra, two, mu] = logs as [RpcLog, RpcLog, RpcLog, RpcLog, RpcLog]
    for (const l of [kitty, short, extra, two]) expect(l.topics[0]).toBe(T.Transfer)

    // CryptoKitties style: 1 topic, from/to/id in 96 bytes of data; neither standard decoder matches
    expect(kitty.topics).toHaveLength(1)
    expect(kitty.data.length).toBe(2 + 3 * 64)
    expect(erc20.events.Transfer.is(kitty)).toBe(false)
    expect(erc721.events.Transfer.is(kitty)).toBe(false)
    expect(d.decodeLog('NonStandardLogs', kitty)).toEqual({ eventName: 'Transfer', args: { from: alice, to: bob, tokenId: 42n } })

    // ERC-20 shape with 16 bytes of data: matches by topic count, decoding fails
    expect(short.topics).toHaveLength(3)
    expect(short.data.length).toBe(2 + 32)
    expect(erc20.events.Transfer.is(short)).toBe(true)
    expect(() => erc20.events.Transfer.decode(short)).toThrow()

    // ERC-721 shape with trailing data: the decoder ignores the data
    expect(extra.topics).toHaveLength(4)
    expect(extra.data.length).toBe(2 + 64)
    expect(erc721.events.Transfer.decode(extra)).toEqual({ from: lower(alice), to: lower(bob), tokenId: 43n })

    expect(two.topics).toHaveLength(2)
    expect(erc20.events.Transfer.is(two)).toBe(false)
    expect(erc721.events.Transfer.is(two)).toBe(false)

    // MetadataUpdate with the token id as a topic instead of data
    expect(mu.topics).toHaveLength(2)
    expect(erc4906.events.MetadataUpdate.is(mu)).toBe(false)
  })

  it('mines linked blocks with evm_mine (no zero parentHash)', async () => {
    const d = chain.driver
    const start = await d.blockNumber()
    const head = await d.mine(5)
    expect(head).toBe(start + 5n)
    let prev = await d.getBlock(start)
    for (let n = start + 1n; n <= head; n++) {
      const b = await d.getBlock(n)
      expect(b.parentHash).not.toBe(zeroHash)
      expect(b.parentHash).toBe(prev.hash)
      prev = b
    }
  })

  it('reorg: snapshot, mint, revert, longer chain; the minted block is no longer canonical', async () => {
    const d = chain.driver
    const [, alice] = d.accounts as [Address, Address]
    const nft = await d.deploy('TestERC721', ['Reorg', 'RG', ''])
    const headBefore = await d.blockNumber()

    const fork = await d.fork()
    expect(fork.forkPoint.number).toBe(headBefore)
    const minted = await d.mintErc721Batch(nft, alice, 1n, 3, 'http://127.0.0.1:9/r/')
    await d.mine(1)
    const mintTx = minted.txs[0]!
    const orphanHead = await d.blockNumber()
    expect(byTopic(await logsOf(d, nft, mintTx.blockNumber), T.Transfer)).toHaveLength(3)

    const r = await fork.reorg({ extraBlocks: 2 })
    expect(r.orphaned.map((b) => b.number)).toEqual([headBefore + 1n, headBefore + 2n])
    expect(r.orphaned[0]!.hash).toBe(mintTx.blockHash)
    expect(r.replacement).toHaveLength(4)
    expect(r.head.number).toBe(orphanHead + 2n)
    expect(await d.blockNumber()).toBeGreaterThan(orphanHead)
    expect(r.replacement[0]!.parentHash).toBe(fork.forkPoint.hash)

    // the minted block's hash is gone from the canonical chain, and so are its logs and transaction
    const now = await d.getBlock(mintTx.blockNumber)
    expect(now.hash).not.toBe(mintTx.blockHash)
    for (const b of r.orphaned) expect((await d.getBlock(b.number)).hash).not.toBe(b.hash)
    expect(await d.rpc('eth_getBlockByHash', [mintTx.blockHash, false])).toBeNull()
    expect(await d.rpc('eth_getTransactionReceipt', [mintTx.hash])).toBeNull()
    expect(byTopic(await logsOf(d, nft, mintTx.blockNumber), T.Transfer)).toHaveLength(0)
    await expect(d.read(nft, 'ownerOf', [1n])).rejects.toThrow()

    // the callback form, with the same guarantees; the driver keeps working on the new branch
    const r2 = await d.reorg(() => d.mintErc721Batch(nft, alice, 10n, 2, ''))
    expect(r2.result.txs).toHaveLength(1)
    expect((await d.getBlock(r2.orphaned[0]!.number)).hash).not.toBe(r2.orphaned[0]!.hash)
    expect(r2.head.number).toBe(r2.orphaned[r2.orphaned.length - 1]!.number + 1n)
    const again = await d.mintErc721Batch(nft, alice, 10n, 2, 'http://127.0.0.1:9/r/')
    expect(again.txs[0]!.blockNumber).toBe(r2.head.number + 1n)
  })
})
