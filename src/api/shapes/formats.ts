import { z } from 'zod'
import { chainNamespace } from '../../core/ids'
import { checkTokenIdIn, clip, contractAddressProblem, contractIdOf, isEvmAddress } from '../validation'
import { fieldName, shapeIssue } from './validation'

/**
 * The value formats the request schemas share, each written once with its coercion: token ids
 * to their canonical decimal (and bigint), contract addresses to contract ids (EVM lower case),
 * lists deduplicated. The rules themselves are src/api/validation.ts's, which GraphQL and Hiro
 * use too.
 */

/** A required string: absent, null or empty is "missing". */
export function requiredText() {
  return z.string().check((ctx) => {
    if (ctx.value === '') ctx.issues.push({ ...shapeIssue('missing', (field) => `${field} is required`), input: ctx.value })
  })
}

/**
 * A token id of `chains` (uint256 on EVM chains, uint128 on Stacks) as its canonical decimal
 * string. `chains` is a CAIP-2 chain id, or a bare namespace (`eip155`) where any of its chains
 * may be meant (Sequence names the chain in the same body).
 */
export function tokenId(chains: string) {
  const namespace = chains.includes(':') ? chainNamespace(chains) : chains
  return z
    .string()
    .meta({ description: 'token id: a decimal string, no sign, leading zeros or exponent', examples: ['1'] })
    .transform((value, ctx) => {
      const checked = checkTokenIdIn(namespace, value)
      if (checked.ok) return checked.tokenId
      ctx.addIssue({ ...shapeIssue('invalid', (field) => `${field}: ${checked.problem}`), input: value })
      return z.NEVER
    })
}

interface ListLimits {
  max: number
  /** At least one id (default: an empty list is allowed). */
  nonEmpty?: boolean
  /** The message of a list over `max` (default: "<field> has N token ids; at most M are allowed per request"). */
  tooMany?: (field: string, count: number) => string
}

/** Token ids of `chains` (as tokenId), distinct, in order of first appearance (canonical decimal strings). */
export function tokenIdList(chains: string, limits: ListLimits) {
  const tooMany = limits.tooMany ?? ((field, count) => `${field} has ${count} token ids; at most ${limits.max} are allowed per request`)
  let list = z.array(tokenId(chains)).max(limits.max, { error: (iss) => tooMany(fieldName(iss.path ?? []), lengthOf(iss.input)) })
  if (limits.nonEmpty) list = list.min(1, { error: (iss) => `${fieldName(iss.path ?? [])} must contain at least one token id` })
  return list.transform((ids) => [...new Set(ids)])
}

/** The same list as bigints (what the refresh store takes). */
export function tokenIdValues(chains: string, limits: ListLimits) {
  return tokenIdList(chains, limits).transform((ids) => ids.map((id) => BigInt(id)))
}

export interface ContractRef {
  /** The address as the caller wrote it (quoted back in messages). */
  address: string
  contractId: string
}

/**
 * The address of a token contract on `chain` (EVM: 0x and 40 hex digits; Stacks: ADDRESS.name),
 * with its contract id; `text` is the string it is read from (a query-string value, say).
 */
export function contractAddress(chain: string, text: z.ZodType<string> = requiredText()) {
  return text.transform((address, ctx): ContractRef => {
    const problem = contractAddressProblem(chain, address)
    if (!problem) return { address, contractId: contractIdOf(chain, address) }
    ctx.addIssue({ ...shapeIssue('invalid', (field) => `${field}: ${problem}`), input: address })
    return z.NEVER
  })
}

/** An EVM contract address, as written (its chain is given elsewhere in the request). */
export function evmAddress() {
  return requiredText().check((ctx) => {
    if (!isEvmAddress(ctx.value) && ctx.value !== '') {
      ctx.issues.push({ ...shapeIssue('invalid', (field) => `${field}: "${clip(ctx.value)}" is not an EVM address (0x followed by 40 hex digits)`), input: ctx.value })
    }
  })
}

/** An optional flag: absent or null is false. */
export function flag() {
  return z
    .boolean()
    .nullish()
    .transform((v) => v ?? false)
}

/** The longest query-string value accepted (a cursor is far shorter). */
const MAX_QUERY_VALUE = 2048

/** One query-string value: given once (a repeated parameter is a mistake, not a list), no NUL, bounded. */
export function queryValue() {
  return (
    z
      // (this map is the string's own, so it also sees the check's issue below: that one keeps its message)
      .string({ error: (iss) => (iss.code === 'invalid_type' ? `${fieldName(iss.path ?? [])} must be given once` : undefined) })
      .check((ctx) => {
        if (ctx.value.includes('\u0000') || ctx.value.length > MAX_QUERY_VALUE) {
          ctx.issues.push({ ...shapeIssue('invalid', (field) => `${field} "${clip(ctx.value)}" is not valid`), input: ctx.value })
        }
      })
  )
}

/** A page size from the query string: a decimal integer from 1 to `max`, `dflt` when absent or empty. */
export function pageSize(dflt: number, max: number) {
  const range = (field: string) => `${field} must be an integer between 1 and ${max}`
  return queryValue()
    .meta({ description: `integer between 1 and ${max} (default ${dflt})`, examples: [String(dflt)] })
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return dflt
      const n = /^[0-9]{1,6}$/.test(v) ? Number(v) : NaN
      if (n >= 1 && n <= max) return n
      ctx.addIssue({ ...shapeIssue('invalid', range), input: v })
      return z.NEVER
    })
}

function lengthOf(input: unknown): number {
  return Array.isArray(input) ? input.length : 0
}
