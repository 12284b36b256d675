import type { Store } from '@subsquid/typeorm-store'
import type { EventPosition } from '../core/events'
import { parseContractId } from '../core/ids'
import type { ChangeEvent, EventType } from '../core/notifications'
import { recordChanges } from '../store/notificationEvents'
import type { Token } from '../model'
import { sqlOf, trackRawInserts } from './storeAccess'

/**
 * token.minted / token.transferred / token.burned of a block batch, written in the batch's
 * transaction after its chain facts. Inside a hot block the stored events go into the change
 * log, so a reorg rollback deletes them with the block (and the database compensates the
 * subscriptions that had already received one: migration 1797000000400).
 */
export class ChainChanges {
  private readonly events: ChangeEvent[] = []

  /** A token moved: `amount` for ERC-1155 / SIP-013 and fungible tokens, 1 for an NFT. */
  moved(t: Token, from: string | null, to: string | null, amount: bigint, pos: EventPosition): void {
    const type: EventType = from === null ? 'token.minted' : to === null ? 'token.burned' : 'token.transferred'
    this.events.push({
      type,
      chain: t.chain,
      contractId: t.contract.id,
      tokenRef: t.id,
      blockNumber: pos.blockNumber,
      payload: () => ({
        chain: t.chain,
        contract: parseContractId(t.contract.id).address,
        tokenId: t.tokenId.toString(),
        from,
        to,
        amount: amount.toString(),
        block: { number: pos.blockNumber, hash: pos.blockHash },
        txHash: pos.txHash,
        logIndex: pos.logIndex,
        timestamp: pos.timestamp.toISOString(),
      }),
    })
  }

  async record(store: Store, now: Date): Promise<void> {
    if (this.events.length === 0) return
    const { eventIds } = await recordChanges(sqlOf(store), this.events, now)
    await trackRawInserts(store, 'notification_event', eventIds)
  }
}
