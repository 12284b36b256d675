import { errorCodes } from 'fastify'
import { describe, expect, it } from 'vitest'
import { BadRequestError, classifyError } from '../../../src/api/errors'

describe('classifyError', () => {
  it('classifies our BadRequestError as a 400 BAD_REQUEST with its message', () => {
    expect(classifyError(new BadRequestError('tokenId must be a decimal integer'))).toEqual({ statusCode: 400, code: 'BAD_REQUEST', message: 'tokenId must be a decimal integer' })
  })

  it('keeps the status and code a BadRequestError was given', () => {
    expect(classifyError(new BadRequestError('no such chain', 404, 'CHAIN_NOT_FOUND'))).toEqual({ statusCode: 404, code: 'CHAIN_NOT_FOUND', message: 'no such chain' })
  })

  it('classifies a schema validation failure as FST_ERR_VALIDATION with the validator message', () => {
    const e = Object.assign(new errorCodes.FST_ERR_VALIDATION('body/limit must be <= 50'), {
      validation: [{ instancePath: '/limit', message: 'must be <= 50' }],
      validationContext: 'body',
    })
    expect(classifyError(e)).toEqual({ statusCode: 400, code: 'FST_ERR_VALIDATION', message: 'body/limit must be <= 50' })
  })

  it('classifies a body that is not JSON (Fastify code) as FST_ERR_CTP_INVALID_JSON_BODY', () => {
    expect(classifyError(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY())).toEqual({
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      message: 'request body is not valid JSON',
    })
  })

  it('classifies a JSON SyntaxError from the body parser, with the parser message hidden', () => {
    const e = Object.assign(new SyntaxError('Unexpected token } in JSON at position 7'), { statusCode: 400 })
    expect(classifyError(e)).toEqual({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'request body is not valid JSON' })
  })

  it('classifies a body over the limit as 413 with our message', () => {
    expect(classifyError(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE())).toEqual({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'request body is too large' })
  })

  it('classifies an unsupported content type as 415 asking for JSON', () => {
    expect(classifyError(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE())).toEqual({
      statusCode: 415,
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      message: 'unsupported content type (send application/json)',
    })
  })

  it('classifies an empty JSON body as 400 with our message', () => {
    expect(classifyError(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY())).toEqual({
      statusCode: 400,
      code: 'FST_ERR_CTP_EMPTY_JSON_BODY',
      message: 'body cannot be empty when content-type is set to application/json',
    })
  })

  it('classifies a body shorter than its Content-Length as 400 with our message', () => {
    expect(classifyError(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH())).toEqual({
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
      message: 'request body size did not match content-length',
    })
  })

  it('keeps the code and message of another Fastify 4xx', () => {
    expect(classifyError(new errorCodes.FST_ERR_BAD_URL('/%zz'))).toEqual({ statusCode: 400, code: 'FST_ERR_BAD_URL', message: "'/%zz' is not a valid url component" })
  })

  it('reads the status of an error that carries `status` instead of `statusCode`', () => {
    expect(classifyError(Object.assign(new Error('slow down'), { status: 429 }))).toEqual({ statusCode: 429, code: 'BAD_REQUEST', message: 'slow down' })
  })

  it('does not classify a 5xx error as a client mistake', () => {
    expect(classifyError(Object.assign(new Error('upstream'), { statusCode: 503 }))).toBeUndefined()
  })

  it('does not classify an error without a status', () => {
    expect(classifyError(new Error('boom'))).toBeUndefined()
  })

  it('does not classify a SyntaxError thrown by our own code (no status)', () => {
    expect(classifyError(new SyntaxError('Unexpected end of JSON input'))).toBeUndefined()
  })

  it('does not classify a status below 400', () => {
    expect(classifyError(Object.assign(new Error('moved'), { statusCode: 302 }))).toBeUndefined()
  })

  it('does not classify a status given as a string', () => {
    expect(classifyError(Object.assign(new Error('x'), { statusCode: '400' }))).toBeUndefined()
  })

  it('does not classify a thrown string', () => {
    expect(classifyError('bad')).toBeUndefined()
  })

  it.each([null, undefined, 'text', 42])('answers %j as not a client problem instead of throwing', (value) => {
    expect(classifyError(value)).toBeUndefined()
  })
})
