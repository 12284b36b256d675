import type { Store } from '@subsquid/typeorm-store'
import type { EntityManager } from 'typeorm'
import { loadRowsByIds } from '../store/processorRows'
import { sqlOf } from './storeAccess'
import type { ChainEvent, EventPosition } from '../core/events'
import { contractId, tokenKey } from '../core/ids'
import type { TokenStandardName } from '../core/standards'
import { Balance, Contract, Token, TokenStandard, UpdateMode } from '../model'

/**
 * What a batch of events touches, loaded with one query per entity type before the events are
 * applied, then written back with one upsert per type. Every mutation goes through here so the
 * dirty sets are exact.
 */
export class BatchState {
  readonly contracts = new Map<string, Contract>()
  readonly tokens = new Map<string, Token>()
  readonly balances = new Map<string, Balance>()
  readonly newContracts = new Set<string>()
  readonly newTokens = new Set<string>()
  readonly dirtyContracts = new Set<string>()
  readonly dirtyTokens = new Set<string>()
  readonly dirtyBalances = new Set<string>()
  /** Order of creation of the batch's new tokens (by the event that created them). */
  readonly createdAt = new Map<string, number>()
  /** Index of the event being applied. */
  seq = 0

  constructor(readonly chain: string) {}

  static async load(store: Store, chain: string, events: readonly ChainEvent[], rangeCap: number): Promise<BatchState> {
    const s = new BatchState(chain)
    const keys = touchedKeys(chain, events, rangeCap)
    for (const c of await loadRowsByIds(sqlOf(store) as unknown as EntityManager, Contract, [...keys.contracts])) s.contracts.set(c.id, c)
    // Relations are not loaded by findBy; they are set from the ids (which embed them) so that
    // the upsert writes the foreign keys back unchanged.
    for (const t of await loadRowsByIds(sqlOf(store) as unknown as EntityManager, Token, [...keys.tokens])) {
      t.contract = s.contracts.get(parentId(t.id)) ?? new Contract({ id: parentId(t.id) })
      s.tokens.set(t.id, t)
    }
    for (const b of await loadRowsByIds(sqlOf(store) as unknown as EntityManager, Balance, [...keys.balances])) {
      b.token = s.tokens.get(parentId(b.id)) ?? new Token({ id: parentId(b.id) })
      b.contract = b.token.contract ?? new Contract({ id: parentId(parentId(b.id)) })
      s.balances.set(b.id, b)
    }
    return s
  }

  contract(address: string, standard: TokenStandardName, pos: EventPosition): Contract {
    const id = contractId(this.chain, address)
    let c = this.contracts.get(id)
    if (!c) {
      c = new Contract({
        id,
        chain: this.chain,
        address,
        standard: standard as TokenStandard,
        totalSupply: standard === 'ERC20' || standard === 'SIP010' ? 0n : null,
        firstSeenBlock: pos.blockNumber,
        updateMode: UpdateMode.STANDARD,
        createdAt: pos.timestamp,
      })
      this.contracts.set(id, c)
      this.newContracts.add(id)
      this.dirtyContracts.add(id)
    }
    return c
  }

  existingContract(address: string): Contract | undefined {
    return this.contracts.get(contractId(this.chain, address))
  }

  /** The token, created on first sight (a mint, or a transfer seen after a mid-history start). */
  token(contract: Contract, tokenId: bigint, pos: EventPosition): Token {
    const id = tokenKey(contract.id, tokenId)
    let t = this.tokens.get(id)
    if (!t) {
      t = new Token({
        id,
        chain: this.chain,
        contract,
        tokenId,
        standard: contract.standard,
        owner: null,
        supply: 0n,
        burned: false,
        mintBlock: pos.blockNumber,
        mintTx: pos.txHash,
        mintedAt: pos.timestamp,
        updateMode: contract.updateMode,
        seenOnChain: true,
      })
      this.tokens.set(id, t)
      this.newTokens.add(id)
      this.createdAt.set(id, this.seq)
    } else if (t.mintBlock == null) {
      // A placeholder row (a token fetched before it was indexed): its first event is its mint.
      t.mintBlock = pos.blockNumber
      t.mintTx = pos.txHash
      t.mintedAt = pos.timestamp
    }
    // An event on chain makes a worker's placeholder row a listed, counted token.
    t.seenOnChain = true
    this.dirtyTokens.add(id)
    return t
  }

  existingToken(contract: Contract, tokenId: bigint): Token | undefined {
    return this.tokens.get(tokenKey(contract.id, tokenId))
  }

  balance(token: Token, account: string): Balance {
    const id = `${token.id}:${account}`
    let b = this.balances.get(id)
    if (!b) {
      b = new Balance({ id, token, contract: token.contract, account, amount: 0n })
      this.balances.set(id, b)
    }
    this.dirtyBalances.add(id)
    return b
  }

  touchContract(c: Contract): void {
    this.dirtyContracts.add(c.id)
  }

  touchToken(t: Token): void {
    this.dirtyTokens.add(t.id)
  }
}

interface TouchedKeys {
  contracts: Set<string>
  tokens: Set<string>
  balances: Set<string>
}

function touchedKeys(chain: string, events: readonly ChainEvent[], rangeCap: number): TouchedKeys {
  const keys: TouchedKeys = { contracts: new Set(), tokens: new Set(), balances: new Set() }
  for (const e of events) {
    const c = contractId(chain, e.contract)
    keys.contracts.add(c)
    const token = (id: bigint) => keys.tokens.add(tokenKey(c, id))
    switch (e.kind) {
      case 'nft_transfer':
        token(e.tokenId)
        break
      case 'nft_range_transfer':
        for (let id = e.fromTokenId; id <= e.toTokenId && id - e.fromTokenId < BigInt(rangeCap); id++) token(id)
        break
      case 'ft_transfer':
        token(0n)
        break
      case 'multi_transfer':
        for (const id of e.ids) {
          token(id)
          for (const account of [e.from, e.to]) if (account) keys.balances.add(`${tokenKey(c, id)}:${account}`)
        }
        break
      case 'uri_changed':
        token(e.tokenId)
        break
      case 'metadata_updated':
        if (!e.batch) token(e.fromTokenId)
        break
      case 'update_notification':
        for (const id of e.tokenIds ?? []) token(id)
        if (e.tokenClass === 'ft') token(0n)
        break
      default:
        break
    }
  }
  return keys
}

/** `<parent>:<last segment>` -> parent (token id -> contract id, balance id -> token id). */
function parentId(id: string): string {
  return id.slice(0, id.lastIndexOf(':'))
}
