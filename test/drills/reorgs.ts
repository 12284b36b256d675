/**
 * Reorg drill. Live indexing of both chain families while their chains reorganise under the
 * processors: on the hardhat chain, fork()/reorg() orphans 1-10 blocks of activity (mints,
 * transfers, ERC-1155 moves, MetadataUpdate) and replaces them with a longer branch, with
 * finality 12; in the Stacks simulator, fork(depth, build) orphans 1-10 blocks and mines a
 * different branch, with STACKS_FINALITY 12. Workers and the API run throughout. At the end the
 * database must equal a fresh index (and fetch) of the canonical chains in a second database.
 */
import { Cl } from '@stacks/transactions'
import type { Address } from 'viem'
import type * as DevnetEvm from '../../devnet/evm'
import { freePort } from '../../src/lib/net'
import { json, startMetadataHost } from '../helpers/metadataHost'
import { ApiProbe } from './apiProbe'
import { installDoneAudit, readDoneAudit } from './audit'
import { EVM_CHAIN, STACKS_CHAIN, evmChainsEnv, evmWarm, type StacksSim } from './chains'
import { indexedHash, jobCounts, live, type DrillContext } from './context'
import { compareDatabases, counterMismatches } from './dump'
import { DrillCollection } from './evmCollection'
import type { DrillDb } from './postgres'
import { Fleet } from './processes'
import { check, type Check, type DrillResult } from './report'
import { deploymentEnv, roleSpecs } from './roles'
import { fmt, seconds, sleep, waitFor, type Rng } from './runtime'

export interface ReorgOptions {
  evmReorgs: number
  stacksForks: number
  maxDepth: number
  finality: number
  workers: number
  timeoutMs: number
}

export const REORG_PROFILES: Record<'full' | 'quick' | 'test', ReorgOptions> = {
  full: { evmReorgs: 12, stacksForks: 8, maxDepth: 10, finality: 12, workers: 2, timeoutMs: 180_000 },
  quick: { evmReorgs: 6, stacksForks: 4, maxDepth: 10, finality: 12, workers: 2, timeoutMs: 150_000 },
  test: { evmReorgs: 2, stacksForks: 2, maxDepth: 10, finality: 12, workers: 1, timeoutMs: 120_000 },
}

/** Keeps the database the fuzz drill reads (tokens, metadata and jobs of both chain families). */
export const REORG_DB = 'drill_reorgs'

const hex64 = (id: bigint) => id.toString(16).padStart(64, '0')

export async function runReorgDrill(ctx: DrillContext, opt: ReorgOptions): Promise<DrillResult> {
  const started = Date.now()
  const r = ctx.rng('reorgs')
  const log = (m: string) => ctx.log(`[reorgs] ${m}`)
  const checks: Check[] = []
  const figures: DrillResult['figures'] = []
  const faults: string[] = []
  const logDir = ctx.logDir('reorgs')
  const [chain, sim] = await Promise.all([ctx.evm(), ctx.stacks()])
  const d = chain.driver
  const [, alice, bob, carol] = d.accounts as Address[]
  const host = await startMetadataHost()
  // The ipfs:// URIs the Stacks sample contracts start with go to this local "gateway" (404).
  const gateway = await startMetadataHost()
  const fleets: Fleet[] = []
  const dbs: DrillDb[] = []
  try {
    // --- EVM contracts
    const col = await DrillCollection.deploy(chain, host, 'Reorg')
    const items = await d.deploy('TestERC1155', ['ReorgItems', 'RIT', host.urlFor('/ritems/{id}.json'), ''])
    for (let id = 1n; id <= 400n; id++) host.route(`/ritems/${hex64(id)}.json`, json({ name: `Item ${id}`, properties: { id: Number(id) } }))
    // --- Stacks contracts: URIs on the local host
    const { deployer, wallet_1, wallet_2, wallet_3 } = sim.accounts
    const c = sim.contracts
    for (let id = 0; id < 600; id++)
      host.route(`/stx/nft/${id}.json`, json({ sip: 16, name: `Stacks NFT ${id}`, image: `https://img.invalid/${id}.png`, attributes: [{ trait_type: 'n', value: id % 5 }] }))
    for (let id = 0; id < 200; id++) host.route(`/stx/sft/${id}.json`, json({ sip: 16, name: `Stacks SFT ${id}`, decimals: 0 }))
    host.route('/stx/ft.json', json({ sip: 16, name: 'Sample Token', description: 'drill FT' }))
    await sim.call(c.nft, 'set-token-uri', [Cl.stringAscii(host.urlFor('/stx/nft/{id}.json'))], deployer)
    await sim.call(c.sft, 'set-token-uri', [Cl.stringAscii(host.urlFor('/stx/sft/{id}.json'))], deployer)
    await sim.call(c.ft, 'set-token-uri', [Cl.some(Cl.stringUtf8(host.urlFor('/stx/ft.json')))], deployer)

    const apiPort = await freePort()
    const db = await ctx.pg.createDatabase(REORG_DB)
    dbs.push(db)
    await installDoneAudit(db)
    const chainsEnv = evmChainsEnv(chain.rpcUrl, { finality: opt.finality, startBlock: col.deployBlock, contracts: [col.address, items.address.toLowerCase()] })
    const env = deploymentEnv({
      databaseUrl: db.url,
      evmChains: chainsEnv,
      stacksApiUrl: sim.url,
      stacksChain: STACKS_CHAIN,
      allowHosts: [`127.0.0.1:${host.port}`, `127.0.0.1:${gateway.port}`],
      extra: { STACKS_FINALITY: String(opt.finality), IPFS_GATEWAY: gateway.url, WORKER_CONCURRENCY: '16', JOB_MAX_ATTEMPTS: '3' },
    })
    const fleet = new Fleet(`${logDir}/live`, log)
    fleets.push(fleet)
    for (const spec of roleSpecs({ env, evmProcessor: true, stacksProcessor: true, workers: opt.workers, apiPort, restartDelayMs: () => 1000 })) fleet.add(spec)
    fleet.startAll()
    const probe = new ApiProbe(() => `http://127.0.0.1:${apiPort}`, { chain: EVM_CHAIN, contract: col.address, tokenIds: () => col.minted })
    probe.start()

    // --- the activity
    const evmRng = r.fork('evm')
    const stxRng = r.fork('stacks')
    const evm = new EvmActivity(col, items, alice, bob, carol, evmRng)
    await evm.canonical(40)
    const stx = new StacksActivity(sim, stxRng, { deployer, w1: wallet_1, w2: wallet_2, w3: wallet_3 })
    await stx.canonical(6)
    const evmDepths: number[] = []
    const stxDepths: number[] = []
    const rounds = Math.max(opt.evmReorgs, opt.stacksForks)
    for (let i = 0; i < rounds; i++) {
      if (i < opt.evmReorgs) {
        await evmWarm(chain, log)
        const depth = evmRng.int(1, opt.maxDepth)
        const fork = await d.fork()
        await evm.orphanBranch(depth)
        await sleep(evmRng.int(0, 1500))
        const res = await fork.reorg({ extraBlocks: evmRng.int(1, 2) })
        evmDepths.push(res.orphaned.length)
        faults.push(`+${seconds(Date.now() - started)} EVM reorg depth ${res.orphaned.length} at ${res.forkPoint.number} → head ${res.head.number}`)
        log(`EVM reorg ${i + 1}: ${res.orphaned.length} blocks orphaned after ${res.forkPoint.number}, new head ${res.head.number}`)
        await evm.canonical(evmRng.int(5, 25), true)
      }
      if (i < opt.stacksForks) {
        await stx.canonical(stxRng.int(opt.maxDepth, opt.maxDepth + 4))
        await sleep(stxRng.int(0, 1500))
        const depth = Math.min(stxRng.int(1, opt.maxDepth), sim.tip().height - 3)
        const res = await sim.fork(depth, (s) => stx.replacementBranch(s))
        stxDepths.push(res.orphaned.length)
        faults.push(`+${seconds(Date.now() - started)} Stacks fork depth ${res.orphaned.length} → tip ${res.tip.height}`)
        log(`Stacks fork ${i + 1}: ${res.orphaned.length} blocks orphaned, new tip ${res.tip.height}`)
      }
    }
    await evmWarm(chain, log)
    await evm.canonical(10)
    await stx.canonical(3)
    await evmWarm(chain, log)

    // --- the end state: both processors on the canonical heads, the queue drained
    const evmHead = await d.getBlock('latest')
    const stxTip = sim.tip()
    const onHeads = async (x: DrillDb) =>
      (await indexedHash(x, EVM_CHAIN, Number(evmHead.number))) === evmHead.hash && (await indexedHash(x, STACKS_CHAIN, stxTip.height)) === stxTip.indexBlockHash
    const drained = async (x: DrillDb) => live(await jobCounts(x)) === 0
    await waitFor(
      'live processors on the canonical heads',
      () => onHeads(db),
      opt.timeoutMs,
      200,
      () => fleet.tails(),
    )
    await waitFor(
      'live queue drained',
      () => drained(db),
      opt.timeoutMs,
      200,
      () => fleet.tails(),
    )
    const liveMs = Date.now() - started
    await sleep(300)
    const probeStats = await probe.stop()
    const unexpected = [...fleet.roles.values()].flatMap((p) => p.unexpectedExits.map((e) => `${p.name} code ${e.code}${p.lastError() ? ` (${p.lastError()})` : ''}`))
    await fleet.stopAll()

    const fresh = await ctx.pg.createDatabase('drill_reorgs_fresh')
    dbs.push(fresh)
    const freshFleet = new Fleet(`${logDir}/fresh`, log)
    fleets.push(freshFleet)
    for (const spec of roleSpecs({ env: { ...env, DATABASE_URL: fresh.url }, evmProcessor: true, stacksProcessor: true, workers: opt.workers })) freshFleet.add(spec)
    const freshStart = Date.now()
    freshFleet.startAll()
    await waitFor(
      'fresh processors on the canonical heads',
      () => onHeads(fresh),
      opt.timeoutMs,
      200,
      () => freshFleet.tails(),
    )
    await waitFor(
      'fresh queue drained',
      () => drained(fresh),
      opt.timeoutMs,
      200,
      () => freshFleet.tails(),
    )
    const freshMs = Date.now() - freshStart
    await freshFleet.stopAll()

    for (const [name, id] of [
      ['EVM', EVM_CHAIN],
      ['Stacks', STACKS_CHAIN],
    ] as const) {
      const cmp = await compareDatabases(db, fresh, id)
      check(
        checks,
        `${name}: database equals a fresh index of the canonical chain`,
        cmp.equal,
        cmp.equal ? cmp.tables.map((t) => `${t.table} ${fmt(t.a)}`).join(', ') : cmp.differences.join(' / '),
      )
    }
    const orphans = await db.q<{ n: number }>(`SELECT count(*)::int AS n FROM token WHERE contract_id = $1 AND token_id >= 100000`, [col.contractId])
    const expectedOrphans = await fresh.q<{ n: number }>(`SELECT count(*)::int AS n FROM token WHERE contract_id = $1 AND token_id >= 100000`, [col.contractId])
    check(
      checks,
      'tokens minted only on orphaned EVM branches are gone (and their jobs)',
      orphans[0].n === expectedOrphans[0].n,
      `${orphans[0].n} orphan-range tokens in the live database, ${expectedOrphans[0].n} re-minted canonically`,
    )
    const counters = await counterMismatches(db)
    check(checks, 'status counters equal COUNT(*) after the rollbacks', counters.length === 0, counters.join('; ') || 'job, token, contract and per-collection counters match')
    check(checks, 'no process exited', unexpected.length === 0, unexpected.join('; ') || 'none')
    check(
      checks,
      'API: no 5xx',
      probeStats.serverErrors === 0 && probeStats.unavailable === 0,
      `${fmt(probeStats.requests)} requests, ${fmt(probeStats.ok)} ok, ${probeStats.serverErrors + probeStats.unavailable} 5xx ${probeStats.samples5xx.join(' / ')}`,
    )
    const audit = await readDoneAudit(db)

    const [{ tokens: evmTokens }] = await db.q<{ tokens: number }>(`SELECT count(*)::int AS tokens FROM token WHERE chain = $1`, [EVM_CHAIN])
    const [{ tokens: stxTokens }] = await db.q<{ tokens: number }>(`SELECT count(*)::int AS tokens FROM token WHERE chain = $1`, [STACKS_CHAIN])
    figures.push(['EVM reorgs', String(evmDepths.length), `orphaned depths ${evmDepths.join(', ')} (finality ${opt.finality}); ${evm.stats()}`])
    figures.push(['Stacks forks', String(stxDepths.length), `orphaned depths ${stxDepths.join(', ')} (STACKS_FINALITY ${opt.finality}); ${stx.calls} calls`])
    figures.push(['canonical state', `${fmt(evmTokens)} EVM + ${fmt(stxTokens)} Stacks tokens`, `EVM head ${evmHead.number}, Stacks tip ${stxTip.height}`])
    figures.push(['live run (start → heads indexed, queue drained)', seconds(liveMs), `${opt.workers} worker${opt.workers > 1 ? 's' : ''} and the API running throughout`])
    figures.push(['fresh index + fetch (second database)', seconds(freshMs), ''])
    figures.push([
      'DONE transitions repeated by rollbacks',
      String(audit.duplicates.length),
      'job versions completed twice: a rollback restores a job row to its image from before the orphaned block (informational)',
    ])
    return {
      drill: 'reorgs',
      setup: `Hardhat chain (ERC-721 + ERC-1155, processor finality ${opt.finality}) and Stacks simulator (SIP-009/010/013, STACKS_FINALITY ${opt.finality}) indexed live with ${opt.workers} worker${opt.workers > 1 ? 's' : ''} and the API; ${opt.evmReorgs} EVM reorgs and ${opt.stacksForks} Stacks forks of random depth 1-${opt.maxDepth}, each orphaning real activity, taken at a random moment of the processor's progress; then a fresh index of the canonical chains in a second database.`,
      durationMs: Date.now() - started,
      figures,
      faults,
      checks,
      lost: checks.every((x) => x.ok) ? 'nothing' : 'see the failed checks',
      logDir,
    }
  } finally {
    for (const f of fleets) await f.stopAll().catch(() => undefined)
    for (const x of dbs) await x.close()
    await host.close()
    await gateway.close()
  }
}

/** EVM activity: canonical rounds and orphan branches (ids >= 100000 are only ever minted on branches first). */
class EvmActivity {
  private readonly aliceHeld: number[] = []
  private nextOrphan = 100_000
  private orphanBatches: number[][] = []
  private itemIds = 8
  private counts = { mints: 0, transfers: 0, items: 0, updates: 0, orphanTxs: 0, remints: 0 }

  constructor(
    private readonly col: DrillCollection,
    private readonly items: DevnetEvm.DeployedContract,
    private readonly alice: Address,
    private readonly bob: Address,
    private readonly carol: Address,
    private readonly r: Rng,
  ) {}

  private get d() {
    return this.col.chain.driver
  }

  stats(): string {
    const c = this.counts
    return `${c.mints} ERC-721 mints, ${c.transfers} transfers, ${c.items} ERC-1155 moves, ${c.updates} MetadataUpdate, ${c.orphanTxs} orphaned txs, ${c.remints} orphan ids re-minted canonically`
  }

  async canonical(mints: number, afterReorg = false): Promise<void> {
    if (this.col.minted === 0) {
      await this.d.mintErc1155(
        this.items,
        this.alice,
        Array.from({ length: 8 }, (_, i) => BigInt(i + 1)),
        Array.from({ length: 8 }, () => 1000n),
      )
    }
    const m = await this.col.mint(this.alice, mints)
    for (let id = m.from; id < m.to; id++) this.aliceHeld.push(id)
    this.counts.mints += mints
    for (let k = 0; k < 2 && this.aliceHeld.length > 0; k++) {
      const id = this.aliceHeld.splice(this.r.int(0, this.aliceHeld.length - 1), 1)[0]
      await this.col.transfer(this.alice, this.bob, id)
      this.counts.transfers++
    }
    await this.d.transferErc1155(this.items, this.alice, this.carol, BigInt(this.r.int(1, 8)), 1n)
    this.counts.items++
    if (this.r.chance(0.5)) {
      await this.col.bumpAndNotify(this.r.int(0, this.col.minted - 1))
      this.counts.updates++
    }
    // Ids that existed only on an orphaned branch, minted for real now (to another owner).
    if (afterReorg && this.orphanBatches.length > 0 && this.r.chance(0.5)) {
      const ids = this.orphanBatches.shift()!
      this.col.serve(ids[0], ids[0] + ids.length)
      await this.d.mintErc721Batch(this.col.contract, this.carol, BigInt(ids[0]), ids.length, this.col.host.urlFor(this.col.pathPrefix))
      this.counts.remints += ids.length
    }
  }

  /** `depth` blocks (one transaction each) of activity that a reorg will orphan. */
  async orphanBranch(depth: number): Promise<void> {
    const moved = new Set<number>()
    for (let b = 0; b < depth; b++) {
      const kind = this.r.int(0, 4)
      this.counts.orphanTxs++
      if (kind === 0) {
        const from = this.nextOrphan
        this.nextOrphan += 3
        this.col.serve(from, from + 3)
        await this.d.mintErc721Batch(this.col.contract, this.bob, BigInt(from), 3, this.col.host.urlFor(this.col.pathPrefix))
        this.orphanBatches.push([from, from + 1, from + 2])
      } else if (kind === 1 && this.aliceHeld.length > moved.size) {
        const candidates = this.aliceHeld.filter((id) => !moved.has(id))
        const id = this.r.pick(candidates)
        moved.add(id)
        await this.col.transfer(this.alice, this.carol, id)
      } else if (kind === 2) {
        // The document is not changed: a refresh that gets orphaned must not matter.
        await this.d.emitMetadataUpdate(this.col.contract, BigInt(this.r.int(0, this.col.minted - 1)))
      } else if (kind === 3) {
        await this.d.transferErc1155(this.items, this.alice, this.bob, BigInt(this.r.int(1, 8)), 1n)
      } else {
        const id = ++this.itemIds
        await this.d.mintErc1155(this.items, this.carol, [BigInt(id)], [2n])
      }
    }
  }
}

/** Stacks activity through the simulator's contracts. */
class StacksActivity {
  calls = 0
  private sftIds = 0

  constructor(
    private readonly sim: StacksSim,
    private readonly r: Rng,
    private readonly a: { deployer: string; w1: string; w2: string; w3: string },
  ) {}

  private async call(s: StacksSim, contract: string, fn: string, args: Parameters<StacksSim['call']>[2], sender: string): Promise<void> {
    this.calls++
    const res = await s.call(contract, fn, args, sender)
    if (res.status !== 'success') throw new Error(`${contract}.${fn} aborted: ${res.vmError ?? 'err'}`)
  }

  private async step(s: StacksSim, who: string): Promise<void> {
    const c = s.contracts
    switch (this.r.int(0, 3)) {
      case 0:
        return this.call(s, c.nft, 'mint', [Cl.principal(who)], this.a.deployer)
      case 1:
        return this.call(s, c.ft, 'mint', [Cl.uint(this.r.int(1, 1000)), Cl.principal(who)], this.a.deployer)
      case 2:
        return this.call(s, c.sft, 'mint', [Cl.uint(this.sftIds++ % 20), Cl.uint(this.r.int(1, 9)), Cl.principal(who)], this.a.deployer)
      default:
        return this.call(s, c.ft, 'mint', [Cl.uint(1), Cl.principal(this.a.w3)], this.a.deployer)
    }
  }

  /** `blocks` blocks of canonical activity (one call each). */
  async canonical(blocks: number): Promise<void> {
    for (let i = 0; i < blocks; i++) await this.step(this.sim, this.a.w1)
  }

  /** What the winning branch of a fork contains: a few different calls, to another wallet. */
  async replacementBranch(s: StacksSim): Promise<void> {
    const n = this.r.int(0, 3)
    for (let i = 0; i < n; i++) await this.step(s, this.a.w2)
  }
}
