import { ClarityType, type ClarityValue } from '@stacks/transactions'
import type { ChainEvent, EventPosition, SkippedEvent, UpdateNotification } from '../../core/events'
import type { TokenStandardName } from '../../core/standards'
import type { StacksBlock, StacksEvent, StacksTx } from './blockSource'
import { decodeClarityHex } from './clarity'

/** Standards of the contracts a block touches (known ones from the store, others detected). */
export type StandardOf = (contractId: string) => TokenStandardName | undefined

export interface DecodedBlock {
  events: ChainEvent[]
  skipped: SkippedEvent[]
}

/**
 * A Stacks block to chain events. Only successful transactions are in `block.txs` (failed ones
 * had no effects). nft_* events count for SIP-009 contracts only: a SIP-013 contract's internal
 * NFT (its burn-and-mint bookkeeping) is not a collection; SFT movements come from its
 * sft_mint / sft_transfer / sft_burn print events. Anything malformed is skipped with a reason.
 */
const MAX_TTL_SECONDS = 2n ** 31n - 1n

export function decodeBlock(block: StacksBlock, standardOf: StandardOf, deployedStandard: (contractId: string) => TokenStandardName | undefined): DecodedBlock {
  const out: DecodedBlock = { events: [], skipped: [] }
  for (const tx of block.txs) {
    const base = { blockNumber: block.height, blockHash: block.indexBlockHash, timestamp: new Date(block.timestamp * 1000), txHash: tx.txId, sender: tx.sender }
    if (tx.deployedContractId) {
      const standard = deployedStandard(tx.deployedContractId)
      if (standard) out.events.push({ kind: 'contract_deployed', contract: tx.deployedContractId, standard, deployer: tx.sender, pos: { ...base, logIndex: -1 } })
    }
    for (const e of tx.events) decodeEvent(e, tx, { ...base, logIndex: e.eventIndex }, standardOf, out)
  }
  return out
}

function decodeEvent(e: StacksEvent, tx: StacksTx, pos: EventPosition, standardOf: StandardOf, out: DecodedBlock): void {
  const skip = (contract: string, reason: string): void => {
    out.skipped.push({ contract, reason, pos })
  }
  switch (e.type) {
    case 'nft_mint':
    case 'nft_transfer':
    case 'nft_burn': {
      const standard = standardOf(e.contractId)
      if (standard === 'SIP013') return // the SFT's internal NFT
      if (standard !== 'SIP009') return skip(e.contractId, `${e.type} from a contract that is not SIP-009`)
      if (e.tokenId === undefined) return skip(e.contractId, `${e.type} with a non-uint token id ${e.tokenValue.repr.slice(0, 40)}`)
      const from = e.type === 'nft_mint' ? null : e.sender
      const to = e.type === 'nft_burn' ? null : e.recipient
      out.events.push({ kind: 'nft_transfer', standard: 'SIP009', contract: e.contractId, tokenId: BigInt(e.tokenId), from, to, pos })
      return
    }
    case 'ft_mint':
    case 'ft_transfer':
    case 'ft_burn': {
      if (standardOf(e.contractId) !== 'SIP010') return skip(e.contractId, `${e.type} from a contract that is not SIP-010`)
      if (!/^[0-9]{1,78}$/.test(e.amount)) return skip(e.contractId, `${e.type} with an amount that is not a uint: ${String(e.amount).slice(0, 40)}`)
      const from = e.type === 'ft_mint' ? null : e.sender
      const to = e.type === 'ft_burn' ? null : e.recipient
      out.events.push({ kind: 'ft_transfer', standard: 'SIP010', contract: e.contractId, amount: BigInt(e.amount), from, to, pos })
      return
    }
    case 'print':
      decodePrint(e.contractId, e.value.hex, tx, pos, standardOf, out)
      return
    default:
      return
  }
}

function decodePrint(emitter: string, hex: string, tx: StacksTx, pos: EventPosition, standardOf: StandardOf, out: DecodedBlock): void {
  let cv: ClarityValue
  try {
    cv = decodeClarityHex(hex)
  } catch {
    return // prints are free-form; one that does not decode is not ours to judge
  }
  const t = tuple(cv)
  if (!t) return
  const type = text(t.type)
  if (type === 'sft_mint' || type === 'sft_transfer' || type === 'sft_burn') {
    if (standardOf(emitter) !== 'SIP013') {
      out.skipped.push({ contract: emitter, reason: `${type} printed by a contract that is not SIP-013`, pos })
      return
    }
    const event = sftEvent(type, t, emitter, pos)
    if (event) out.events.push(event)
    else out.skipped.push({ contract: emitter, reason: `${type} with wrong field types`, pos })
    return
  }
  if (text(t.notification) === 'token-metadata-update') {
    const n = notification(t.payload, emitter, tx, pos)
    if (typeof n === 'string') out.skipped.push({ contract: emitter, reason: `SIP-019 notification: ${n}`, pos })
    else out.events.push(n)
  }
}

function sftEvent(type: string, t: Record<string, ClarityValue>, contract: string, pos: EventPosition): ChainEvent | undefined {
  const id = uint(t['token-id'])
  const amount = uint(t.amount)
  const sender = principal(t.sender)
  const recipient = principal(t.recipient)
  if (id === undefined || amount === undefined) return undefined
  if (type === 'sft_mint' && recipient === undefined) return undefined
  if (type === 'sft_burn' && sender === undefined) return undefined
  if (type === 'sft_transfer' && (sender === undefined || recipient === undefined)) return undefined
  return {
    kind: 'multi_transfer',
    standard: 'SIP013',
    contract,
    ids: [id],
    amounts: [amount],
    from: type === 'sft_mint' ? null : sender!,
    to: type === 'sft_burn' ? null : recipient!,
    pos,
  }
}

/** SIP-019 payload, or the reason it is malformed. Optional fields may come as `(some x)`. */
function notification(payloadCv: ClarityValue | undefined, emitter: string, tx: StacksTx, pos: EventPosition): UpdateNotification | string {
  const p = payloadCv ? tuple(payloadCv) : undefined
  if (!p) return 'payload is not a tuple'
  const tokenClass = text(p['token-class'])
  if (tokenClass !== 'nft' && tokenClass !== 'ft' && tokenClass !== 'sft') return `unknown token-class ${String(tokenClass)}`
  const contract = principal(p['contract-id'])
  if (!contract || !contract.includes('.')) return 'contract-id is not a contract principal'
  let tokenIds: bigint[] | undefined
  const idsCv = unwrapOptional(p['token-ids'])
  if (idsCv !== undefined) {
    if (idsCv.type !== ClarityType.List) return 'token-ids is not a list'
    tokenIds = []
    for (const v of idsCv.value) {
      const id = uint(v)
      if (id === undefined) return 'token-ids holds a non-uint'
      tokenIds.push(id)
    }
  }
  const modeCv = unwrapOptional(p['update-mode'])
  const mode = modeCv === undefined ? 'standard' : text(modeCv)
  if (mode !== 'standard' && mode !== 'frozen' && mode !== 'dynamic') return `unknown update-mode ${String(mode)}`
  const ttlCv = unwrapOptional(p.ttl)
  const ttl = ttlCv === undefined ? undefined : uint(ttlCv)
  if (ttlCv !== undefined && ttl === undefined) return 'ttl is not a uint'
  return {
    kind: 'update_notification',
    contract,
    tokenClass,
    tokenIds,
    mode,
    // update_ttl columns are int4: a larger ttl is held at its maximum (68 years)
    ttlSeconds: ttl === undefined ? undefined : Number(ttl > MAX_TTL_SECONDS ? MAX_TTL_SECONDS : ttl),
    emitter,
    pos: { ...pos, sender: tx.sender },
  }
}

function tuple(cv: ClarityValue): Record<string, ClarityValue> | undefined {
  return cv.type === ClarityType.Tuple ? cv.value : undefined
}

function unwrapOptional(cv: ClarityValue | undefined): ClarityValue | undefined {
  if (cv === undefined || cv.type === ClarityType.OptionalNone) return undefined
  return cv.type === ClarityType.OptionalSome ? cv.value : cv
}

function text(cv: ClarityValue | undefined): string | undefined {
  if (!cv) return undefined
  return cv.type === ClarityType.StringASCII || cv.type === ClarityType.StringUTF8 ? cv.value : undefined
}

function uint(cv: ClarityValue | undefined): bigint | undefined {
  return cv?.type === ClarityType.UInt ? BigInt(cv.value) : undefined
}

function principal(cv: ClarityValue | undefined): string | undefined {
  return cv?.type === ClarityType.PrincipalStandard || cv?.type === ClarityType.PrincipalContract ? cv.value : undefined
}
