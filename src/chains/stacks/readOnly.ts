/**
 * Read-only Clarity calls and contract interfaces through the Stacks node RPC routes
 * (`POST /v2/contracts/call-read/...`, `GET /v2/contracts/interface/...`), which the typed API
 * client does not describe, so plain fetch.
 *
 * Errors are the metadata error classes of `core`, because workers classify them:
 * - RetryableError `contract_call_unavailable`: node unreachable, 429, 5xx, timeouts (after a
 *   couple of quick retries; the wait Retry-After or the rate-limit headers ask for is passed on
 *   as `retryAfterMs`).
 * - PermanentError `contract_call_reverted`: the call could not run (`okay: false`: no such
 *   contract or function, runtime error…), a 4xx, or (from the unwrap helpers) an `(err …)`
 *   result or a value of the wrong type.
 */
import { ClarityType, serializeCV, type ClarityValue } from '@stacks/transactions'
import { PermanentError, RetryableError } from '../../core/errors'
import type { CallReadResponse, ContractInterface } from './apiTypes'
import { clarityRepr, decodeClarityHex } from './clarity'
import { StacksApiUnavailableError } from './errors'
import type { RequestBudget } from '../../lib/requestBudget'
import { DEFAULT_RETRY_POLICY, rateLimitHints, withRetry, type AttemptOutcome, type RetryPolicy, type StacksLog } from './http'

export interface ReadOnlyOptions {
  retry?: Partial<RetryPolicy>
  log?: StacksLog
  /** sent with every request (e.g. `x-api-key`) */
  headers?: Record<string, string>
  /** the process's request budget for this API (shared with its other Stacks reads) */
  budget?: RequestBudget
}

/** Fewer, shorter retries than the block source: the job queue retries again later anyway. */
const READ_ONLY_RETRY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, retries: 2, minDelayMs: 200, maxDelayMs: 2_000, maxHintedWaitMs: 2_000, timeoutMs: 10_000 }

/** A call that ran and answered `(err …)`; `value` is the error value. */
export class ClarityErrResultError extends PermanentError {
  constructor(
    readonly value: ClarityValue,
    context: string,
  ) {
    super('contract_call_reverted', `${context} answered (err ${clarityRepr(value)})`)
  }
}

/** The node could not run the call (`okay: false`); `cause` is the node's text. */
export class ClarityCallFailedError extends PermanentError {
  constructor(
    readonly nodeCause: string,
    context: string,
    url: string,
  ) {
    super('contract_call_reverted', `${context} could not run: ${nodeCause}`, { url })
  }
}

function splitContractId(contractId: string): { address: string; name: string } {
  const dot = contractId.indexOf('.')
  if (dot <= 0 || dot === contractId.length - 1) throw new TypeError(`not a contract id: ${contractId}`)
  return { address: contractId.slice(0, dot), name: contractId.slice(dot + 1) }
}

/**
 * Calls a read-only function at the node's tip and returns its result, decoded. A result of
 * `(err …)` is returned as is (use `unwrapOk` / `unwrapOkSome` to turn it into an error).
 * `sender` defaults to the contract's address.
 */
export async function callReadOnly(
  baseUrl: string,
  contractId: string,
  functionName: string,
  args: ClarityValue[],
  sender?: string,
  opts: ReadOnlyOptions = {},
): Promise<ClarityValue> {
  const { address, name } = splitContractId(contractId)
  const url = `${baseUrl.replace(/\/+$/, '')}/v2/contracts/call-read/${address}/${encodeURIComponent(name)}/${encodeURIComponent(functionName)}`
  const context = `${contractId}::${functionName}`
  const body = JSON.stringify({ sender: sender ?? address, arguments: args.map((a) => '0x' + serializeCV(a)) })
  const outcome = await request<CallReadResponse>(url, context, opts, (signal) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...opts.headers },
      body,
      signal,
    }),
  )
  if (!outcome.ok) {
    throw new PermanentError('contract_call_reverted', `${context}: HTTP ${outcome.status}`, {
      url,
      status: outcome.status,
      body: typeof outcome.body === 'string' ? outcome.body.slice(0, 500) : undefined,
    })
  }
  const answer = outcome.value
  if (!answer.okay) throw new ClarityCallFailedError(answer.cause, context, url)
  try {
    return decodeClarityHex(answer.result)
  } catch (e) {
    throw new PermanentError('contract_call_reverted', `${context}: undecodable result ${answer.result.slice(0, 80)}`, {
      url,
      cause: e,
    })
  }
}

/** The contract's interface (functions, maps, tokens…), or undefined when there is no such contract. */
export async function getContractInterface(baseUrl: string, contractId: string, opts: ReadOnlyOptions = {}): Promise<ContractInterface | undefined> {
  const { address, name } = splitContractId(contractId)
  const url = `${baseUrl.replace(/\/+$/, '')}/v2/contracts/interface/${address}/${encodeURIComponent(name)}`
  const outcome = await request<ContractInterface>(url, `${contractId} interface`, opts, (signal) => fetch(url, { headers: { ...opts.headers }, signal }))
  if (outcome.ok) return outcome.value
  if (outcome.status === 404) return undefined
  throw new PermanentError('contract_call_reverted', `${contractId} interface: HTTP ${outcome.status}`, {
    url,
    status: outcome.status,
  })
}

async function request<T>(url: string, context: string, opts: ReadOnlyOptions, send: (signal: AbortSignal) => Promise<Response>): Promise<AttemptOutcome<T>> {
  const policy = { ...READ_ONLY_RETRY, ...opts.retry }
  try {
    return await withRetry<T>({ op: 'callReadOnly', url, budget: opts.budget }, policy, opts.log, async (signal) => {
      const res = await send(signal)
      const text = await res.text()
      const hints = rateLimitHints(res.headers)
      if (!res.ok) return { ok: false, status: res.status, hints, body: text }
      try {
        return { ok: true, value: JSON.parse(text) as T, hints }
      } catch {
        // a proxy answering HTML with 200 is a node problem, not the contract's
        return { ok: false, status: 502, body: text }
      }
    })
  } catch (e) {
    if (e instanceof StacksApiUnavailableError) {
      throw new RetryableError('contract_call_unavailable', `${context}: ${e.message}`, {
        url,
        status: e.status,
        retryAfterMs: e.retryAfterMs,
        cause: e,
      })
    }
    throw e
  }
}

// ---------------------------------------------------------------------------------------------
// Unwrapping. `cvToValue` of @stacks/transactions nests `{type, value}` for ok/some; these do it
// explicitly and fail with a PermanentError when the contract answers something else.

function wrongType(expected: string, cv: ClarityValue, context?: string): PermanentError {
  return new PermanentError('contract_call_reverted', `${context ? context + ': ' : ''}expected ${expected}, got ${clarityRepr(cv).slice(0, 120)}`)
}

/** `(ok x)` -> x; `(err e)` -> ClarityErrResultError; a non-response value is returned unchanged. */
export function unwrapOk(cv: ClarityValue, context = 'read-only call'): ClarityValue {
  if (cv.type === ClarityType.ResponseOk) return cv.value
  if (cv.type === ClarityType.ResponseErr) throw new ClarityErrResultError(cv.value, context)
  return cv
}

/** `(some x)` -> x; `none` -> undefined; a non-optional value is returned unchanged. */
export function unwrapSome(cv: ClarityValue): ClarityValue | undefined {
  if (cv.type === ClarityType.OptionalSome) return cv.value
  if (cv.type === ClarityType.OptionalNone) return undefined
  return cv
}

/** `(ok (some x))` -> x, `(ok none)` -> undefined, `(ok x)` -> x, `(err e)` -> throws. */
export function unwrapOkSome(cv: ClarityValue, context?: string): ClarityValue | undefined {
  return unwrapSome(unwrapOk(cv, context))
}

/** string-ascii / string-utf8 -> string. */
export function clarityString(cv: ClarityValue, context?: string): string {
  if (cv.type === ClarityType.StringASCII || cv.type === ClarityType.StringUTF8) return cv.value
  throw wrongType('a string', cv, context)
}

/** uint / int -> bigint (never a JS number: u128 does not fit). */
export function clarityBigInt(cv: ClarityValue, context?: string): bigint {
  if (cv.type === ClarityType.UInt || cv.type === ClarityType.Int) return BigInt(cv.value)
  throw wrongType('an integer', cv, context)
}

/** standard or contract principal -> its text form. */
export function clarityPrincipal(cv: ClarityValue, context?: string): string {
  if (cv.type === ClarityType.PrincipalStandard || cv.type === ClarityType.PrincipalContract) return cv.value
  throw wrongType('a principal', cv, context)
}
