import { ConfigError, type Config } from './loadConfig'

/** Where a process's Postgres comes from, in the order the configuration table documents. */
export type DatabaseTarget =
  { source: 'DATABASE_URL' | 'DB_URL' | 'DB_*'; url: string; /** host:port/database, without credentials (for logs). */ label: string } | { source: 'embedded' }

const PART_NAMES = ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS'] as const

/**
 * 1. DATABASE_URL; 2. the SQD Cloud Postgres add-on's variables (DB_URL, else DB_HOST / DB_PORT /
 * DB_NAME / DB_USER / DB_PASS with Subsquid's defaults), TLS per DB_SSL; 3. neither: the embedded
 * Postgres. Every choice ends as one connection URL (TLS as `sslmode`), because every component
 * (TypeORM pools, Subsquid's store, the LISTEN client) takes a connection string.
 */
export function databaseTarget(config: Config): DatabaseTarget {
  if (config.DATABASE_URL) return external('DATABASE_URL', new URL(config.DATABASE_URL))
  if (config.DB_URL) return external('DB_URL', withSsl(fromDbUrl(config), config))
  if (PART_NAMES.some((n) => config[n] !== undefined)) return external('DB_*', withSsl(fromParts(config), config))
  if (config.DB_SSL !== undefined) {
    throw new ConfigError(['DB_SSL (set): no DB_URL or DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASS says which Postgres to connect to'])
  }
  return { source: 'embedded' }
}

function fromDbUrl(config: Config): URL {
  const url = new URL(config.DB_URL!)
  // As Subsquid's own connection options do: DB_USER / DB_PASS fill in what the URL lacks.
  if (!url.username && config.DB_USER) url.username = config.DB_USER
  if (!url.password && config.DB_PASS !== undefined) url.password = config.DB_PASS
  return url
}

function fromParts(config: Config): URL {
  const url = new URL('postgres://localhost')
  url.hostname = config.DB_HOST ?? 'localhost'
  url.port = String(config.DB_PORT ?? 5432)
  url.username = config.DB_USER ?? 'postgres'
  url.password = config.DB_PASS ?? 'postgres'
  url.pathname = `/${encodeURIComponent(config.DB_NAME ?? 'postgres')}`
  return url
}

/** TLS settings a URL already carries win over DB_SSL (as in Subsquid's typeorm-config). */
function withSsl(url: URL, config: Config): URL {
  const own = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey'].some((k) => url.searchParams.has(k))
  if (!own && config.DB_SSL) url.searchParams.set('sslmode', config.DB_SSL_REJECT_UNAUTHORIZED ? 'verify-full' : 'no-verify')
  return url
}

function external(source: 'DATABASE_URL' | 'DB_URL' | 'DB_*', url: URL): DatabaseTarget {
  return { source, url: url.toString(), label: `${source} (${url.hostname}:${url.port || '5432'}${url.pathname})` }
}
