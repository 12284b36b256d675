import { Client } from 'pg'

/**
 * The database cannot be reached, or is restarting, failing over or refusing connections. A
 * caller may retry; it is not a defect. Every driver error passes through `fromDriverError` at
 * the pool boundary (the pg Client class our pools use, and the pool's own connect), so the rest
 * of the code tells this case apart by type, never by the driver's message text.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE'

  constructor(cause: unknown) {
    super(`the database is unavailable: ${describeDriverError(cause)}`, { cause })
    this.name = 'DatabaseUnavailableError'
  }
}

/** A driver error in words. Node reports a refused multi-address connect as an AggregateError with an empty message. */
export function describeDriverError(e: unknown): string {
  if (e instanceof DatabaseUnavailableError) return describeDriverError(e.cause)
  const err = e as { message?: string; code?: string; errors?: { message?: string }[] }
  return err.message || err.errors?.map((x) => x.message).join('; ') || err.code || String(e)
}

const UNAVAILABLE_CODES = new Set([
  // Postgres: shutting down, starting up, too many connections, connection exceptions
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  // the socket under the driver
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
])
// What pg and pg-pool say, with no code, when a connection dies or cannot be had.
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|the database system is (starting up|shutting down)/i

/** The driver's error as the rest of the code sees it: a DatabaseUnavailableError, or the error itself. */
export function fromDriverError(err: unknown): unknown {
  if (err instanceof DatabaseUnavailableError) return err
  const e = err as { code?: unknown; message?: unknown } | undefined
  if (typeof e?.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return new DatabaseUnavailableError(err)
  if (typeof e?.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return new DatabaseUnavailableError(err)
  return err
}

/** Whether a failure is, or was caused by, the database being unavailable (TypeORM wraps driver errors as `driverError`). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { cause?: unknown; driverError?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e instanceof DatabaseUnavailableError) return true
    e = (e.driverError ?? e.cause) as typeof e
  }
  return false
}

type Callback = (err: unknown, ...rest: unknown[]) => void

function guardCallback(args: unknown[]): boolean {
  const last = args[args.length - 1]
  if (typeof last !== 'function') return false
  args[args.length - 1] = (err: unknown, ...rest: unknown[]) => (last as Callback)(err ? fromDriverError(err) : err, ...rest)
  return true
}

function guardPromise<T>(result: T): T {
  const p = result as { then?: unknown; catch?: (f: (e: unknown) => never) => unknown }
  if (typeof p?.then !== 'function' || typeof p.catch !== 'function') return result
  return p.catch((e: unknown) => {
    throw fromDriverError(e)
  }) as T
}

/** pg's Client with its connect and query errors passed through fromDriverError (callbacks and promises alike). */
export class GuardedClient extends Client {}

for (const method of ['connect', 'query'] as const) {
  const original = Client.prototype[method] as (...args: unknown[]) => unknown
  Object.defineProperty(GuardedClient.prototype, method, {
    value: function (this: Client, ...args: unknown[]) {
      if (guardCallback(args)) return original.apply(this, args)
      return guardPromise(original.apply(this, args))
    },
  })
}

/** Passes a pool's own connect failures (its connection timeout) through fromDriverError. */
export function guardPoolConnect(pool: { connect: (...args: unknown[]) => unknown }): void {
  const original = pool.connect.bind(pool)
  pool.connect = (...args: unknown[]) => (guardCallback(args) ? original(...args) : guardPromise(original(...args)))
}
