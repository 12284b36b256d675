import type { DataSource } from 'typeorm'
import type { ChainReaders } from '../core/chainReader'
import type { Config } from '../config'
import type { Logger } from '../lib/logger'
import type { Metrics } from '../lib/metrics'

/** What the API server is built from; it reads nothing else (no process.env, no globals). */
export interface ApiDeps {
  config: Config
  /** An initialised DataSource; the API reads through its pg pool. */
  ds: DataSource
  log: Logger
  metrics: Metrics
  /** How long a status snapshot is reused (ms). 0 = computed for every request. */
  statusCacheMs?: number
  /** Chain reads the API makes itself: collection owner() for Immutable X project-owner authentication. Absent = none. */
  chainReaders?: ChainReaders
  /** Shown as server_version / version; defaults to the package version. */
  version?: string
}
