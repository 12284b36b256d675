import { RetryableError } from '../../core/errors'

/**
 * Not the job's fault: its host is cooling down after a 429 or all its slots are taken. The job
 * goes back to the queue until `retryAfterMs` without using up an attempt.
 */
export class DeferredError extends RetryableError {
  constructor(host: string, reason: 'cooldown' | 'busy', retryAfterMs: number) {
    super('rate_limited', `host ${host} is ${reason === 'cooldown' ? 'cooling down after a 429' : 'at its concurrency cap'}`, { retryAfterMs })
  }
}
