import type { DataSource } from 'typeorm'
import { createApiKey } from '../../src/store/apiKeys'
import { openDataSource } from '../../src/store/dataSource'

/**
 * Helpers for the refresh surfaces' tests, drills and benchmarks (no vitest imports here): keys as
 * the CLI creates them, and plain HTTP calls.
 */

export interface Reply<T = any> {
  status: number
  headers: Headers
  body: T
}

/** A key as `token-metadata keys create` makes it: admin when no contracts are given. */
export async function newKey(ds: DataSource, name: string, contracts: string[] = []): Promise<string> {
  return (await createApiKey(ds, { name, contracts }, new Date())).key
}

/** An admin key in the database at `url` (over a connection of its own, closed again). */
export async function newKeyAt(url: string, name: string): Promise<string> {
  const ds = await openDataSource(url, 1)
  try {
    return await newKey(ds, name)
  } finally {
    await ds.destroy()
  }
}

/** A request whose body is JSON (or a raw string sent as is) and whose answer is parsed when it is JSON. */
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: unknown; contentType?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers }
  let body: string | undefined
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
    headers['content-type'] = opts.contentType ?? 'application/json'
  }
  const r = await fetch(`${base}${path}`, { method, headers, body })
  const text = await r.text()
  let parsed: unknown = text
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {
    // not JSON: kept as text
  }
  return { status: r.status, headers: r.headers, body: parsed as T }
}

export async function gql<T = any>(
  base: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Reply<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>> {
  return call(base, 'POST', '/graphql', { headers, body: { query, variables } })
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` })
