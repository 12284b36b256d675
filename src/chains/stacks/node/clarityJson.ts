/**
 * Clarity values in the older structured-JSON form the Stacks node wrote before `raw_value` hex
 * (serde's form of the Rust `Value` enum: `{"UInt": 483}`, `{"Tuple": {"data_map": …}}`,
 * `{"Principal": {"Standard": [22, [bytes]]}}` …), converted to a ClarityValue so the rest of the
 * pipeline sees one representation. Integers above 2^53 lose precision in such JSON before they
 * reach us: the hex form is always preferred when the node sent it.
 */
import { addressFromVersionHash, addressToString, Cl, type ClarityValue } from '@stacks/transactions'

export class ClarityJsonError extends Error {}

type Json = unknown

export function clarityFromJson(v: Json): ClarityValue {
  const [tag, body] = single(v)
  switch (tag) {
    case 'Int':
      return Cl.int(bigInt(body))
    case 'UInt':
      return Cl.uint(bigInt(body))
    case 'Bool':
      return Cl.bool(body === true)
    case 'Optional': {
      const data = field(body, 'data')
      return data === null || data === undefined ? Cl.none() : Cl.some(clarityFromJson(data))
    }
    case 'Response': {
      const data = clarityFromJson(field(body, 'data'))
      return field(body, 'committed') === true ? Cl.ok(data) : Cl.error(data)
    }
    case 'Tuple': {
      const map = field(body, 'data_map')
      if (typeof map !== 'object' || map === null) throw new ClarityJsonError('Tuple without data_map')
      return Cl.tuple(Object.fromEntries(Object.entries(map).map(([k, x]) => [k, clarityFromJson(x)])))
    }
    case 'Principal':
      return principal(body)
    case 'CallableContract':
      return contractPrincipal(field(body, 'contract_identifier'))
    case 'Sequence':
      return sequence(body)
    default:
      throw new ClarityJsonError(`unknown Clarity value tag ${tag}`)
  }
}

function sequence(body: Json): ClarityValue {
  const [kind, inner] = single(body)
  if (kind === 'Buffer') return Cl.buffer(bytes(field(inner, 'data')))
  if (kind === 'List') {
    const data = field(inner, 'data')
    if (!Array.isArray(data)) throw new ClarityJsonError('List without data')
    return Cl.list(data.map(clarityFromJson))
  }
  if (kind === 'String') {
    const [enc, s] = single(inner)
    const data = field(s, 'data')
    if (enc === 'ASCII') return Cl.stringAscii(Buffer.from(bytes(data)).toString('latin1'))
    if (enc === 'UTF8') {
      if (!Array.isArray(data)) throw new ClarityJsonError('UTF8 string without data')
      return Cl.stringUtf8(data.map((ch) => Buffer.from(bytes(ch)).toString('utf8')).join(''))
    }
  }
  throw new ClarityJsonError(`unknown Clarity sequence ${kind}`)
}

function principal(body: Json): ClarityValue {
  const [kind, inner] = single(body)
  if (kind === 'Standard') return Cl.standardPrincipal(standardAddress(inner))
  if (kind === 'Contract') return contractPrincipal(inner)
  throw new ClarityJsonError(`unknown principal ${kind}`)
}

function contractPrincipal(id: Json): ClarityValue {
  const name = field(id, 'name')
  if (typeof name !== 'string') throw new ClarityJsonError('contract principal without name')
  return Cl.contractPrincipal(standardAddress(field(id, 'issuer')), name)
}

function standardAddress(data: Json): string {
  if (!Array.isArray(data) || data.length !== 2 || typeof data[0] !== 'number') throw new ClarityJsonError('standard principal is not [version, bytes]')
  return addressToString(addressFromVersionHash(data[0], Buffer.from(bytes(data[1])).toString('hex')))
}

function single(v: Json): [string, Json] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ClarityJsonError(`not a Clarity value: ${JSON.stringify(v)?.slice(0, 60)}`)
  const keys = Object.keys(v)
  if (keys.length !== 1) throw new ClarityJsonError(`not a Clarity value: keys ${keys.join(',')}`)
  return [keys[0], (v as Record<string, Json>)[keys[0]]]
}

function field(v: Json, name: string): Json {
  return typeof v === 'object' && v !== null ? (v as Record<string, Json>)[name] : undefined
}

function bigInt(v: Json): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v)
  throw new ClarityJsonError(`not an integer: ${String(v)}`)
}

function bytes(v: Json): Uint8Array {
  if (!Array.isArray(v) || !v.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) throw new ClarityJsonError('not a byte array')
  return Uint8Array.from(v as number[])
}
