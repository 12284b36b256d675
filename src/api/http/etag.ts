import { createHash } from 'node:crypto'

/**
 * Strong ETag of a response body. Hashing the serialised body (a few KB, microseconds) is exact:
 * the tag changes exactly when the representation does, whatever changed underneath (metadata,
 * job status, locale, contract reads).
 */
export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`
}

/**
 * Whether an If-None-Match header value matches `etag`. Lenient like real caches and proxies:
 * lists, weak validators (W/) and unquoted values are accepted; `*` matches anything.
 */
export function ifNoneMatchMatches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false
  const bare = etag.replace(/^"|"$/g, '')
  const values = (Array.isArray(header) ? header.join(',') : header).split(',')
  return values.some((v) => {
    const t = v.trim().replace(/^W\//, '').replace(/^"|"$/g, '')
    return t === '*' || t === bare
  })
}
