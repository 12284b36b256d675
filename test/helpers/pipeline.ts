/**
 * What the end-to-end pipeline tests share: the environment of processor and worker processes
 * against a test database, a local chain and a local metadata host, and their teardown.
 * Media caching is off unless a test turns it on (MEDIA_CACHE): these tests count the metadata
 * jobs and the host's requests, and their documents name images on hosts that do not exist;
 * test/integration/media.test.ts runs the media lane.
 */
import type { RunningApi } from './apiServer'
import type { TestDatabase } from './database'
import { afterAll, beforeAll } from 'vitest'
import { startMetadataHost, type MetadataHost } from './metadataHost'
import type { RunningProcess } from './processes'

/** Processes for one local EVM chain (and any more chain ids served by the same node). */
export function evmPipelineEnv(db: TestDatabase, rpcUrl: string, chains: readonly string[], host?: MetadataHost, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    EVM_CHAINS: JSON.stringify(chains.map((chain) => ({ chain, rpcUrl, finality: 2, headPollMs: 50 }))),
    ...(host ? { FETCH_ALLOW_HOSTS: `127.0.0.1:${host.port}` } : {}),
    JOB_BACKOFF_BASE_MS: '100',
    MEDIA_CACHE: 'false',
    ...extra,
  }
}

/** Processes for the Stacks simulator. */
export function stacksPipelineEnv(db: TestDatabase, apiUrl: string, chain: string, host?: MetadataHost, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    STACKS_API_URL: apiUrl,
    STACKS_CHAIN: chain,
    STACKS_POLL_MS: '50',
    ...(host ? { FETCH_ALLOW_HOSTS: `127.0.0.1:${host.port}` } : {}),
    JOB_BACKOFF_BASE_MS: '100',
    MEDIA_CACHE: 'false',
    ...extra,
  }
}

/** Stops the processes, then the API, the database and the host (whichever were started). */
export async function stopPipeline(parts: { running: RunningProcess[]; api?: RunningApi; db?: TestDatabase; host?: MetadataHost }): Promise<void> {
  await Promise.all(parts.running.map((p) => p.stop()))
  await parts.api?.close()
  await parts.db?.drop()
  await parts.host?.close()
}

export interface PipelineResources {
  /** The metadata host, started before the file's tests. */
  readonly host: MetadataHost
  /** Processes a test starts; stopped after the file. */
  readonly running: RunningProcess[]
  /** Databases a test creates; dropped after the file. */
  readonly databases: TestDatabase[]
}

/** vitest wrapper: a metadata host for the file, and teardown of the processes and databases its tests add. */
export function usePipelineResources(): PipelineResources {
  let host: MetadataHost | undefined
  const running: RunningProcess[] = []
  const databases: TestDatabase[] = []
  beforeAll(async () => {
    host = await startMetadataHost()
  })
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()))
    await Promise.all(databases.map((d) => d.drop()))
    await host?.close()
  })
  return {
    get host() {
      if (!host) throw new Error('the metadata host starts in beforeAll')
      return host
    },
    running,
    databases,
  }
}
