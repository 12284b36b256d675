import { z } from 'zod'
import { isCaip2 } from '../core/ids'

/**
 * Every environment variable the system reads, with its default and meaning. This file is the
 * single source of the README's configuration table (`npm run config:doc` prints it).
 * Nothing else reads process.env: `loadConfig` parses it once into a frozen, typed Config.
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number({ error: 'expected an integer' }).int('expected an integer').min(min).max(max)

const bool = z.stringbool({ error: 'expected true or false' })

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
)

const caip2 = z.string().refine(isCaip2, 'expected a CAIP-2 chain id such as eip155:1 or stacks:1')

const pgUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// URL' })

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })

/** One EVM chain to index (an entry of EVM_CHAINS). */
export const evmChainSchema = z.object({
  chain: caip2.refine((c) => c.startsWith('eip155:'), 'expected an eip155:<chainId> id'),
  rpcUrl: httpUrl,
  /** SQD Network gateway for history; RPC serves the chain head. */
  gateway: httpUrl.optional(),
  startBlock: int(0).default(0),
  finality: int(0, 10_000).default(10),
  /** Optional allow-list of contract addresses; every contract when absent. */
  contracts: z.array(z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x address')).optional(),
  /** JSON-RPC requests per second sent by the processor (0 = unlimited). */
  rpcRateLimit: int(0).default(0),
  /** How often the chain head is polled once the processor has caught up. */
  headPollMs: int(10, 60_000).default(1000),
})

export type EvmChainConfig = z.output<typeof evmChainSchema>

const evmChains = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON array of chain objects' })
      return z.NEVER
    }
  })
  .pipe(z.array(evmChainSchema))

/** How the worker fetches for a user refresh (see src/queue/retryProfile.ts). */
export const retryProfileSchema = z.object({
  timeoutMs: int(100, 600_000).default(3000),
  retries: int(0, 20).default(2),
  retryStatuses: z.array(int(100, 599)).default([429, 503]),
  backoffBaseMs: int(1, 3_600_000).default(500),
})

export const REFRESH_SURFACES = ['imx', 'zkevm', 'mavis', 'sequence', 'graphql'] as const

const refreshProfiles = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object of surface to retry profile' })
      return z.NEVER
    }
  })
  .pipe(
    z.strictObject(
      Object.fromEntries(REFRESH_SURFACES.map((k) => [k, retryProfileSchema.optional()])) as Record<(typeof REFRESH_SURFACES)[number], z.ZodOptional<typeof retryProfileSchema>>,
    ),
  )
  .transform(
    (o) =>
      Object.fromEntries(REFRESH_SURFACES.map((k) => [k, o[k] ?? retryProfileSchema.parse({})])) as Record<(typeof REFRESH_SURFACES)[number], z.output<typeof retryProfileSchema>>,
  )

interface VarSpec {
  schema: z.ZodType
  default?: string
  doc: string
}

/** name -> (schema, default as the user would write it, documentation). */
export const ENV = {
  LOG_LEVEL: { schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), default: 'info', doc: 'pino log level' },
  DATABASE_URL: { schema: pgUrl.optional(), doc: 'Postgres to use (first choice). Unset: the DB_* variables below; neither set: an embedded Postgres with data under DATA_DIR' },
  DB_URL: {
    schema: pgUrl.optional(),
    doc: 'second choice, as injected by the SQD Cloud Postgres add-on: a postgres:// URL; DB_USER / DB_PASS fill in a user or password it lacks',
  },
  DB_HOST: {
    schema: z.string().min(1).optional(),
    doc: "Postgres host of the add-on's DB_* settings, used when DATABASE_URL and DB_URL are unset (any of DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASS set selects them); localhost when unset",
  },
  DB_PORT: { schema: int(1, 65535).optional(), doc: 'Postgres port of the DB_* settings (5432 when unset)' },
  DB_NAME: { schema: z.string().min(1).optional(), doc: 'database name of the DB_* settings (postgres when unset)' },
  DB_USER: { schema: z.string().min(1).optional(), doc: 'user of the DB_* settings (postgres when unset)' },
  DB_PASS: { schema: z.string().optional(), doc: 'password of the DB_* settings (postgres when unset)' },
  DB_SSL: { schema: bool.optional(), doc: 'true: connect to the DB_* Postgres over TLS, verifying its certificate (ignored when DB_URL carries its own ssl/sslmode)' },
  DB_SSL_REJECT_UNAUTHORIZED: { schema: bool, default: 'true', doc: 'false: with DB_SSL, accept a certificate that does not verify (self-signed)' },
  DATA_DIR: { schema: z.string().min(1), default: '.data', doc: 'where the embedded Postgres keeps its data (and dev state)' },
  EMBEDDED_PG_PORT: { schema: int(0, 65535), default: '0', doc: 'port of the embedded Postgres (0 = a free port)' },
  DB_POOL_SIZE: { schema: int(1, 1000), default: '10', doc: 'connections per process' },

  API_HOST: {
    schema: z.string().min(1).optional(),
    doc: 'address the API server listens on; unset: 0.0.0.0 when GQL_PORT or a DB_* variable is set (a platform container), else 127.0.0.1',
  },
  API_PORT: { schema: int(0, 65535), default: '3000', doc: 'port of the API server (0 = a free port); GQL_PORT, when set, wins' },
  GQL_PORT: { schema: int(1, 65535).optional(), doc: 'the port SQD Cloud routes its API traffic to; when set, the API listens on it' },
  CORS_ORIGINS: {
    schema: list.pipe(z.array(z.string().regex(/^(\*|none|https?:\/\/[^/\s]+)$/, 'expected *, none, or origins such as https://explorer.example (scheme://host[:port], no path)'))),
    default: '*',
    doc: 'origins browsers may call the read routes from (GraphQL queries, REST reads, Sequence reads): * (any, without credentials), a comma-separated list such as https://explorer.example,https://wallet.example (reflected when it matches), or none. Refresh and key-protected routes never answer cross-origin',
  },
  METRICS_PORT: { schema: int(0, 65535), default: '0', doc: 'Prometheus /metrics port for processor and worker processes (0 = off; the API serves /metrics itself)' },
  PROGRESS_INTERVAL_MS: {
    schema: int(100, 600_000),
    default: '2000',
    doc: 'how often processors record their heartbeat and the chain head while waiting at the head (also after every batch), and workers the head of every chain they read',
  },
  READY_MAX_SILENCE_SECONDS: { schema: int(1), default: '60', doc: 'GET /ready answers 503 when a chain processor has recorded no heartbeat for longer than this' },
  READY_MAX_LAG_BLOCKS: { schema: int(0), default: '100', doc: "GET /ready answers 503 when a chain's indexed height is more than this many blocks behind its head" },

  EVM_CHAINS: {
    schema: evmChains,
    default: '[]',
    doc: 'JSON array of EVM chains: [{"chain":"eip155:1","rpcUrl":"…","gateway":"…","startBlock":0,"finality":10,"contracts":["0x…"],"rpcRateLimit":0,"headPollMs":1000}]',
  },
  EVM_BATCH_MAX_TOKENS: {
    schema: int(1),
    default: '100000',
    doc: 'chunk size in which a BatchMetadataUpdate, a collection-wide SIP-019 notice or an ERC-2309 range is written and enqueued (every token of it is, chunk by chunk)',
  },
  EVM_CONSECUTIVE_MAX_TOKENS: {
    schema: int(1),
    default: '1000000',
    doc: 'largest ERC-2309 ConsecutiveTransfer range applied (any contract can log any range; a larger one is logged as a warning and left out)',
  },

  STACKS_API_URL: {
    schema: httpUrl.optional(),
    doc: "Stacks API base URL (unset = no Stacks processor with STACKS_SOURCE=api; with STACKS_SOURCE=node it is optional and gives the interfaces of contracts deployed before the recorded blocks, and the workers' read-only calls)",
  },
  STACKS_CHAIN: {
    schema: caip2.refine((c) => c.startsWith('stacks:'), 'expected stacks:1 or stacks:2147483648'),
    default: 'stacks:1',
    doc: 'CAIP-2 id of the Stacks network indexed',
  },
  STACKS_START_HEIGHT: { schema: int(0), default: '1', doc: 'first Stacks block height to index' },
  STACKS_FINALITY: { schema: int(0, 1000), default: '6', doc: 'Stacks blocks this deep under the tip are final (a deeper fork is fatal)' },
  STACKS_POLL_MS: { schema: int(50), default: '2000', doc: 'how often the Stacks processor polls for new blocks at the chain head' },
  STACKS_SUPPLY_CHECK_SECONDS: {
    schema: int(0),
    default: '3600',
    doc: 'how often the Stacks processor compares each SIP-010 supply it tracks from mint/burn events with get-total-supply, once at the chain tip (a difference is logged and counted, not adopted; 0 = never)',
  },
  STACKS_API_KEY: {
    schema: z.string().min(1).optional(),
    doc: "API key sent as x-api-key with every Stacks API request: the processor's block reads and the workers' read-only calls (Hiro raises its per-IP limit for keyed requests)",
  },
  STACKS_API_REQUESTS_PER_MINUTE: {
    schema: int(0),
    default: '0',
    doc: 'request budget of the Stacks processor process for the Stacks API, shared by all its reads: blocks, interfaces, supply cross-checks (0 = unlimited). A 429 still pauses every request of the process for the wait the API asks for',
  },
  STACKS_WORKER_REQUESTS_PER_MINUTE: {
    schema: int(0),
    default: '0',
    doc: "request budget of each worker process (and each API process, for the reads it makes) for its Stacks reads: read-only calls, interfaces, the tip (0 = unlimited). With several workers, split the API's limit between them and the processor",
  },
  STACKS_PREFETCH_BLOCKS: {
    schema: int(1, 1000),
    default: '32',
    doc: 'blocks the Stacks processor fetches ahead of the one it applies next, all in flight at once (a continuous window; blocks are still applied in order)',
  },
  STACKS_SOURCE: {
    schema: z.enum(['api', 'node']),
    default: 'api',
    doc: 'where the Stacks processor reads blocks: `api` polls STACKS_API_URL; `node` reads the blocks a stacks-node posted to the event observer (`node lib/main/stacks-observer.js`) or `token-metadata stacks import-events` loaded from an archive',
  },
  STACKS_OBSERVER_HOST: {
    schema: z.string().min(1),
    default: '127.0.0.1',
    doc: 'address the Stacks event observer listens on (the node posts to it; anything that can reach it can post blocks, so keep it on a private network)',
  },
  STACKS_OBSERVER_PORT: { schema: int(0, 65535), default: '3700', doc: "port of the Stacks event observer (the `endpoint` of the node's `[[events_observer]]`; 0 = a free port)" },
  STACKS_OBSERVER_BODY_LIMIT_MB: {
    schema: int(1, 4096),
    default: '500',
    doc: 'largest event-observer request body accepted, in MiB (a mainnet block with its events can be tens of MiB)',
  },
  STACKS_DYNAMIC_TTL_SECONDS: { schema: int(1), default: '86400', doc: 'refresh interval of SIP-019 dynamic tokens that give no ttl' },

  WORKER_CONCURRENCY: { schema: int(1, 10_000), default: '50', doc: 'jobs one worker process runs at once' },
  JOB_LEASE_SECONDS: { schema: int(5), default: '60', doc: 'a claimed job returns to the queue if its worker is silent this long' },
  JOB_MAX_ATTEMPTS: { schema: int(1, 100), default: '8', doc: 'retryable failures before a job is FAILED' },
  JOB_BACKOFF_BASE_MS: { schema: int(1), default: '2000', doc: 'first retry delay (doubles each attempt, with jitter)' },
  JOB_BACKOFF_MAX_MS: { schema: int(1), default: '3600000', doc: 'longest retry delay' },
  HOST_MAX_CONCURRENCY: { schema: int(1), default: '16', doc: 'concurrent fetches per metadata host, across all workers' },
  HOST_COOLDOWN_MS: { schema: int(0), default: '30000', doc: 'pause for a host after a 429 without Retry-After' },

  CLEANUP_INTERVAL_SECONDS: { schema: int(1, 86_400), default: '300', doc: 'how often a worker prunes the housekeeping tables (one worker at a time does it)' },
  JOB_STATS_RETENTION_DAYS: { schema: int(1, 3650), default: '7', doc: 'days of per-minute job statistics (job_stat_minute) kept' },
  RATE_LIMIT_RETENTION_HOURS: { schema: int(2, 8760), default: '24', doc: 'hours a finished rate-limit window (rate_limit_window) is kept (the longest window is one hour)' },

  FETCH_TIMEOUT_MS: { schema: int(100), default: '10000', doc: 'total deadline of one metadata fetch' },
  FETCH_MAX_BYTES: { schema: int(1024), default: '5242880', doc: 'largest metadata document accepted (after decompression)' },
  FETCH_MAX_REDIRECTS: { schema: int(0, 20), default: '5', doc: 'redirects followed per fetch' },
  FETCH_ALLOW_HOSTS: { schema: list, default: '', doc: 'comma-separated hosts, host:port or CIDRs the fetcher may reach even if private (e.g. 127.0.0.1:8080)' },
  IPFS_GATEWAY: { schema: httpUrl, default: 'https://ipfs.io', doc: 'gateway for ipfs:// and ipns:// URIs' },
  ARWEAVE_GATEWAY: { schema: httpUrl, default: 'https://arweave.net', doc: 'gateway for ar:// URIs' },
  IPFS_REWRITE_GATEWAYS: {
    schema: list,
    default: 'ipfs.io,gateway.pinata.cloud,cloudflare-ipfs.com,dweb.link,nftstorage.link,gateway.ipfs.io,*.mypinata.cloud',
    doc: 'public IPFS gateways whose URLs are rewritten to IPFS_GATEWAY',
  },

  MEDIA_CACHE: {
    schema: bool,
    default: 'true',
    doc: 'cache the media that stored documents name (image, image_data, and animation_url when it names an image): one media job per distinct URL, run by a second runner in each worker; false: no media jobs',
  },
  MEDIA_CONCURRENCY: {
    schema: int(1, 1000),
    default: '4',
    doc: "media jobs one worker runs at once, beside WORKER_CONCURRENCY metadata jobs (bounds the worker's memory: each holds at most MEDIA_MAX_BYTES and one decode)",
  },
  MEDIA_MAX_BYTES: { schema: int(1024), default: '26214400', doc: 'largest media file fetched (25 MiB; after decompression); larger bodies end as response_too_large' },
  MEDIA_FETCH_TIMEOUT_MS: { schema: int(100), default: '30000', doc: 'total deadline of one media fetch (DNS, connect, redirects, body)' },
  MEDIA_MAX_PIXELS: {
    schema: int(1),
    default: '40000000',
    doc: 'largest image decoded, width x height x frames as its header says; larger ones end as media_too_many_pixels without being decoded',
  },
  MEDIA_THUMBNAIL_WIDTHS: {
    schema: list
      .pipe(
        z.array(
          z
            .string()
            .regex(/^\d{1,5}$/, 'expected widths in pixels such as 64,300,600')
            .transform(Number)
            .pipe(z.number().int().min(1).max(10_000)),
        ),
      )
      .refine((a) => a.length > 0, 'expected at least one width')
      .transform((a) => [...new Set(a)].sort((x, y) => x - y)),
    default: '64,300,600',
    doc: "thumbnail widths in pixels (WebP; animated stays animated); the 300 one (or the nearest) is Hiro's cached_thumbnail_image",
  },
  MEDIA_STORAGE: {
    schema: z.enum(['local', 's3']),
    default: 'local',
    doc: 'where cached media is stored: local (MEDIA_DIR, served by the API under /media/...) or s3 (MEDIA_S3_*)',
  },
  MEDIA_DIR: { schema: z.string().min(1), default: '.data/media', doc: 'directory of locally stored media (MEDIA_STORAGE=local); workers write it, the API serves it' },
  MEDIA_PUBLIC_BASE_URL: {
    schema: httpUrl.optional(),
    doc: "base URL of cached media in API answers (a CDN in front of either backend), e.g. https://cdn.example/media; unset: the API's own /media route (local) or the bucket's URL (s3)",
  },
  MEDIA_S3_BUCKET: { schema: z.string().min(1).optional(), doc: 'bucket of MEDIA_STORAGE=s3' },
  MEDIA_S3_REGION: { schema: z.string().min(1), default: 'us-east-1', doc: 'region of the media bucket' },
  MEDIA_S3_ENDPOINT: { schema: httpUrl.optional(), doc: 'endpoint of an S3-compatible service (R2, MinIO, …); unset: AWS' },
  MEDIA_S3_FORCE_PATH_STYLE: {
    schema: bool,
    default: 'false',
    doc: 'address the bucket as <endpoint>/<bucket> instead of <bucket>.<endpoint> (most S3-compatible servers need true)',
  },
  MEDIA_S3_ACCESS_KEY_ID: { schema: z.string().min(1).optional(), doc: "access key of the media bucket; unset: the AWS SDK's default credential chain" },
  MEDIA_S3_SECRET_ACCESS_KEY: { schema: z.string().min(1).optional(), doc: 'secret key paired with MEDIA_S3_ACCESS_KEY_ID' },
  WEBHOOK_TIMEOUT_MS: {
    schema: int(100, 600_000),
    default: '10000',
    doc: "deadline of one webhook delivery (connect, redirects, the receiver's answer); receivers are fetched under the FETCH_ALLOW_HOSTS address rules",
  },
  WEBHOOK_PAUSE_AFTER_FAILURES: {
    schema: int(1, 100),
    default: '15',
    doc: 'failed delivery attempts in a row after which a webhook subscription is paused (resume: token-metadata webhooks resume, or the resumeWebhook mutation)',
  },
  WEBHOOK_BACKOFF_BASE_MS: {
    schema: int(1),
    default: '5000',
    doc: 'first retry delay after a failed delivery attempt (doubles each attempt, with jitter, up to JOB_BACKOFF_MAX_MS; a longer Retry-After wins)',
  },
  WEBHOOK_BATCH: { schema: int(1, 10_000), default: '200', doc: 'deliveries one attempt of a subscription sends at most (it runs again at once while more are pending)' },
  WEBHOOK_CONCURRENCY: { schema: int(1, 1000), default: '16', doc: "deliveries of one subscription in flight at once (one token's events still go one at a time, in order)" },
  WEBHOOK_LOG_RETENTION_DAYS: {
    schema: int(1, 3650),
    default: '7',
    doc: 'days a delivered webhook event stays in the delivery log (webhook_delivery, notification_event); pending ones are kept until delivered',
  },
  SUBSCRIPTION_MAX_PER_CONNECTION: { schema: int(1, 1000), default: '10', doc: 'GraphQL subscriptions (tokenChanged, contractChanged) one SSE connection may hold at once' },
  SUBSCRIPTION_MAX_CONNECTIONS: { schema: int(1, 1_000_000), default: '1000', doc: 'SSE connections one API process serves at once (429 past it)' },
  SUBSCRIPTION_BUFFER: {
    schema: int(1, 100_000),
    default: '100',
    doc: 'changes queued for a subscription whose client reads too slowly; past it the subscription ends with an error',
  },

  REFRESH_REQUESTS_PER_SECOND: { schema: int(1), default: '5', doc: 'refresh requests per second per API key' },
  REFRESH_MAX_TOKENS_PER_REQUEST: { schema: int(1), default: '1000', doc: 'token ids in one Immutable X style refresh' },
  REFRESH_TOKENS_PER_HOUR: { schema: int(1), default: '30000', doc: 'tokens refreshed per hour per API key' },
  REFRESH_DEFAULT_CHAIN: { schema: caip2, default: 'eip155:1', doc: 'chain of the Immutable X refresh surface (its paths carry none; Mavis has MAVIS_CHAIN)' },
  MAVIS_CHAIN: {
    schema: caip2,
    default: 'eip155:2020',
    doc: 'chain of the Mavis Market refresh surface (Ronin mainnet), separate from REFRESH_DEFAULT_CHAIN so one deployment serves both',
  },
  IMX_SIGNATURE_WINDOW_SECONDS: {
    schema: int(1, 86_400),
    default: '300',
    doc: 'Immutable X project-owner authentication: x-imx-eth-timestamp must be within this many seconds of the server clock (either side); older or later signatures are refused',
  },
  IMX_OWNER_CACHE_TTL_SECONDS: {
    schema: int(0, 86_400),
    default: '300',
    doc: "how long an API process remembers a collection contract's owner() (in memory; 0 = read the chain on every signed request)",
  },
  REFRESH_RETRY_PROFILES: {
    schema: refreshProfiles,
    default: '{}',
    doc: 'retry profile of user refreshes per surface, JSON {"imx":{"timeoutMs":3000,"retries":2,"retryStatuses":[429,503],"backoffBaseMs":500}, ...} over the defaults (every surface: the Immutable X seed\'s 3 s, 2 retries of 429 / 503 only, exponential backoff from 500 ms); surfaces: imx, zkevm, mavis, sequence, graphql',
  },
  CHAIN_NAMES: {
    schema: z.string().transform((s, ctx) => {
      try {
        return z.record(z.string(), caip2).parse(JSON.parse(s))
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON object of chain name to CAIP-2 id' })
        return z.NEVER
      }
    }),
    default: '{"imtbl-zkevm-mainnet":"eip155:13371","imtbl-zkevm-testnet":"eip155:13473","ethereum":"eip155:1","polygon":"eip155:137"}',
    doc: 'chain_name (Immutable zkEVM paths) to CAIP-2 id',
  },
  GRAPHQL_MAX_DEPTH: { schema: int(1, 50), default: '8', doc: 'deepest GraphQL query accepted' },
  GRAPHQL_MAX_PAGE: { schema: int(1, 10_000), default: '200', doc: 'largest page size of GraphQL lists' },
  GRAPHQL_SANDBOX: { schema: bool, default: 'false', doc: 'serve the Apollo sandbox on GET /graphql' },
  GRAPHQL_INTROSPECTION: { schema: bool, default: 'false', doc: 'answer introspection (__schema, __type); off in production, on in npm run dev' },
  GRAPHQL_MAX_INTROSPECTION_DEPTH: { schema: int(1, 50), default: '15', doc: 'deepest __schema subtree accepted (data fields keep GRAPHQL_MAX_DEPTH)' },
  GRAPHQL_MAX_ALIASES: { schema: int(0, 10_000), default: '30', doc: 'aliases in one GraphQL document' },
  GRAPHQL_MAX_DIRECTIVES: { schema: int(0, 10_000), default: '20', doc: 'directives in one GraphQL document' },
  GRAPHQL_MAX_TOKENS: { schema: int(100, 1_000_000), default: '5000', doc: 'lexical tokens in one GraphQL document (parsing stops there)' },
  GRAPHQL_MAX_BODY_BYTES: { schema: int(1024, 1024 * 1024), default: '131072', doc: 'largest /graphql request body (413 above it, refused before it is read or parsed)' },
  GRAPHQL_MAX_COST: { schema: int(1), default: '100000', doc: 'estimated cost of one GraphQL document (graphql-armor cost model; see README "Limits")' },

  API_TRUST_PROXY: { schema: list, default: '', doc: 'comma-separated addresses or CIDRs of proxies whose X-Forwarded-For is believed (empty = the socket address is the client)' },
  READ_LIMIT_PER_IP: { schema: int(1), default: '1200', doc: 'read requests per minute per client address (IPv6 per /64) without an API key' },
  READ_LIMIT_PER_KEY: { schema: int(1), default: '12000', doc: 'read requests per minute per API key (sent as Authorization: Bearer or the surface key header)' },
  READ_LIMIT_SYNC_MS: {
    schema: int(50, 60_000),
    default: '1000',
    doc: 'how often each API process shares its read counts through Postgres (the most the processes together can overshoot a limit by is this long at full rate)',
  },
  ON_DEMAND_FETCHES_PER_MINUTE: { schema: int(0), default: '600', doc: 'fetches of never-seen tokens that reads (Sequence) may queue per minute, across all API processes' },
} satisfies Record<string, VarSpec>

export type EnvName = keyof typeof ENV
