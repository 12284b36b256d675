import { mediaOfSubjects, type MediaView } from '../../store/media'
import DataLoader from 'dataloader'
import { collectionStats, type CollectionStats } from '../../store/read/collectionStats'
import { contractsByIds, type ContractView } from '../../store/read/contracts'
import { rarityOfTokens, type Rarity } from '../../store/read/rarity'
import type { ApiStore } from '../../store/apiStore'
import { attributesOfTokens, balancesOfTokens, localesOfTokens, rawMetadataOfTokens, type AttributeRow, type BalanceRow, type LocaleRow } from '../../store/read/tokenDetails'
import { tokensOfContracts, type TokenViewPage } from '../../store/read/tokenLists'
import { loadTokenCores, type TokenCore } from '../../store/read/tokenViews'

/**
 * Per-request batch loaders: whatever the shape of a query, each kind of data is read with one
 * statement per level of the query (DataLoader collects the keys of one tick), never one per
 * token. Created per request so nothing is cached across requests.
 */
export class Loaders {
  readonly tokenCores: DataLoader<string, TokenCore>
  readonly contracts: DataLoader<string, ContractView | null>
  readonly locales: DataLoader<string, LocaleRow[]>
  readonly attributes: DataLoader<string, AttributeRow[]>
  readonly raw: DataLoader<string, unknown>
  readonly stats: DataLoader<string, CollectionStats>
  readonly rarity: DataLoader<string, Rarity | null>
  /** Media uses of tokens and contracts by id (the `image` fields). */
  readonly media: DataLoader<string, MediaView[]>
  private readonly balanceLoaders = new Map<string, DataLoader<string, BalanceRow[]>>()
  private readonly contractPageLoaders = new Map<string, DataLoader<string, TokenViewPage>>()

  constructor(private readonly store: ApiStore) {
    this.tokenCores = new DataLoader((refs) => store.read(loadTokenCores, refs.map(keyOfRef)))
    this.contracts = new DataLoader((ids) => store.read(contractsByIds, ids))
    this.locales = new DataLoader(async (refs) => group(await store.read(localesOfTokens, refs), refs))
    this.attributes = new DataLoader(async (refs) => group(await store.read(attributesOfTokens, refs), refs))
    this.raw = new DataLoader(async (refs) => {
      const byRef = await store.read(rawMetadataOfTokens, refs)
      return refs.map((r) => byRef.get(r) ?? null)
    })
    this.stats = new DataLoader((ids) => store.read(collectionStats, ids))
    this.media = new DataLoader(async (ids) => {
      const found = await store.read(mediaOfSubjects, ids)
      return ids.map((id) => found.get(id) ?? [])
    })
    this.rarity = new DataLoader(async (refs) => {
      const byRef = await store.read(rarityOfTokens, refs)
      return refs.map((r) => byRef.get(r) ?? null)
    })
  }

  /** Holders of tokens, one loader per page shape (the same first/after for every token of a level). */
  balances(afterAccount: string | null, limit: number): DataLoader<string, BalanceRow[]> {
    const key = `${limit}|${afterAccount ?? ''}`
    let loader = this.balanceLoaders.get(key)
    if (!loader) {
      loader = new DataLoader(async (refs) => group(await this.store.read(balancesOfTokens, refs, afterAccount, limit), refs))
      this.balanceLoaders.set(key, loader)
    }
    return loader
  }

  /** A page of tokens of many contracts (nested `Contract.tokens`), one loader per page shape. */
  contractTokenPages(after: string | null, limit: number): DataLoader<string, TokenViewPage> {
    const key = `${limit}|${after ?? ''}`
    let loader = this.contractPageLoaders.get(key)
    if (!loader) {
      loader = new DataLoader((ids) => this.store.read(tokensOfContracts, ids, after, limit))
      this.contractPageLoaders.set(key, loader)
    }
    return loader
  }
}

/** `<chain>:<address>:<tokenId>`: the token id is after the last colon. */
export function keyOfRef(ref: string): { contractId: string; tokenId: string } {
  const at = ref.lastIndexOf(':')
  return { contractId: ref.slice(0, at), tokenId: ref.slice(at + 1) }
}

function group<T extends { tokenRef: string }>(rows: T[], refs: readonly string[]): T[][] {
  const byRef = new Map<string, T[]>()
  for (const r of rows) {
    let list = byRef.get(r.tokenRef)
    if (!list) byRef.set(r.tokenRef, (list = []))
    list.push(r)
  }
  return refs.map((r) => byRef.get(r) ?? [])
}
