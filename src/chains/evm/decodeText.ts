import { decodeAbiParameters, hexToBytes, type Hex } from 'viem'
import { PermanentError } from '../../core/errors'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The answer of a `name()` / `symbol()` call as text. Modern tokens return an ABI `string`; early
 * ones (MKR, SAI, …) return `bytes32`, zero-padded on the right. An ABI string is at least 64
 * bytes (offset and length words), so exactly 32 bytes can only be the bytes32 form.
 * Trailing zero bytes are padding and are stripped; a NUL left inside the text, invalid UTF-8 or
 * data of neither shape is the contract's answer being unusable: PermanentError, like a revert.
 */
export function decodeTextResult(data: Hex | undefined, functionName: string): string | null {
  const bytes = data === undefined ? new Uint8Array() : hexToBytes(data)
  if (bytes.length === 0) throw new PermanentError('contract_call_reverted', `${functionName}() returned no data (no such function)`)
  const text = bytes.length === 32 ? bytes32Text(bytes, functionName) : abiString(data!, functionName)
  const trimmed = text.replace(/\0+$/, '')
  if (trimmed.includes('\0')) throw new PermanentError('contract_call_reverted', `${functionName}() returned text with a NUL byte inside`)
  return bytes.length === 32 && trimmed === '' ? null : trimmed
}

function bytes32Text(bytes: Uint8Array, functionName: string): string {
  let end = bytes.length
  while (end > 0 && bytes[end - 1] === 0) end--
  try {
    return utf8.decode(bytes.subarray(0, end))
  } catch (e) {
    throw new PermanentError('contract_call_reverted', `${functionName}() returned bytes32 that is not UTF-8 text`, { cause: e })
  }
}

function abiString(data: Hex, functionName: string): string {
  try {
    return decodeAbiParameters([{ type: 'string' }], data)[0]
  } catch (e) {
    throw new PermanentError('contract_call_reverted', `${functionName}() returned data that is neither a string nor bytes32`, { cause: e })
  }
}
