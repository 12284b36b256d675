import { GraphQLError, GraphQLScalarType, Kind } from 'graphql'
import { parseTokenId } from '../../core/ids'
import { clip } from '../validation'

/**
 * Unsigned integers up to 256 bits (token ids, supplies, amounts) travel as decimal strings:
 * JSON numbers lose precision past 2^53. Inputs accept a decimal string or an integer literal;
 * the canonical decimal string is what resolvers receive.
 */
export const BigIntScalar = new GraphQLScalarType<string, string>({
  name: 'BigInt',
  description: 'Unsigned integer below 2^256 as a decimal string (token ids, supplies, amounts). Inputs: a decimal string or an integer literal, no sign or leading zeros.',
  serialize(value) {
    if (typeof value === 'string' || typeof value === 'bigint') return String(value)
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
    throw new GraphQLError(`BigInt cannot represent ${typeof value}`)
  },
  parseValue(value) {
    return parseBigInt(typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value)
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT) return parseBigInt(ast.value)
    throw new GraphQLError('BigInt must be a decimal string or an integer literal')
  },
})

function parseBigInt(value: unknown): string {
  if (typeof value !== 'string' || parseTokenId(value) === undefined) {
    const shown = typeof value === 'string' ? `"${clip(value)}"` : typeof value
    throw new GraphQLError(`BigInt must be a non-negative decimal integer below 2^256 without sign or leading zeros, got ${shown}`)
  }
  return value
}
