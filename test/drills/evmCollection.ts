/**
 * An ERC-721 collection for a drill: deployed on the drill's hardhat node, minted with a prefix
 * token URI that points at a local metadata host (tokenURI = prefix + decimal id), with one JSON
 * document per token whose content the drill can change (a revision number) before it emits an
 * ERC-4906 MetadataUpdate, so a refresh that is lost shows up as stale metadata.
 */
import type { Address } from 'viem'
import type * as DevnetEvm from '../../devnet/evm'
import { json, type MetadataHost } from '../helpers/metadataHost'
import type { EvmChain } from './chains'

export class DrillCollection {
  readonly revs = new Map<number, number>()
  minted = 0

  private constructor(
    readonly chain: EvmChain,
    readonly contract: DevnetEvm.DeployedContract,
    readonly host: MetadataHost,
    readonly pathPrefix: string,
    readonly label: string,
    private readonly delayMs: (id: number) => number,
  ) {}

  static async deploy(chain: EvmChain, host: MetadataHost, label: string, opts: { pathPrefix?: string; delayMs?: (id: number) => number } = {}): Promise<DrillCollection> {
    const contract = await chain.driver.deploy('TestERC721', [label, label.slice(0, 4).toUpperCase(), ''])
    return new DrillCollection(chain, contract, host, opts.pathPrefix ?? `/${label.toLowerCase()}/`, label, opts.delayMs ?? (() => 0))
  }

  get address(): string {
    return this.contract.address.toLowerCase()
  }

  get contractId(): string {
    return `eip155:${this.chain.driver.chainId}:${this.address}`
  }

  get deployBlock(): number {
    return Number(this.contract.blockNumber)
  }

  doc(id: number): Record<string, unknown> {
    const rev = this.revs.get(id) ?? 0
    return {
      name: `${this.label} #${id}`,
      description: `${this.label} token ${id}, revision ${rev}`,
      image: `ipfs://QmDrill${this.label}/${id}.png`,
      attributes: [
        { trait_type: 'Level', value: id % 7 },
        { trait_type: 'Revision', value: rev },
      ],
    }
  }

  /** Serves token ids [from, to) on the host (a document computed at request time). */
  serve(from: number, to: number): void {
    for (let id = from; id < to; id++) {
      const delayMs = this.delayMs(id)
      this.host.route(`${this.pathPrefix}${id}`, (req, res) => json(this.doc(id), { delayMs })(req, res))
    }
  }

  /** Mints the next `count` ids to `to` (routes served first, so no fetch ever finds a 404). */
  async mint(to: Address, count: number): Promise<{ from: number; to: number; txs: number }> {
    const from = this.minted
    this.serve(from, from + count)
    const r = await this.chain.driver.mintErc721Batch(this.contract, to, BigInt(from), count, this.host.urlFor(this.pathPrefix))
    this.minted += count
    return { from, to: from + count, txs: r.txs.length }
  }

  async transfer(from: Address, to: Address, id: number): Promise<void> {
    await this.chain.driver.transferErc721(this.contract, from, to, BigInt(id))
  }

  /** New content for the token, then MetadataUpdate(id): the indexer must end with this revision. */
  async bumpAndNotify(id: number): Promise<void> {
    this.revs.set(id, (this.revs.get(id) ?? 0) + 1)
    await this.chain.driver.emitMetadataUpdate(this.contract, BigInt(id))
  }
}

export interface WavePlan {
  tokens: number
  waves: number
  gapMs: number
  /** transfers of random earlier tokens per wave */
  transfersPerWave: number
  /** every n-th wave changes a random token's document and emits MetadataUpdate */
  refreshEvery: number
}

export interface WaveActivity {
  done: Promise<void>
  owners: Map<number, Address>
  stats: { transfers: number; refreshes: number; waves: number }
}

/** Live chain activity: waves of mints to accounts[1], transfers between accounts 1-3, refreshes. */
export function runWaves(col: DrillCollection, plan: WavePlan, rand: { int(min: number, max: number): number }, stop: () => boolean = () => false): WaveActivity {
  const [, alice, bob, carol] = col.chain.driver.accounts as Address[]
  const owners = new Map<number, Address>()
  const stats = { transfers: 0, refreshes: 0, waves: 0 }
  const perWave = Math.ceil(plan.tokens / plan.waves)
  const done = (async () => {
    for (let w = 0; w < plan.waves && !stop(); w++) {
      const count = Math.min(perWave, plan.tokens - col.minted)
      if (count <= 0) break
      const m = await col.mint(alice, count)
      for (let id = m.from; id < m.to; id++) owners.set(id, alice)
      for (let k = 0; k < plan.transfersPerWave && col.minted > 10; k++) {
        const id = rand.int(0, col.minted - 1)
        const from = owners.get(id)!
        const to = from === bob ? carol : bob
        await col.transfer(from, to, id)
        owners.set(id, to)
        stats.transfers++
      }
      if (plan.refreshEvery > 0 && w % plan.refreshEvery === plan.refreshEvery - 1) {
        await col.bumpAndNotify(rand.int(0, col.minted - 1))
        stats.refreshes++
      }
      stats.waves++
      await new Promise((r) => setTimeout(r, plan.gapMs))
    }
  })()
  return { done, owners, stats }
}
