import { describe, expect, it } from 'vitest'
import { ConfigError, apiListenAddress, databaseTarget, loadConfig } from '../../src/config'

const target = (env: Record<string, string>) => databaseTarget(loadConfig(env))
const ADDON = { DB_HOST: 'pg.internal', DB_PORT: '6543', DB_NAME: 'squid', DB_USER: 'squid_user', DB_PASS: 'p@ss w/rd' }

function problemsOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (e) {
    if (e instanceof ConfigError) return e.problems
    throw e
  }
  throw new Error('expected a ConfigError')
}

describe('database settings', () => {
  it('DATABASE_URL wins over the add-on variables', () => {
    expect(target({ DATABASE_URL: 'postgres://me:pw@db.example:5433/tokens', ...ADDON, DB_URL: 'postgres://a:b@c/d' })).toEqual({
      source: 'DATABASE_URL',
      url: 'postgres://me:pw@db.example:5433/tokens',
      label: 'DATABASE_URL (db.example:5433/tokens)',
    })
  })

  it('without DATABASE_URL, DB_URL is used, DB_SSL adding verified TLS', () => {
    expect(target({ DB_URL: 'postgresql://u:p@pg.internal:5432/squid', DB_SSL: 'true', DB_HOST: 'ignored' })).toEqual({
      source: 'DB_URL',
      url: 'postgresql://u:p@pg.internal:5432/squid?sslmode=verify-full',
      label: 'DB_URL (pg.internal:5432/squid)',
    })
  })

  it('DB_USER and DB_PASS fill in the user and password DB_URL lacks', () => {
    expect(target({ DB_URL: 'postgres://pg.internal/squid', DB_USER: 'u', DB_PASS: 'p' })).toMatchObject({ url: 'postgres://u:p@pg.internal/squid' })
  })

  it('TLS settings in DB_URL win over DB_SSL', () => {
    expect(target({ DB_URL: 'postgres://u:p@h/d?sslmode=disable', DB_SSL: 'true' })).toMatchObject({ url: 'postgres://u:p@h/d?sslmode=disable' })
  })

  it('without any URL, DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASS make the connection, credentials escaped', () => {
    expect(target(ADDON)).toEqual({
      source: 'DB_*',
      url: 'postgres://squid_user:p%40ss%20w%2Frd@pg.internal:6543/squid',
      label: 'DB_* (pg.internal:6543/squid)',
    })
    expect(decodeURIComponent(new URL((target(ADDON) as { url: string }).url).password)).toBe('p@ss w/rd')
  })

  it("unset DB_* parts take Subsquid's defaults", () => {
    expect(target({ DB_HOST: 'pg' })).toMatchObject({ url: 'postgres://postgres:postgres@pg:5432/postgres' })
  })

  it('DB_SSL=true with DB_SSL_REJECT_UNAUTHORIZED=false accepts a certificate that does not verify', () => {
    expect(target({ ...ADDON, DB_SSL: 'true', DB_SSL_REJECT_UNAUTHORIZED: 'false' })).toMatchObject({ url: expect.stringMatching(/\?sslmode=no-verify$/) })
  })

  it('DB_SSL=false connects without TLS', () => {
    expect(target({ ...ADDON, DB_SSL: 'false' })).toMatchObject({ url: 'postgres://squid_user:p%40ss%20w%2Frd@pg.internal:6543/squid' })
  })

  it('neither DATABASE_URL nor DB_* set: the embedded Postgres', () => {
    expect(target({})).toEqual({ source: 'embedded' })
  })

  it('a bad DB_PORT, DB_SSL or DB_URL is reported by name with the value given', () => {
    const problems = problemsOf(() => loadConfig({ DB_PORT: 'five', DB_SSL: 'maybe', DB_URL: 'mysql://x/y' }))
    expect(problems).toEqual(['DB_URL ("mysql://x/y"): expected a postgres:// URL', 'DB_PORT ("five"): expected an integer', 'DB_SSL ("maybe"): expected true or false'])
  })

  it('DB_SSL alone, with nothing naming a server, is a configuration error rather than a silent embedded Postgres', () => {
    expect(problemsOf(() => target({ DB_SSL: 'true' }))).toEqual(['DB_SSL (set): no DB_URL or DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASS says which Postgres to connect to'])
  })
})

describe('API listen address', () => {
  const listen = (env: Record<string, string>) => apiListenAddress(loadConfig(env))

  it('on a developer machine: 127.0.0.1 and API_PORT', () => {
    expect(listen({})).toEqual({ host: '127.0.0.1', port: 3000 })
  })

  it('on SQD Cloud: GQL_PORT on every interface', () => {
    expect(listen({ GQL_PORT: '4350', API_PORT: '3000', ...ADDON })).toEqual({ host: '0.0.0.0', port: 4350 })
  })

  it('in a container given the add-on variables: every interface', () => {
    expect(listen({ ...ADDON, API_PORT: '8080' })).toEqual({ host: '0.0.0.0', port: 8080 })
  })

  it('an explicit API_HOST wins', () => {
    expect(listen({ GQL_PORT: '4350', API_HOST: '10.0.0.5' })).toEqual({ host: '10.0.0.5', port: 4350 })
  })
})
