import { describe, expect, it } from 'vitest'
import { DatabaseUnavailableError, fromDriverError, isDatabaseUnavailable } from '../../../src/store/databaseErrors'

/** An error as node-postgres raises it for a server answer: the SQLSTATE in `code`. */
const pgError = (code: string, message = 'server error'): Error => Object.assign(new Error(message), { code })
/** TypeORM's QueryFailedError keeps the driver's error in `driverError`. */
const queryFailed = (driverError: unknown): Error => Object.assign(new Error('query failed'), { name: 'QueryFailedError', driverError })

/** What a caller sees once the pool boundary has passed a driver error through fromDriverError. */
const classified = (e: unknown): boolean => isDatabaseUnavailable(fromDriverError(e))

describe('a driver error, classified at the pool boundary', () => {
  it.each([
    ['57P01', 'admin_shutdown'],
    ['57P02', 'crash_shutdown'],
    ['57P03', 'cannot_connect_now'],
    ['53300', 'too_many_connections'],
    ['08000', 'connection_exception'],
    ['08001', 'sqlclient_unable_to_establish_sqlconnection'],
    ['08003', 'connection_does_not_exist'],
    ['08004', 'sqlserver_rejected_establishment_of_sqlconnection'],
    ['08006', 'connection_failure'],
  ])('counts Postgres SQLSTATE %s (%s) as unavailable', (code) => {
    expect(classified(pgError(code))).toBe(true)
  })

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'])('counts the socket error %s as unavailable', (code) => {
    expect(classified(pgError(code, `connect ${code} 127.0.0.1:5432`))).toBe(true)
  })

  it.each([
    ['23505', 'unique_violation'],
    ['40P01', 'deadlock_detected'],
    ['42P01', 'undefined_table'],
    ['57014', 'query_canceled'],
    ['22P02', 'invalid_text_representation'],
  ])('does not count SQLSTATE %s (%s) as unavailable', (code) => {
    expect(classified(pgError(code))).toBe(false)
  })

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Connection ended',
    'Client was closed and is not queryable',
    'the database system is starting up',
    'the database system is shutting down',
  ])('counts a driver error without a code saying "%s" as unavailable', (message) => {
    expect(classified(new Error(message))).toBe(true)
  })

  it('does not count an ordinary error as unavailable', () => {
    expect(classified(new Error('column "x" does not exist'))).toBe(false)
  })

  it('finds the driver error inside a TypeORM QueryFailedError', () => {
    expect(isDatabaseUnavailable(queryFailed(fromDriverError(pgError('57P01'))))).toBe(true)
  })

  it('finds the typed error through a chain of causes', () => {
    const inner = fromDriverError(pgError('ECONNREFUSED'))
    expect(isDatabaseUnavailable(new Error('outer', { cause: new Error('middle', { cause: inner }) }))).toBe(true)
  })

  it('follows driverError before cause', () => {
    const e = Object.assign(new Error('query failed', { cause: fromDriverError(pgError('08006')) }), { driverError: pgError('23505') })
    expect(isDatabaseUnavailable(e)).toBe(false)
  })

  it('finds the typed error five levels down', () => {
    let e = fromDriverError(pgError('08006')) as Error
    for (let i = 0; i < 4; i++) e = new Error(`wrap ${i}`, { cause: e })
    expect(isDatabaseUnavailable(e)).toBe(true)
  })

  it('stops looking after five levels', () => {
    let e = fromDriverError(pgError('08006')) as Error
    for (let i = 0; i < 5; i++) e = new Error(`wrap ${i}`, { cause: e })
    expect(isDatabaseUnavailable(e)).toBe(false)
  })

  it('terminates on an error that is its own cause', () => {
    const e = new Error('loop') as Error & { cause?: unknown }
    e.cause = e
    expect(isDatabaseUnavailable(e)).toBe(false)
  })

  it('reads a code on a plain object, not only on an Error', () => {
    expect(classified({ code: '57P03' })).toBe(true)
  })

  it('ignores a code that is not a string', () => {
    expect(classified({ code: 57 })).toBe(false)
  })

  it.each([undefined, null, 'ECONNREFUSED', 0])('does not count %s as unavailable', (value) => {
    expect(classified(value)).toBe(false)
  })

  it('is not recognised by its text once past the boundary: an unclassified error is not unavailable', () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(false)
  })

  it('keeps the driver error as the cause and names it in the message', () => {
    const driver = pgError('57P01', 'terminating connection due to administrator command')
    const e = fromDriverError(driver) as DatabaseUnavailableError
    expect(e).toBeInstanceOf(DatabaseUnavailableError)
    expect([e.cause, e.message]).toEqual([driver, 'the database is unavailable: terminating connection due to administrator command'])
    expect(fromDriverError(e)).toBe(e)
  })

  it('passes any other error through unchanged', () => {
    const other = pgError('23505', 'duplicate key')
    expect(fromDriverError(other)).toBe(other)
  })
})
