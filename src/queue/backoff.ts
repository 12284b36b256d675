export interface BackoffSettings {
  baseMs: number
  maxMs: number
}

/**
 * Delay before the next attempt: exponential in the attempts made so far, with "full jitter"
 * over the upper half (so retries of a burst spread out but never come back sooner than half
 * the nominal delay), capped at maxMs. A host's Retry-After wins when it asks for longer, and
 * is itself capped at maxMs so a hostile host cannot park a job forever.
 */
export function backoffDelayMs(attempts: number, settings: BackoffSettings, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attempts - 1))
  const jittered = exp / 2 + random() * (exp / 2)
  const wanted = retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered
  return Math.round(Math.min(settings.maxMs, wanted))
}
