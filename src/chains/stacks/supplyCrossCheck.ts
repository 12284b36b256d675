/**
 * The periodic cross-check of SIP-010 supplies. The supply served is the one the processor tracks
 * from ft_mint / ft_burn events (exact, never negative); this compares it with the contract's own
 * `get-total-supply`, which disagrees when indexing started after some mints, when a contract
 * mints without the ft events a SIP-010 token emits, or when events were missed. A disagreement
 * is reported (warning and metric), never silently adopted: the chain read is at the node's tip,
 * the tracked value at the indexed height, and the round only judges when both are the same block.
 */
export interface TrackedSupply {
  contractId: string
  /** `ADDR.name` */
  address: string
  supply: bigint
}

export interface SupplyMismatch extends TrackedSupply {
  chainSupply: bigint
  height: number
}

export interface SupplyCrossCheckDeps {
  /** Height of the chain tip as the API reports it. */
  tipHeight(): Promise<number>
  /** Highest block the processor has written. */
  indexedHeight(): Promise<number>
  trackedSupplies(): Promise<TrackedSupply[]>
  /** get-total-supply; null when the contract has none. */
  chainSupply(address: string): Promise<bigint | null>
  onMismatch(m: SupplyMismatch): void
}

export type CrossCheckRound = { judged: true; checked: number; mismatches: SupplyMismatch[] } | { judged: false; reason: string }

/** One round. Errors (API or database down) propagate to the caller, who logs them and retries next round. */
export async function crossCheckSupplies(deps: SupplyCrossCheckDeps): Promise<CrossCheckRound> {
  const height = await deps.tipHeight()
  if ((await deps.indexedHeight()) !== height) return { judged: false, reason: `the processor is not at the tip (${height}) yet` }
  const tracked = await deps.trackedSupplies()
  const chain = await Promise.all(tracked.map((t) => deps.chainSupply(t.address)))
  if ((await deps.tipHeight()) !== height) return { judged: false, reason: 'the chain moved during the round' }
  const mismatches: SupplyMismatch[] = []
  tracked.forEach((t, i) => {
    const c = chain[i]
    if (c !== null && c !== t.supply) mismatches.push({ ...t, chainSupply: c, height })
  })
  for (const m of mismatches) deps.onMismatch(m)
  return { judged: true, checked: tracked.length, mismatches }
}
