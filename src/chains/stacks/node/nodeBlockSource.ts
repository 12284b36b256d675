/**
 * The processor's block source over the blocks a Stacks node's event observer stored (or an
 * archive import did): `STACKS_SOURCE=node`. The store decides the canonical chain
 * (src/store/stacksNodeBlocks.ts); this reads it in windows of WINDOW heights, one query each, so
 * a batch of the processor costs a couple of queries. What was read is forgotten at every
 * `getTip`: the processor asks for the tip before each batch, so a reorg stored meanwhile is seen.
 */
import type { StacksBlock, StacksBlockHeader, StacksBlockSource, StacksTip } from '../blockSource'
import { StacksBlockNotFoundError } from '../errors'
import { parseNewBlock } from './newBlock'
import type { NodeBlockMessage } from './observerPayloads'

export interface StoredBlock {
  indexBlockHash: string
  height: number
  parentIndexBlockHash: string
  payload: string
}

/** Read access to the stored canonical chain. */
export interface StoredChain {
  tip(): Promise<{ height: number; hash: string; indexBlockHash: string } | undefined>
  /** canonical blocks with heights in [from, to] */
  blocks(from: number, to: number): Promise<StoredBlock[]>
}

const WINDOW = 64

export class NodeBlockSource implements StacksBlockSource {
  private windows = new Map<number, Promise<Map<number, StoredBlock>>>()
  private parsed = new Map<string, StacksBlock>()

  constructor(private readonly chain: StoredChain) {}

  async getTip(): Promise<StacksTip> {
    this.windows = new Map()
    this.parsed = new Map()
    const tip = await this.chain.tip()
    if (!tip) throw new StacksBlockNotFoundError('latest', { url: 'stacks_node_block (no block stored yet)' })
    return tip
  }

  async getBlock(height: number): Promise<StacksBlockHeader | undefined> {
    const block = await this.stored(height)
    if (!block) return undefined
    const { txs: _txs, failedTxIds: _failed, ...header } = this.parse(block)
    return header
  }

  async getBlockWithEvents(height: number): Promise<StacksBlock> {
    const block = await this.stored(height)
    if (!block) throw new StacksBlockNotFoundError(height, { url: `stacks_node_block height ${height}` })
    return this.parse(block)
  }

  private async stored(height: number): Promise<StoredBlock | undefined> {
    if (!Number.isSafeInteger(height) || height < 0) return undefined
    const start = height - (height % WINDOW)
    let window = this.windows.get(start)
    if (!window) {
      window = this.chain.blocks(start, start + WINDOW - 1).then((rows) => new Map(rows.map((r) => [r.height, r])))
      this.windows.set(start, window)
      window.catch(() => this.windows.delete(start))
    }
    return (await window).get(height)
  }

  private parse(block: StoredBlock): StacksBlock {
    let out = this.parsed.get(block.indexBlockHash)
    if (!out) {
      out = parseNewBlock(JSON.parse(block.payload) as NodeBlockMessage)
      this.parsed.set(block.indexBlockHash, out)
    }
    return out
  }
}
