import type { Logger } from 'pino'
import { PgListener } from '../lib/pgListener'

/**
 * LISTEN on the channel the metadata_job triggers NOTIFY (once per statement that makes a job
 * claimable), so an idle worker wakes within milliseconds of an enqueue instead of at its next
 * poll. Reconnects on its own; while disconnected the worker still polls, so nothing is missed,
 * and every (re)connect wakes it too (jobs may have been enqueued while it was not listening).
 */
export class JobNotifier extends PgListener {
  constructor(url: string, onNotify: () => void, log?: Logger, channel = 'metadata_job') {
    super(url, channel, () => onNotify(), log)
  }
}
