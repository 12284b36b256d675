// The package as a deployment gets it: package.json, the lock file, the built lib/, bin/ and the
// migrations copied to an empty directory, installed with `npm ci --omit=dev` (no hardhat, solc,
// OpenZeppelin or clarinet), then the API, a worker and an EVM processor started from there as
// separate processes against a Postgres named only by the add-on's DB_* variables. A token minted
// on the local chain must come out of the API with its metadata.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { addonEnvFor } from '../helpers/database'
import { useHardhatChain } from '../helpers/evmChain'
import { adminQuery, withDatabase } from '../helpers/postgres'
import { json, startMetadataHost, type MetadataHost } from '../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { freePort } from '../../src/lib/net'

const ROOT = path.resolve(__dirname, '../..')
const CHAIN = 'eip155:31337'
const DEPLOYED = ['package.json', 'package-lock.json', 'lib', 'bin', 'db/migrations']

const chain = useHardhatChain()
const adminUrl = inject('pgAdminUrl')
const dbName = `tms_prod_${process.pid}`
let dir: string
let host: MetadataHost
const running: RunningProcess[] = []

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tms-prod-'))
  for (const p of DEPLOYED) fs.cpSync(path.join(ROOT, p), path.join(dir, p), { recursive: true })
  // The npm registry is reachable in CI; --prefer-offline lets the npm cache answer first.
  await promisify(execFile)('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, timeout: 540_000, maxBuffer: 16 * 1024 * 1024 })
  host = await startMetadataHost()
  await adminQuery(adminUrl, `CREATE DATABASE "${dbName}"`)
}, 600_000)

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()))
  await host?.close()
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
}, 60_000)

function start(entry: string, env: Record<string, string>, args: string[] = []): RunningProcess {
  const p = startProcess(entry, args, env, { root: dir })
  running.push(p)
  return p
}

describe('production install', () => {
  // typescript stays: viem declares it as a peer dependency, which npm installs.
  it('carries no dev-only packages', () => {
    for (const name of ['hardhat', 'solc', '@openzeppelin/contracts', '@stacks/clarinet-sdk', 'vitest']) {
      expect({ name, installed: fs.existsSync(path.join(dir, 'node_modules', name)) }).toEqual({ name, installed: false })
    }
  })

  it('indexes a token minted on the local chain and serves it with its metadata, on a Postgres given by DB_* variables', async () => {
    const d = chain.driver
    host.route('/prod/1', json({ name: 'Production #1', image: 'ipfs://QmProd/1.png', attributes: [{ trait_type: 'Build', value: 'omit-dev' }] }))
    const nft = await d.deploy('TestERC721', ['Prod', 'PRD', ''])
    await d.mintErc721Batch(nft, d.accounts[1], 1n, 1, host.urlFor('/prod/'))

    const port = await freePort()
    const env = {
      ...addonEnvFor(withDatabase(adminUrl, dbName)),
      EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl, finality: 1, headPollMs: 50 }]),
      FETCH_ALLOW_HOSTS: `127.0.0.1:${host.port}`,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
    }
    const api = start('api', env)
    const proc = start('evm-processor', env, [CHAIN])
    const worker = start('worker', env)
    const logs = () => [api, proc, worker].map((p) => p.output()).join('\n')

    const query = `{ token(chain: "${CHAIN}", contract: "${nft.address}", tokenId: "1") { status metadata { name image attributes { traitType value } } } }`
    type Answer = { data?: { token: { status: string; metadata: { name: string; image: string; attributes: unknown[] } | null } | null } }
    const answer = await waitFor(
      'the token with its metadata from the API',
      async () => {
        const r = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).catch(
          () => undefined,
        )
        const body = r?.ok ? ((await r.json()) as Answer) : undefined
        return body?.data?.token?.status === 'AVAILABLE' ? body.data.token : undefined
      },
      120_000,
      200,
      logs,
    )
    expect(answer).toEqual({ status: 'AVAILABLE', metadata: { name: 'Production #1', image: 'ipfs://QmProd/1.png', attributes: [{ traitType: 'Build', value: 'omit-dev' }] } })

    const status = await (await fetch(`http://127.0.0.1:${port}/status`)).json()
    // The closing note of issue 14 quotes one /status answer of a production install.
    process.stdout.write(`production install /status: ${JSON.stringify(status, null, 2)}\n`)
    expect(logs()).toMatch(/"database":"DB_\* \(/)
    expect(logs()).not.toContain('embedded Postgres ready')
  }, 180_000)
})
