/**
 * A local hardhat chain holding up to 10^6 ERC-721 mint events, made cheaply enough for the
 * 30-minute budget of `npm run bench` + `npm run drill`.
 *
 * Minting through TestERC721 costs ~27,000 gas per token (one owner slot write each): on this
 * machine ~3,500 mints/s, ~5 min for 10^6. The emitter below logs the same event without the
 * storage write (~2,000 gas): ~15,000 events/s, ~70 s for 10^6. The processor reads logs only (no
 * eth_call), so what it ingests is what a real mint of the same ids logs: `Transfer(0x0, to, id)`
 * with four topics, from one contract. Each transaction carries EVENTS_PER_TX events and is
 * mined in its own block (automine), like bench/ingest.ts's ~530-mint transactions.
 *
 * The chain grows: `emitUpTo(n)` adds ids up to n, so sizes 10^4, 10^5, 10^6 share one chain
 * and each processor run indexes from block 0 to the head at that size.
 */
import type { Abi, Hex } from 'viem'
import { SOLC_SETTINGS, startLocalEvmChain, type CompiledContract } from '../devnet/evm'
import { fmt, log, ROOT, type Chain } from './common'

export const EVENTS_PER_TX = 1000

const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Logs ERC-721 Transfers for ids startId .. startId + count - 1 without keeping any state.
contract TransferEmitter {
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    function emitMints(address to, uint256 startId, uint256 count) external {
        unchecked {
            for (uint256 i = startId; i < startId + count; ++i) emit Transfer(address(0), to, i);
        }
    }

    function emitTransfers(address from, address to, uint256 startId, uint256 count) external {
        unchecked {
            for (uint256 i = startId; i < startId + count; ++i) emit Transfer(from, to, i);
        }
    }
}
`

interface SolcOutput {
  errors?: { severity: string; formattedMessage?: string; message: string }[]
  contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
}

/** solc-js in this process (~1 s for this one file); same settings as the test contracts. */
function compileEmitter(): CompiledContract {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require(require.resolve('solc', { paths: [ROOT] })) as { compile(input: string): string }
  const unit = 'bench/TransferEmitter.sol'
  const out = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources: { [unit]: { content: SOURCE } }, settings: SOLC_SETTINGS }))) as SolcOutput
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length) throw new Error(`solc: ${errors.map((e) => e.formattedMessage ?? e.message).join('\n')}`)
  const c = out.contracts[unit].TransferEmitter
  return { name: 'TransferEmitter', source: unit, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` as Hex }
}

export interface EmitterChain extends Chain {
  /** The emitting contract (lower case): every Transfer on this chain comes from it. */
  address: string
  /** Emits mints until the chain holds `n` of them; returns the head (after 3 empty blocks) and the time spent. */
  emitUpTo(n: number): Promise<{ head: number; seconds: number; txs: number }>
  /**
   * Emits `n` transfers of the already minted ids 0 .. n-1 from the minter to a second account
   * (EVENTS_PER_TX per transaction); returns the head (after 3 empty blocks) and the time spent.
   */
  emitTransfers(n: number): Promise<{ head: number; seconds: number; txs: number }>
}

export async function startEmitterChain(): Promise<EmitterChain> {
  const chain = await startLocalEvmChain({ blockGasLimit: 60_000_000 }, { TransferEmitter: compileEmitter() })
  try {
    const driver = chain.driver
    const emitter = await driver.deploy('TransferEmitter')
    const to = driver.accounts[1]
    const next = driver.accounts[2]
    let emitted = 0
    const emitUpTo = async (n: number) => {
      const started = performance.now()
      let txs = 0
      for (; emitted < n; txs++) {
        const count = Math.min(EVENTS_PER_TX, n - emitted)
        await driver.write(emitter, 'emitMints', [to, BigInt(emitted), BigInt(count)])
        emitted += count
        if (emitted % 100_000 === 0) log(`  emitted ${fmt(emitted)} / ${fmt(n)} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
      }
      const head = Number(await driver.mine(3))
      return { head, seconds: (performance.now() - started) / 1000, txs }
    }
    const emitTransfers = async (n: number) => {
      if (n > emitted) throw new Error(`cannot transfer ${n} tokens: ${emitted} minted`)
      const started = performance.now()
      let txs = 0
      for (let sent = 0; sent < n; txs++) {
        const count = Math.min(EVENTS_PER_TX, n - sent)
        await driver.write(emitter, 'emitTransfers', [to, next, BigInt(sent), BigInt(count)])
        sent += count
      }
      const head = Number(await driver.mine(3))
      return { head, seconds: (performance.now() - started) / 1000, txs }
    }
    return { ...chain, address: emitter.address.toLowerCase(), emitUpTo, emitTransfers }
  } catch (e) {
    await chain.stop()
    throw e
  }
}
