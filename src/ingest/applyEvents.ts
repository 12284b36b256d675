import type { Store } from '@subsquid/typeorm-store'
import type { Logger } from 'pino'
import type { ChainEvent, EventPosition, UpdateNotification } from '../core/events'
import { UINT256_MAX, isEvmChain } from '../core/ids'
import { isFungible } from '../core/standards'
import { PRIORITY, type JobRequest } from '../core/jobs'
import { Balance, Contract, Token, UpdateMode, UpdateNotice, UpdateNoticeKind } from '../model'
import { enqueueJobsCount } from '../store/jobs/enqueue'
import { BatchState } from './batchState'
import { ChainChanges } from './chainChanges'
import { rangePasses } from './rangePasses'
import { rangeChunkAfter, resolveRanges, upsertTokens, type RangeRequest } from '../store/tokens'
import { upsertContracts } from '../store/contracts'
import { upsertBalances } from '../store/balances'
import { hotTrackerOf, sqlOf } from './storeAccess'

export interface IngestOptions {
  chain: string
  /**
   * Chunk in which a range notice (BatchMetadataUpdate, SIP-019 without ids) enqueues its tokens
   * and an ERC-2309 range is written and enqueued: every token is covered, a chunk at a time.
   */
  rangeCap: number
  /** Largest ERC-2309 ConsecutiveTransfer range applied; larger ones are logged and left out. */
  maxConsecutiveRange?: bigint
  /** Wall clock for queue timestamps (chain data uses block time). */
  now: Date
  log?: Logger
}

export interface IngestSummary {
  events: Record<string, number>
  tokensCreated: number
  contractsCreated: number
  jobsEnqueued: number
  notices: number
}

interface Pending {
  jobs: JobRequest[]
  notices: UpdateNotice[]
  /** Range notices; `seq` is the event's place in the batch, so only tokens created before it count. */
  ranges: (RangeRequest & { notice: UpdateNotice; seq: number })[]
  /** Mints, transfers and burns for change notifications. */
  changes: ChainChanges
}

/**
 * Applies one batch of chain events inside the processor's batch transaction: chain facts
 * (contracts, tokens, owners, balances, supplies, update notices) and the metadata jobs they
 * call for, so a reorg rollback removes both together. `mintPriority` is NEW_MINT at the chain
 * head and BACKFILL while catching up.
 */
export async function applyEvents(store: Store, events: readonly ChainEvent[], mintPriority: number, opts: IngestOptions): Promise<IngestSummary> {
  const total: IngestSummary = { events: {}, tokensCreated: 0, contractsCreated: 0, jobsEnqueued: 0, notices: 0 }
  for (const e of events) total.events[e.kind] = (total.events[e.kind] ?? 0) + 1
  const passes = rangePasses(events, {
    chunk: opts.rangeCap,
    maxRange: opts.maxConsecutiveRange ?? DEFAULT_MAX_CONSECUTIVE,
    onRejected: (e, span) =>
      opts.log?.warn(
        { contract: e.contract, block: e.pos.blockNumber, tx: e.pos.txHash, span: span.toString() },
        'ConsecutiveTransfer range above EVM_CONSECUTIVE_MAX_TOKENS: not applied',
      ),
  })
  for (const pass of passes) {
    const s = await applyPass(store, pass, mintPriority, opts)
    total.tokensCreated += s.tokensCreated
    total.contractsCreated += s.contractsCreated
    total.jobsEnqueued += s.jobsEnqueued
    total.notices += s.notices
  }
  return total
}

const DEFAULT_MAX_CONSECUTIVE = 1_000_000n

type PassSummary = Omit<IngestSummary, 'events'>

async function applyPass(store: Store, events: readonly ChainEvent[], mintPriority: number, opts: IngestOptions): Promise<PassSummary> {
  const state = await BatchState.load(store, opts.chain, events, opts.rangeCap)
  const pending: Pending = { jobs: [], notices: [], ranges: [], changes: new ChainChanges() }
  for (const e of events) {
    state.seq++
    apply(state, pending, e, opts)
  }
  for (const id of state.newContracts) pending.jobs.push(contractJob(state.contracts.get(id)!, mintPriority))
  for (const id of state.newTokens) pending.jobs.push(tokenJob(state.tokens.get(id)!, mintPriority))
  const walked = await resolvePendingRanges(store, state, pending, opts)
  const jobsEnqueued = walked + (await persist(store, state, pending, opts.now))
  await pending.changes.record(store, opts.now)
  return { tokensCreated: state.newTokens.size, contractsCreated: state.newContracts.size, jobsEnqueued, notices: pending.notices.length }
}

function apply(s: BatchState, p: Pending, e: ChainEvent, opts: IngestOptions): void {
  switch (e.kind) {
    case 'nft_transfer': {
      const c = s.contract(e.contract, e.standard, e.pos)
      const t = s.token(c, e.tokenId, e.pos)
      moveNft(s, t, e.from, e.to, e.pos)
      p.changes.moved(t, e.from, e.to, 1n, e.pos)
      return
    }
    case 'nft_range_transfer': {
      // rangePasses cut the range to at most rangeCap tokens per pass
      const c = s.contract(e.contract, e.standard, e.pos)
      for (let id = e.fromTokenId; id <= e.toTokenId; id++) {
        const t = s.token(c, id, e.pos)
        moveNft(s, t, e.from, e.to, e.pos)
        p.changes.moved(t, e.from, e.to, 1n, e.pos)
      }
      return
    }
    case 'ft_transfer': {
      const c = s.contract(e.contract, e.standard, e.pos)
      const t = s.token(c, 0n, e.pos)
      if (s.newTokens.has(t.id)) t.supply = 0n
      const supply = c.totalSupply ?? 0n
      const next = supply + (e.from === null ? e.amount : 0n) - (e.to === null ? e.amount : 0n)
      // Never negative: a burn seen without its mint (indexing started mid-history) floors at 0.
      c.totalSupply = next < 0n ? 0n : next
      s.touchContract(c)
      p.changes.moved(t, e.from, e.to, e.amount, e.pos)
      return
    }
    case 'multi_transfer': {
      const c = s.contract(e.contract, e.standard, e.pos)
      e.ids.forEach((id, i) => {
        const t = s.token(c, id, e.pos)
        moveMulti(s, t, e.amounts[i], e.from, e.to, e.pos)
        p.changes.moved(t, e.from, e.to, e.amounts[i], e.pos)
      })
      return
    }
    case 'uri_changed': {
      const c = s.contract(e.contract, 'ERC1155', e.pos)
      const t = s.token(c, e.tokenId, e.pos)
      t.chainUri = e.uri
      p.notices.push(notice(c, e.pos, UpdateNoticeKind.URI, { token: t, fromTokenId: e.tokenId, toTokenId: e.tokenId, uri: e.uri }))
      p.jobs.push(tokenJob(t, PRIORITY.UPDATE_NOTICE))
      return
    }
    case 'metadata_updated': {
      const c = s.existingContract(e.contract)
      if (!c) return // an update for a contract we never saw mint anything: nothing to refresh
      if (!e.batch) {
        const t = s.existingToken(c, e.fromTokenId)
        p.notices.push(notice(c, e.pos, UpdateNoticeKind.METADATA_UPDATE, { token: t, fromTokenId: e.fromTokenId, toTokenId: e.toTokenId, tokenCount: t ? 1 : 0 }))
        if (t) p.jobs.push(tokenJob(t, PRIORITY.UPDATE_NOTICE))
        return
      }
      const n = notice(c, e.pos, UpdateNoticeKind.BATCH_METADATA_UPDATE, { fromTokenId: e.fromTokenId, toTokenId: e.toTokenId, tokenCount: 0 })
      p.notices.push(n)
      p.ranges.push({ contractId: c.id, from: e.fromTokenId, to: e.toTokenId, notice: n, seq: s.seq })
      return
    }
    case 'contract_metadata_updated': {
      const c = s.existingContract(e.contract)
      if (!c) return
      p.notices.push(notice(c, e.pos, UpdateNoticeKind.CONTRACT_URI_UPDATED, {}))
      p.jobs.push(contractJob(c, PRIORITY.UPDATE_NOTICE))
      return
    }
    case 'contract_deployed': {
      const c = s.contract(e.contract, e.standard, e.pos)
      c.deployer = e.deployer
      c.deployTx = e.pos.txHash
      c.deployBlock = e.pos.blockNumber
      s.touchContract(c)
      return
    }
    case 'update_notification':
      applyNotification(s, p, e, opts)
      return
  }
}

/**
 * SIP-019: accepted only when the token contract printed it itself or its deployer sent the
 * transaction (a stranger's contract cannot make us refetch someone else's tokens). Frozen
 * tokens (or a frozen collection) ignore later notices; the notice that freezes still refreshes.
 */
function applyNotification(s: BatchState, p: Pending, e: UpdateNotification, opts: IngestOptions): void {
  const c = s.existingContract(e.contract)
  if (!c) {
    opts.log?.info({ contract: e.contract, tx: e.pos.txHash }, 'SIP-019 notification for a contract not indexed: ignored')
    return
  }
  const deployer = c.deployer ?? c.address.split('.')[0]
  if (e.emitter !== c.address && e.pos.sender !== deployer) {
    opts.log?.warn({ contract: c.id, emitter: e.emitter, sender: e.pos.sender, tx: e.pos.txHash }, 'SIP-019 notification from neither the contract nor its deployer: ignored')
    return
  }
  if (c.updateMode === UpdateMode.FROZEN) return
  const mode = e.mode.toUpperCase() as UpdateMode
  const n = notice(c, e.pos, UpdateNoticeKind.SIP019, { updateMode: mode, ttl: e.ttlSeconds ?? null, sender: e.pos.sender ?? null, tokenCount: 0 })
  p.notices.push(n)
  if (e.tokenClass === 'ft' || (e.tokenIds === undefined && isFungible(c.standard))) {
    const t = s.existingToken(c, 0n)
    if (t) refreshToken(s, p, t, mode, e.ttlSeconds, n)
    p.jobs.push(contractJob(c, PRIORITY.UPDATE_NOTICE))
    return
  }
  if (e.tokenIds === undefined) {
    c.updateMode = mode
    c.updateTtl = e.ttlSeconds ?? null
    s.touchContract(c)
    p.ranges.push({ contractId: c.id, from: 0n, to: UINT256_MAX, notice: n, seq: s.seq })
    return
  }
  for (const id of e.tokenIds) {
    const t = s.existingToken(c, id)
    if (t) refreshToken(s, p, t, mode, e.ttlSeconds, n)
  }
  if (e.tokenIds.length === 1) n.token = s.existingToken(c, e.tokenIds[0]) ?? null
}

function refreshToken(s: BatchState, p: Pending, t: Token, mode: UpdateMode, ttl: number | undefined, n: UpdateNotice): void {
  if (t.updateMode === UpdateMode.FROZEN) return
  t.updateMode = mode
  t.updateTtl = ttl ?? null
  s.touchToken(t)
  n.tokenCount++
  p.jobs.push(tokenJob(t, PRIORITY.UPDATE_NOTICE))
}

function moveNft(s: BatchState, t: Token, from: string | null, to: string | null, pos: EventPosition): void {
  if (from === null) {
    t.burned = false
    t.supply = 1n
    t.burnBlock = null
  }
  t.owner = to
  if (to === null) {
    t.burned = true
    t.supply = 0n
    t.burnBlock = pos.blockNumber
  } else if (from !== null && t.supply === 0n && !t.burned) {
    t.supply = 1n // first seen through a transfer (indexing started after its mint)
  }
  s.touchToken(t)
}

function moveMulti(s: BatchState, t: Token, amount: bigint, from: string | null, to: string | null, pos: EventPosition): void {
  if (from === null) t.supply += amount
  else debit(s.balance(t, from), amount)
  if (to === null) {
    t.supply = t.supply > amount ? t.supply - amount : 0n
    if (t.supply === 0n) {
      t.burned = true
      t.burnBlock = pos.blockNumber
    }
  } else {
    s.balance(t, to).amount += amount
    t.burned = false
  }
  s.touchToken(t)
}

/** Balances floor at zero: a debit seen without its credit (mid-history start) is not an error. */
function debit(b: { amount: bigint }, amount: bigint): void {
  b.amount = b.amount > amount ? b.amount - amount : 0n
}

/** EVM: `<chain>:<block>:<log index>`; Stacks (event indexes restart per tx): `<chain>:<tx id>:<event index>`. */
function noticeId(chain: string, pos: EventPosition): string {
  return isEvmChain(chain) ? `${chain}:${pos.blockNumber}:${pos.logIndex}` : `${chain}:${pos.txHash}:${pos.logIndex}`
}

function notice(c: Contract, pos: EventPosition, kind: UpdateNoticeKind, p: Partial<UpdateNotice>): UpdateNotice {
  return new UpdateNotice({
    id: noticeId(c.chain, pos),
    chain: c.chain,
    contract: c,
    token: null,
    kind,
    tokenCount: 1,
    blockNumber: pos.blockNumber,
    blockHash: pos.blockHash,
    txHash: pos.txHash,
    logIndex: pos.logIndex,
    timestamp: pos.timestamp,
    sender: pos.sender ?? null,
    ...p,
  })
}

export function tokenJob(t: Token, priority: number): JobRequest {
  return { kind: 'TOKEN', chain: t.chain, contractId: t.contract.id, tokenRef: t.id, priority }
}

export function contractJob(c: Contract, priority: number): JobRequest {
  return { kind: 'CONTRACT', chain: c.chain, contractId: c.id, priority }
}

/**
 * Range notices refresh every existing token of their range: the first chunk (rangeCap tokens)
 * of each joins the batch's jobs; a range with more tokens in the table is walked on in chunks,
 * each enqueued at once (so memory stays bounded by the chunk), in the same transaction.
 * Returns the jobs enqueued by the walk.
 */
async function resolvePendingRanges(store: Store, s: BatchState, p: Pending, opts: IngestOptions): Promise<number> {
  if (p.ranges.length === 0) return 0
  const db = sqlOf(store)
  const job = (r: RangeRequest, tokenRef: string): JobRequest => ({ kind: 'TOKEN', chain: opts.chain, contractId: r.contractId, tokenRef, priority: PRIORITY.UPDATE_NOTICE })
  const found = await resolveRanges(db, p.ranges, opts.rangeCap, (r) => [...s.newTokens].filter((id) => s.createdAt.get(id)! < r.seq).map((id) => s.tokens.get(id)!))
  let enqueued = 0
  for (const [i, r] of p.ranges.entries()) {
    r.notice.tokenCount += found.ids[i].length
    for (const tokenRef of found.ids[i]) p.jobs.push(job(r, tokenRef))
    for (let after = found.continueAfter[i]; after !== null;) {
      const next = await rangeChunkAfter(db, r, after, opts.rangeCap)
      // table rows only: the batch's new tokens are not in the table yet and were all in the first chunk
      r.notice.tokenCount += next.length
      enqueued += await enqueue(
        store,
        next.map((t) => job(r, t.id)),
        opts.now,
      )
      after = next.length === opts.rangeCap ? next[next.length - 1].tokenId : null
    }
  }
  return enqueued
}

async function persist(store: Store, s: BatchState, p: Pending, now: Date): Promise<number> {
  // The job statement is sent first and the chain facts are prepared while Postgres runs it:
  // both go down the batch transaction's one connection, in order, so nothing runs
  // concurrently in the database; only the client's work (building and serialising 10,000s
  // of parameters) overlaps the server's. Promise.all observes both from the start, so a
  // failure of either fails the batch with the first error.
  const jobs = enqueue(store, p.jobs, now)
  jobs.catch(() => {}) // a failure during the yield is still thrown by Promise.all below
  if (p.jobs.length > 0) await yieldToIo()
  const [enqueued] = await Promise.all([jobs, writeFacts(store, s, p)])
  return enqueued
}

async function writeFacts(store: Store, s: BatchState, p: Pending): Promise<void> {
  const db = sqlOf(store)
  const hot = hotTrackerOf(store)
  await upsertContracts(
    db,
    hot,
    [...s.dirtyContracts].map((id) => s.contracts.get(id)!),
  )
  const dirty = [...s.dirtyTokens].map((id) => s.tokens.get(id)!)
  await upsertTokens(
    db,
    hot,
    dirty.filter((t) => s.newTokens.has(t.id)),
    dirty.filter((t) => !s.newTokens.has(t.id)),
  )
  const balances = [...s.dirtyBalances].map((id) => s.balances.get(id)!)
  await upsertBalances(
    db,
    hot,
    balances.filter((b) => b.amount > 0n),
  )
  const emptied = balances.filter((b) => b.amount === 0n).map((b) => b.id)
  if (emptied.length > 0) await store.remove(Balance, emptied)
  await store.insert(p.notices)
}

/**
 * Job rows are not in the hot-block change log: workers and the API change them after the
 * block, and restoring a block-time snapshot on rollback would undo their work (a refresh
 * requested meanwhile, a version already completed). Jobs of tokens and contracts that a
 * rollback deletes are deleted with them by trigger; a refresh an orphaned notice asked for
 * simply runs once more against the canonical chain.
 */
async function enqueue(store: Store, jobs: JobRequest[], now: Date): Promise<number> {
  if (jobs.length === 0) return 0
  return enqueueJobsCount(sqlOf(store), jobs, now)
}

/** Lets the statement just issued reach the socket (TypeORM hands it to pg a few microtasks later). */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
