import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import ipaddr from 'ipaddr.js'
import type { DataSource } from 'typeorm'
import type { Config } from '../../config'
import type { Logger } from '../../lib/logger'
import { verifyApiKey } from '../../store/apiKeys'
import { candidateKeys, type KeySurface } from '../auth/apiKeyAuth'
import { fastifyErrorBody } from '../errors'
import { webrpcErrorBody } from '../sequence/webrpcErrors'
import { READ_WINDOW_MS, type ReadDecision, type ReadLimiter, type ReadSubject } from './readLimiter'

/** Each read surface answers a refusal in its own error shape. */
export type LimitedSurface = 'hiro' | 'sequence' | 'graphql' | 'immutable' | 'status'

const KEY_SURFACE: Record<LimitedSurface, KeySurface> = { hiro: 'graphql', sequence: 'sequence', graphql: 'graphql', immutable: 'immutable', status: 'graphql' }

function refusalBody(surface: LimitedSurface, retryIn: number): unknown {
  const message = `Rate limit exceeded, retry in ${retryIn} second${retryIn === 1 ? '' : 's'}`
  switch (surface) {
    case 'sequence':
      return webrpcErrorBody('RateLimited', message)
    case 'graphql':
      return { errors: [{ message, extensions: { code: 'RATE_LIMITED' } }] }
    case 'immutable':
      return { code: 'too_many_requests', message }
    default:
      return fastifyErrorBody(429, message)
  }
}

/** The address a limit is kept for: IPv4 as is, IPv6 by its /64 (one host usually holds a whole /64). */
export function clientBucket(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip
  const addr = ipaddr.process(ip)
  if (addr.kind() === 'ipv4') return addr.toString()
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4)
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`
}

const KEY_CACHE_MS = 60_000
const KEY_CACHE_MAX = 10_000

/**
 * Which API key a read carries, verified once per minute per value (positive and negative), so
 * a keyed read costs no database lookup either. A revoked key keeps its read budget for up to
 * that minute (it is refused by the refresh surfaces at once).
 */
class KeyCache {
  private readonly entries = new Map<string, { id: string | null; until: number }>()

  constructor(private readonly ds: DataSource) {}

  /** The key id, null when no candidate is a live key, undefined when it must be looked up. */
  peek(candidates: readonly string[], now: number): string | null | undefined {
    let unknown = false
    for (const c of candidates) {
      const e = this.entries.get(c)
      if (!e || e.until < now) unknown = true
      else if (e.id) return e.id
    }
    return unknown ? undefined : null
  }

  async resolve(candidates: readonly string[], now: number): Promise<string | null> {
    if (this.entries.size >= KEY_CACHE_MAX) this.entries.clear()
    for (const c of candidates) {
      const key = await verifyApiKey(this.ds, c, new Date(now))
      this.entries.set(c, { id: key?.id ?? null, until: now + KEY_CACHE_MS })
      if (key) return key.id
    }
    return null
  }
}

function setHeaders(reply: FastifyReply, d: ReadDecision): void {
  reply.header('ratelimit-limit', String(d.limit))
  reply.header('ratelimit-remaining', String(d.remaining))
  reply.header('ratelimit-reset', String(d.resetSeconds))
  reply.header('ratelimit-policy', `${d.limit};w=${READ_WINDOW_MS / 1000}`)
}

export interface ReadLimits {
  limiter: ReadLimiter
  hook(surface: LimitedSurface, opts?: { skipMethods?: readonly string[] }): onRequestAsyncHookHandler
}

/**
 * The read limit of every public read route (docs/architecture.md §6): per client address
 * (READ_LIMIT_PER_IP; `request.ip`, which honours X-Forwarded-For only from API_TRUST_PROXY) or,
 * for a request with a live API key, per key (READ_LIMIT_PER_KEY). Every answer carries
 * RateLimit-Limit / -Remaining / -Reset (seconds) and RateLimit-Policy; a refusal is a 429 with
 * Retry-After in the surface's error shape. A key not yet verified is charged to the address
 * first, so guessing keys costs the guesser its own address's budget.
 */
export function readLimits(limiter: ReadLimiter, ds: DataSource, config: Config, log: Logger): ReadLimits {
  const keys = new KeyCache(ds)
  const ipSubject = (request: FastifyRequest): ReadSubject => ({ key: `ip/${clientBucket(request.ip)}`, apiKeyId: null, limit: config.READ_LIMIT_PER_IP })
  const keySubject = (id: string): ReadSubject => ({ key: id, apiKeyId: id, limit: config.READ_LIMIT_PER_KEY })
  return {
    limiter,
    hook(surface, opts = {}) {
      return async (request, reply) => {
        if (opts.skipMethods?.includes(request.method)) return
        const candidates = candidateKeys(request.headers, KEY_SURFACE[surface])
        const now = Date.now()
        const known = candidates.length > 0 ? keys.peek(candidates, now) : null
        let decision = limiter.take(known ? keySubject(known) : ipSubject(request))
        if (decision.allowed && known === undefined) {
          // A lookup that fails leaves the read charged to the address (reads are public).
          const id = await keys.resolve(candidates, now).catch((err: unknown) => {
            log.warn({ err }, 'could not verify the API key of a read; counted against the client address')
            return null
          })
          if (id) decision = limiter.take(keySubject(id))
        }
        setHeaders(reply, decision)
        if (decision.allowed) return
        reply.header('retry-after', String(decision.resetSeconds))
        return reply.code(429).send(refusalBody(surface, decision.resetSeconds))
      }
    },
  }
}
