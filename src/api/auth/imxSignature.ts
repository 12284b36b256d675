import type { IncomingHttpHeaders } from 'node:http'
import { recoverMessageAddress, type Hex } from 'viem'

/**
 * Immutable X project-owner authentication (seeds/003): a refresh call carries
 *
 *   x-imx-eth-address    the project owner's address
 *   x-imx-eth-timestamp  Unix seconds as a decimal string
 *   x-imx-eth-signature  the owner's EIP-191 personal_sign of that timestamp string
 *
 * Immutable's SDKs serialise the signature as r (64 hex) + s (64 hex) + the recovery id as two
 * hex digits, `00` / `01`; the usual Ethereum form ends in `1b` / `1c`. Both are accepted, with
 * or without 0x. A timestamp further than `windowSeconds` from the server clock, in either
 * direction, is refused: a captured header set replays only within that window.
 */

export const IMX_AUTH_HEADERS = ['x-imx-eth-address', 'x-imx-eth-signature', 'x-imx-eth-timestamp'] as const

export type SignatureCheck = { ok: true; address: string } | { ok: false; message: string }

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const TIMESTAMP = /^[0-9]{1,12}$/
const SIGNATURE = /^(?:0x)?([0-9a-fA-F]{128})([0-9a-fA-F]{2})$/
/** The recovery id's byte as Immutable (00/01) or Ethereum (1b/1c) writes it, to v = 27/28. */
const V_OF: Record<string, string> = { '00': '1b', '01': '1c', '1b': '1b', '1c': '1c' }

/** Whether the request tries project-owner authentication at all (any of the three headers). */
export function hasImxAuthHeaders(headers: IncomingHttpHeaders): boolean {
  return IMX_AUTH_HEADERS.some((h) => headers[h] !== undefined)
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return typeof v === 'string' ? v.trim() : undefined
}

/** The signer's lowercase address when the three headers prove it, or why they do not. */
export async function checkImxSignature(headers: IncomingHttpHeaders, windowSeconds: number, now: Date): Promise<SignatureCheck> {
  const address = header(headers, 'x-imx-eth-address')
  const timestamp = header(headers, 'x-imx-eth-timestamp')
  const signature = header(headers, 'x-imx-eth-signature')
  if (!address || !timestamp || !signature) return { ok: false, message: `project-owner authentication needs all of ${IMX_AUTH_HEADERS.join(', ')}` }
  if (!ADDRESS.test(address)) return { ok: false, message: 'x-imx-eth-address is not a 0x address of 40 hex digits' }
  if (!TIMESTAMP.test(timestamp)) return { ok: false, message: 'x-imx-eth-timestamp is not Unix seconds as a decimal string' }
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp))
  if (skew > windowSeconds) return { ok: false, message: `x-imx-eth-timestamp is ${skew} s from the server clock; signatures are accepted for ${windowSeconds} s` }
  const m = SIGNATURE.exec(signature)
  const v = m ? V_OF[m[2].toLowerCase()] : undefined
  if (!m || !v) return { ok: false, message: 'x-imx-eth-signature is not r + s + recovery id (65 bytes of hex, recovery id 00/01 or 1b/1c)' }
  let signer: string
  try {
    signer = await recoverMessageAddress({ message: timestamp, signature: `0x${m[1]}${v}` as Hex })
  } catch {
    return { ok: false, message: 'x-imx-eth-signature is not a valid signature' }
  }
  if (signer.toLowerCase() !== address.toLowerCase()) return { ok: false, message: 'x-imx-eth-signature was not made by x-imx-eth-address for this timestamp' }
  return { ok: true, address: address.toLowerCase() }
}
