/**
 * Clarity value helpers shared by the block source, the read-only client and the simulator.
 */
import { ClarityType, deserializeCV, serializeCV, type ClarityValue } from '@stacks/transactions'
import type { ClarityHexRepr } from './apiTypes'

/** Decodes an API `hex` (with or without `0x`). Throws on malformed input. */
export function decodeClarityHex(hex: string): ClarityValue {
  return deserializeCV(hex.startsWith('0x') ? hex.slice(2) : hex)
}

export function toHexRepr(cv: ClarityValue): ClarityHexRepr {
  return { hex: '0x' + serializeCV(cv), repr: clarityRepr(cv) }
}

/**
 * The value in Clarity literal syntax, as the Stacks node and API print it (`repr`): principals
 * quoted (`'ST1….name`), strings escaped, `u"…"` for UTF-8 with `\u{…}` for non-ASCII, tuple keys
 * in sorted order. (`cvToString` of @stacks/transactions 7 differs on principals and escapes.)
 */
export function clarityRepr(cv: ClarityValue): string {
  switch (cv.type) {
    case ClarityType.Int:
      return BigInt(cv.value).toString()
    case ClarityType.UInt:
      return `u${BigInt(cv.value).toString()}`
    case ClarityType.BoolTrue:
      return 'true'
    case ClarityType.BoolFalse:
      return 'false'
    case ClarityType.Buffer:
      return `0x${cv.value}`
    case ClarityType.StringASCII:
      return `"${escapeAscii(cv.value)}"`
    case ClarityType.StringUTF8:
      return `u"${[...cv.value].map((ch) => ((ch.codePointAt(0) ?? 0) < 0x80 ? escapeAscii(ch) : `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`)).join('')}"`
    case ClarityType.PrincipalStandard:
    case ClarityType.PrincipalContract:
      return `'${cv.value}`
    case ClarityType.OptionalNone:
      return 'none'
    case ClarityType.OptionalSome:
      return `(some ${clarityRepr(cv.value)})`
    case ClarityType.ResponseOk:
      return `(ok ${clarityRepr(cv.value)})`
    case ClarityType.ResponseErr:
      return `(err ${clarityRepr(cv.value)})`
    case ClarityType.List:
      return `(list${cv.value.map((v) => ' ' + clarityRepr(v)).join('')})`
    case ClarityType.Tuple:
      return `(tuple${Object.keys(cv.value)
        .sort()
        .map((k) => ` (${k} ${clarityRepr(cv.value[k] as ClarityValue)})`)
        .join('')})`
  }
}

/** Rust's `escape_default` for ASCII: `\t \r \n \\ \' \"` and `\xNN` outside printable ASCII. */
function escapeAscii(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.charCodeAt(0)
    if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\\' || ch === "'" || ch === '"') out += '\\' + ch
    else if (code >= 0x20 && code < 0x7f) out += ch
    else out += '\\x' + code.toString(16).padStart(2, '0')
  }
  return out
}

/**
 * The decimal value of a serialized Clarity `uint` (`0x01` + 16 bytes), without a full decode;
 * undefined for any other type. Token ids of SIP-009 NFTs travel this way.
 */
export function uintFromHex(hex: string): string | undefined {
  const body = hex.startsWith('0x') ? hex.slice(2) : hex
  if (body.length !== 34 || !body.startsWith('01') || !/^[0-9a-fA-F]+$/.test(body)) return undefined
  return BigInt('0x' + body.slice(2)).toString(10)
}
