import type { DataSource } from 'typeorm'
import { stateSchemaFor } from '../src/store/processorSchema'

export interface BannerInfo {
  apiUrl: string
  hostUrl: string
  rpcUrl: string
  stacksUrl: string
  /** set when the Stacks processor reads the event stream (`npm run dev -- --stacks-node`) */
  stacksObserver?: string
  stacksChain: string
  dataDir: string
  logsInFiles: boolean
  contracts: { squids: string; items: string; stacksNft: string; pixels: string }
}

/** What `npm run dev` prints once everything is up (the README quick start shows the same). */
export function printBanner(say: (line: string) => void, b: BannerInfo): void {
  const squids = b.contracts.squids.toLowerCase()
  const lines = [
    '',
    'token-metadata-squid dev is running',
    `  GraphQL sandbox  ${b.apiUrl}/graphql`,
    `  REST docs        ${b.apiUrl}/docs`,
    `  Status           ${b.apiUrl}/status   (Hiro shape: ${b.apiUrl}/metadata/v1/)`,
    `  Metrics          ${b.apiUrl}/metrics`,
    `  EVM chain        ${b.rpcUrl} (eip155:31337)`,
    `  Stacks API       ${b.stacksUrl} (${b.stacksChain})`,
    ...(b.stacksObserver ? [`  Stacks observer  ${b.stacksObserver} (the simulator posts its blocks here; the processor reads them: STACKS_SOURCE=node)`] : []),
    `  Metadata host    ${b.hostUrl} (IPFS gateway emulated at ${b.hostUrl}/ipfs/)`,
    `  Data             ${b.dataDir}${b.logsInFiles ? ` (process logs in ${b.dataDir}/logs/)` : ''}`,
    '',
    'Try:',
    `  curl -s ${b.apiUrl}/status`,
    `  curl -s ${b.apiUrl}/metadata/v1/nft/${b.contracts.stacksNft}/1`,
    `  curl -s -X POST ${b.apiUrl}/rpc/Metadata/GetTokenMetadata -H 'content-type: application/json' -d '{"chainID":"31337","contractAddress":"${squids}","tokenIDs":["1","2"]}'`,
    `  curl -s ${b.apiUrl}/graphql -H 'content-type: application/json' -d '{"query":"{ token(chain: \\"eip155:31337\\", contract: \\"${squids}\\", tokenId: \\"1\\") { tokenId status metadata { name image } attributes { traitType value } } }"}'`,
    `  curl -s ${b.apiUrl}/graphql -H 'content-type: application/json' -d '{"query":"{ tokens(chain: \\"eip155:31337\\", contract: \\"${b.contracts.pixels.toLowerCase()}\\") { nodes { tokenId image { cached mimeType placeholder thumbnails { width url } status } } } }"}'   (cached PNG / animated GIF; open the urls in a browser)`,
    '',
    'Ctrl-C stops everything.',
    '',
  ]
  for (const l of lines) say(l)
}

export interface Progress {
  text: string
  available: number
}

/** One compact line: blocks indexed per chain, jobs done / pending / failed. */
export async function progressLine(ds: DataSource, chains: string[]): Promise<Progress> {
  const heights = await Promise.all(
    chains.map(async (chain) => {
      const schema = stateSchemaFor(chain)
      const rows: { h: number | null }[] = await ds
        .query(`SELECT greatest((SELECT height FROM "${schema}".status WHERE id = 0), (SELECT max(height) FROM "${schema}".hot_block)) AS h`)
        .catch(() => [{ h: null }])
      return `${chain.split(':')[0] === 'eip155' ? 'evm' : 'stacks'} #${rows[0]?.h ?? '-'}`
    }),
  )
  const jobs: { name: string; n: string }[] = await ds.query(
    `SELECT name, sum(total)::text AS n FROM (SELECT name, total FROM counter WHERE scope = 'job'
       UNION ALL SELECT name, delta FROM counter_delta WHERE scope = 'job') x GROUP BY name`,
  )
  const count = (s: string) => Number(jobs.find((j) => j.name === s)?.n ?? 0)
  const [{ available }] = await ds.query(`SELECT count(*)::int AS available FROM token_metadata WHERE status = 'AVAILABLE'`)
  const text = `${heights.join(' · ')} | jobs done ${count('DONE')} · pending ${count('QUEUED') + count('RUNNING')} · failed ${count('FAILED')} · invalid ${count('INVALID')} | metadata available ${available}`
  return { text, available }
}
