// The request-shape rules every REST surface shares: how a zod schema's first problem is
// classified and named, and the formats' coercions (token ids, contract ids, lists, query values).
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { contractAddress, flag, pageSize, queryValue, tokenIdList, tokenIdValues } from '../../../src/api/shapes/formats'
import { fieldName, RequestShapeError, shapeValidatorCompiler, type ShapeProblem } from '../../../src/api/shapes/validation'

const A = '0x00000000000000000000000000000000000000a1'
const STACKS_NFT = 'SP2X0TZ59D5SZ8ACQ6YMCHHNR2ZN51Z32E2CJ173.boombox'

/** The compiled validator of `schema` for one request part, as Fastify calls it. */
function validate(schema: z.ZodType, data: unknown, httpPart = 'body'): { value?: unknown; problem?: ShapeProblem } {
  const result = shapeValidatorCompiler({ schema, method: 'POST', url: '/', httpPart })(data) as { value?: unknown; error?: RequestShapeError }
  return result.error ? { problem: result.error.problem } : { value: result.value }
}

describe('problems of a request part', () => {
  const body = z.object({ name: z.string(), ids: z.array(z.string()).max(2), nested: z.object({ flag: z.boolean() }).optional() })

  it('names a part that is not an object "body", with the JSON type it got', () => {
    expect(validate(body, [1, 2]).problem).toEqual({ kind: 'body', field: '', message: 'request body must be a JSON object, got array' })
  })

  it('takes an absent body (Fastify passes null) as a body problem without a type', () => {
    expect(validate(body, null).problem).toEqual({ kind: 'body', field: '', message: 'request body must be a JSON object' })
  })

  it('calls an absent or null property missing', () => {
    expect(validate(body, { ids: [] }).problem).toEqual({ kind: 'missing', field: 'name', message: 'name is required' })
    expect(validate(body, { name: null, ids: [] }).problem).toEqual({ kind: 'missing', field: 'name', message: 'name is required' })
  })

  it('calls a null list element a wrong type, not a missing field', () => {
    expect(validate(body, { name: 'x', ids: [null] }).problem).toEqual({ kind: 'type', field: 'ids[0]', message: 'ids[0] must be a string, got null' })
  })

  it('names nested fields as a JavaScript reader writes them', () => {
    expect(validate(body, { name: 'x', ids: [], nested: { flag: 'yes' } }).problem).toEqual({
      kind: 'type',
      field: 'nested.flag',
      message: 'nested.flag must be a boolean, got string',
    })
    expect(fieldName(['contractTokenMap', '0xAb', 2])).toBe('contractTokenMap["0xAb"][2]')
    expect(fieldName(['nft_metadata', 0, 'token_id'])).toBe('nft_metadata[0].token_id')
  })

  it('answers the first problem in the schema field order', () => {
    expect(validate(body, { name: 5, ids: 'x' }).problem?.field).toBe('name')
  })

  it('counts an oversized list before reading its elements', () => {
    expect(validate(body, { name: 'x', ids: [1, 2, 3] }).problem).toEqual({ kind: 'invalid', field: 'ids', message: 'ids has 3 items; at most 2 are allowed' })
  })

  it('drops fields the schema does not name', () => {
    expect(validate(body, { name: 'x', ids: [], extra: true }).value).toEqual({ name: 'x', ids: [] })
  })
})

describe('token ids', () => {
  const evm = z.object({ ids: tokenIdList('eip155:1', { max: 3 }) })

  it('keeps the canonical decimal form, distinct, in order of first appearance', () => {
    expect(validate(evm, { ids: ['7', '0', '7'] }).value).toEqual({ ids: ['7', '0'] })
  })

  it('refuses a sign, leading zeros, an exponent or hex, naming the element', () => {
    for (const id of ['-1', '01', '1e3', '0x1', ' 1', '']) {
      expect(validate(evm, { ids: [id] }).problem, id).toMatchObject({ kind: 'invalid', field: 'ids[0]' })
    }
    expect(validate(evm, { ids: ['01'] }).problem?.message).toBe('ids[0]: token id "01" is not a non-negative decimal integer below 2^256 (no sign, leading zeros or exponent)')
  })

  it('bounds ids by the chain: uint256 on EVM chains, uint128 on Stacks (a bare namespace means any of its chains)', () => {
    const over128 = (1n << 128n).toString()
    expect(validate(evm, { ids: [over128] }).value).toEqual({ ids: [over128] })
    expect(validate(z.object({ ids: tokenIdList('stacks:1', { max: 3 }) }), { ids: [over128] }).problem?.kind).toBe('invalid')
    expect(validate(z.object({ ids: tokenIdList('eip155', { max: 3 }) }), { ids: [(1n << 256n).toString()] }).problem?.kind).toBe('invalid')
  })

  it('counts the list as sent against its limit, with the default message or the surface’s own', () => {
    expect(validate(evm, { ids: ['1', '2', '3', '4'] }).problem).toEqual({ kind: 'invalid', field: 'ids', message: 'ids has 4 token ids; at most 3 are allowed per request' })
    const own = z.object({ ids: tokenIdList('eip155:1', { max: 1, tooMany: () => 'Too many' }) })
    expect(validate(own, { ids: ['1', '2'] }).problem?.message).toBe('Too many')
  })

  it('refuses an empty list only when asked to', () => {
    expect(validate(evm, { ids: [] }).value).toEqual({ ids: [] })
    const nonEmpty = z.object({ ids: tokenIdList('eip155:1', { max: 3, nonEmpty: true }) })
    expect(validate(nonEmpty, { ids: [] }).problem).toEqual({ kind: 'invalid', field: 'ids', message: 'ids must contain at least one token id' })
  })

  it('gives bigints for the refresh store', () => {
    expect(validate(z.object({ ids: tokenIdValues('eip155:1', { max: 3 }) }), { ids: ['2', '2', '1'] }).value).toEqual({ ids: [2n, 1n] })
  })
})

describe('contract addresses', () => {
  it('keeps the address as written and gives the contract id in lower case on EVM chains', () => {
    const upper = A.toUpperCase().replace('0X', '0x')
    expect(validate(z.object({ c: contractAddress('eip155:1') }), { c: upper }).value).toEqual({ c: { address: upper, contractId: `eip155:1:${A}` } })
  })

  it('takes a Stacks contract principal on Stacks and refuses an EVM address there', () => {
    const stacks = z.object({ c: contractAddress('stacks:1') })
    expect(validate(stacks, { c: STACKS_NFT }).value).toEqual({ c: { address: STACKS_NFT, contractId: `stacks:1:${STACKS_NFT}` } })
    expect(validate(stacks, { c: A }).problem).toEqual({ kind: 'invalid', field: 'c', message: `c: "${A}" is not a Stacks contract principal (ADDRESS.contract-name)` })
  })

  it('calls an empty address missing', () => {
    expect(validate(z.object({ c: contractAddress('eip155:1') }), { c: '' }).problem).toEqual({ kind: 'missing', field: 'c', message: 'c is required' })
  })
})

describe('query values and flags', () => {
  it('refuses a repeated query parameter', () => {
    expect(validate(z.object({ cursor: queryValue().optional() }), { cursor: ['a', 'b'] }, 'querystring').problem).toEqual({
      kind: 'type',
      field: 'cursor',
      message: 'cursor must be given once',
    })
  })

  it('refuses NUL in a query value, quoting it back without the control character', () => {
    expect(validate(z.object({ cursor: queryValue() }), { cursor: 'a\u0000b' }, 'querystring').problem).toEqual({
      kind: 'invalid',
      field: 'cursor',
      message: 'cursor "a?b" is not valid',
    })
  })

  it('reads a page size as an integer within its range, its default when absent or empty', () => {
    const q = z.object({ page_size: pageSize(100, 200) })
    expect([validate(q, {}, 'querystring').value, validate(q, { page_size: '' }, 'querystring').value, validate(q, { page_size: '7' }, 'querystring').value]).toEqual([
      { page_size: 100 },
      { page_size: 100 },
      { page_size: 7 },
    ])
    for (const v of ['0', '201', '-1', '1e2', 'abc']) {
      expect(validate(q, { page_size: v }, 'querystring').problem, v).toEqual({ kind: 'invalid', field: 'page_size', message: 'page_size must be an integer between 1 and 200' })
    }
  })

  it('reads an absent or null flag as false', () => {
    const f = z.object({ all: flag() })
    expect([validate(f, {}).value, validate(f, { all: null }).value, validate(f, { all: true }).value]).toEqual([{ all: false }, { all: false }, { all: true }])
  })
})
