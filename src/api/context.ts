import type { Config } from '../config'
import type { Logger } from '../lib/logger'
import type { ApiStore } from '../store/apiStore'
import type { OnDemandBudget } from './sequence/onDemandBudget'
import type { StatusService } from './statusService'
import type { CollectionOwners } from './auth/collectionOwners'
import type { MediaLinks } from './media/mediaLinks'
import type { ChangeFeed } from './subscriptions/changeFeed'

/** Shared by every surface of one server. */
export interface ApiContext {
  config: Config
  /** The one database handle: read-model functions and store writes, no SQL (src/store/apiStore.ts). */
  store: ApiStore
  log: Logger
  knownChains: ReadonlySet<string>
  status: StatusService
  /** Fetches of never-seen tokens that reads may queue (global, per minute). */
  onDemand: OnDemandBudget
  /** owner() of collection contracts, cached (Immutable X project-owner authentication). */
  owners: CollectionOwners
  version: string
  /** Public URLs of cached media files. */
  media: MediaLinks
  /** Committed changes, for GraphQL subscriptions (LISTEN); absent where subscriptions are not served. */
  changes?: ChangeFeed
}
