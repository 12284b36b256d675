import { RetryableError } from '../../core/errors'
import type { HostSlots } from '../hostSlots'
import { DeferredError } from './deferred'

/**
 * Runs a fetch under the host's shared politeness rules: a slot within the per-host cap, and
 * a cooldown for every worker when the host answers 429 (its Retry-After, or `cooldownMs`).
 */
export function politeFetch(slots: HostSlots, cooldownMs: number) {
  return async <T>(host: string, fetch: () => Promise<T>): Promise<T> => {
    const slot = await slots.acquire(host)
    if (!slot.ok) throw new DeferredError(host, slot.reason, Math.max(0, slot.retryAt - Date.now()))
    try {
      return await fetch()
    } catch (e) {
      if (e instanceof RetryableError && e.code === 'rate_limited') await slots.cooldown(host, e.retryAfterMs ?? cooldownMs)
      throw e
    } finally {
      slot.release()
    }
  }
}
