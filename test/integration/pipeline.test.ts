// The metadata pipeline end to end: tokens minted on a local chain, indexed by the processor,
// fetched by real worker processes from a local metadata host; then a worker is SIGKILLed in the
// middle of a run and nothing is lost or completed twice.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import type { DeployedContract } from '../../devnet/evm'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { useHardhatChain } from '../helpers/evmChain'
import { waitForIndexed } from '../helpers/indexer'
import { body, json, status, type RouteHandler } from '../helpers/metadataHost'
import { startProcess, waitFor, type RunningProcess } from '../helpers/processes'
import { usePipelineResources } from '../helpers/pipeline'

const chain = useHardhatChain()
const CHAIN = 'eip155:31337'
const pipe = usePipelineResources()

/** Per-path in-flight counter: proves two workers never fetch the same token at once. */
const inFlight = new Map<string, number>()
let overlaps = 0
function tracked(handler: RouteHandler): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? ''
    const n = (inFlight.get(path) ?? 0) + 1
    inFlight.set(path, n)
    if (n > 1) overlaps++
    res.on('close', () => inFlight.set(path, (inFlight.get(path) ?? 1) - 1))
    await handler(req, res)
  }
}

function env(db: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    EVM_CHAINS: JSON.stringify([{ chain: CHAIN, rpcUrl: chain.rpcUrl, finality: 2, headPollMs: 50 }]),
    FETCH_ALLOW_HOSTS: `127.0.0.1:${pipe.host.port}`,
    FETCH_TIMEOUT_MS: '3000',
    JOB_BACKOFF_BASE_MS: '100',
    JOB_MAX_ATTEMPTS: '2',
    ...extra,
  }
}

function start(entry: string, db: TestDatabase, extra: Record<string, string> = {}, args: string[] = []): RunningProcess {
  const p = startProcess(entry, args, env(db, extra))
  pipe.running.push(p)
  return p
}

async function jobCounts(db: TestDatabase, contractId?: string): Promise<Record<string, number>> {
  const rows: { status: string; n: number }[] = await db.ds.query(
    `SELECT status, count(*)::int AS n FROM metadata_job WHERE $1::text IS NULL OR contract_id = $1 GROUP BY status`,
    [contractId ?? null],
  )
  return Object.fromEntries(rows.map((r) => [r.status, r.n]))
}

describe('metadata pipeline', () => {
  let alice: Address
  let nft: DeployedContract

  it('fetches, normalises and stores metadata for minted tokens; broken hosts end with the right error codes', async () => {
    const d = chain.driver
    alice = d.accounts[1]
    for (let i = 0; i < 20; i++) {
      pipe.host.route(`/squids/${i}`, json({ name: `Squid #${i}`, image: `ipfs://QmImage/${i}.png`, attributes: { Eyes: i % 2 ? 'Big' : 'Small', Level: i } }))
    }
    pipe.host.route('/squids/20', status(404, 'gone'))
    pipe.host.route('/squids/21', body('<html>oops</html>', { contentType: 'text/html' }))
    pipe.host.route('/squids/22', status(500, 'boom'))
    const hex = (id: bigint) => id.toString(16).padStart(64, '0')
    pipe.host.route(`/items/${hex(7n)}.json`, json({ name: 'Sword', description: 'Sharp', properties: { damage: 9 } }))

    nft = await d.deploy('TestERC721', ['Squids', 'SQD', ''])
    const items = await d.deploy('TestERC1155', ['Items', 'ITM', pipe.host.urlFor('/items/{id}.json'), ''])
    await d.mintErc721Batch(nft, alice, 0n, 23, pipe.host.urlFor('/squids/'))
    await d.mintErc1155(items, alice, [7n], [3n])

    const db = await createTestDatabase()
    pipe.databases.push(db)
    const proc = start('evm-processor', db, {}, [CHAIN])
    const worker = start('worker', db, { WORKER_CONCURRENCY: '8' })
    await waitForIndexed(db.ds, CHAIN, Number(await d.blockNumber()), proc)
    await waitFor(
      'every job to settle',
      async () => {
        const c = await jobCounts(db)
        return (c.QUEUED ?? 0) + (c.RUNNING ?? 0) === 0 && (c.DONE ?? 0) > 0 ? c : undefined
      },
      60_000,
      200,
      () => worker.output(),
    )

    const n = `${CHAIN}:${nft.address.toLowerCase()}`
    const [squid] = await db.ds.query(`SELECT status, name, image, uri FROM token_metadata WHERE id = $1`, [`${n}:3`])
    expect(squid).toEqual({ status: 'AVAILABLE', name: 'Squid #3', image: 'ipfs://QmImage/3.png', uri: pipe.host.urlFor('/squids/3') })
    const attrs = await db.ds.query(`SELECT trait_type, value, value_json FROM token_attribute WHERE token_id = $1 ORDER BY position`, [`${n}:3`])
    expect(attrs).toEqual([
      { trait_type: 'Eyes', value: 'Big', value_json: 'Big' },
      { trait_type: 'Level', value: '3', value_json: 3 },
    ])
    const errors = await db.ds.query(`SELECT token_ref, status, error_code, error_http_status FROM metadata_job WHERE token_ref IN ($1, $2, $3) ORDER BY token_ref`, [
      `${n}:20`,
      `${n}:21`,
      `${n}:22`,
    ])
    expect(errors).toEqual([
      { token_ref: `${n}:20`, status: 'INVALID', error_code: 'token_not_found', error_http_status: 404 },
      { token_ref: `${n}:21`, status: 'INVALID', error_code: 'unable_to_decode_response', error_http_status: 200 },
      { token_ref: `${n}:22`, status: 'FAILED', error_code: 'invalid_response_status_code', error_http_status: 500 },
    ])
    const [sword] = await db.ds.query(`SELECT name, properties, resolved_url FROM token_metadata WHERE id = $1`, [`${CHAIN}:${items.address.toLowerCase()}:7`])
    expect(sword).toEqual({ name: 'Sword', properties: { damage: 9 }, resolved_url: pipe.host.urlFor(`/items/${hex(7n)}.json`) })
    const [contract] = await db.ds.query(`SELECT status, name, symbol, confirmed_standard FROM contract_metadata WHERE id = $1`, [n])
    expect(contract).toEqual({ status: 'AVAILABLE', name: 'Squids', symbol: 'SQD', confirmed_standard: 'ERC721' })
    await Promise.all(pipe.running.splice(0).map((p) => p.stop()))
  }, 120_000)

  it('a worker SIGKILLed in the middle of 1,000 jobs loses none and completes none twice; two workers never run one job at once', async () => {
    const d = chain.driver
    alice = d.accounts[1]
    const big = await d.deploy('TestERC721', ['Many', 'MNY', ''])
    for (let i = 0; i < 1000; i++) pipe.host.route(`/many/${i}`, tracked(json({ name: `Many #${i}` }, { delayMs: 40 })))
    await d.mintErc721Batch(big, alice, 0n, 1000, pipe.host.urlFor('/many/'))

    const db = await createTestDatabase()
    pipe.databases.push(db)
    // Audit every transition to DONE, from inside the database: a job completed twice shows twice.
    await db.ds.query(`CREATE TABLE done_audit (job_id text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`)
    await db.ds.query(`CREATE FUNCTION audit_done() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO done_audit (job_id) VALUES (NEW.id); RETURN NULL; END $$`)
    await db.ds.query(`CREATE TRIGGER audit_done AFTER UPDATE ON metadata_job FOR EACH ROW
      WHEN (NEW.status = 'DONE' AND OLD.status IS DISTINCT FROM 'DONE') EXECUTE FUNCTION audit_done()`)

    const proc = start('evm-processor', db, {}, [CHAIN])
    await waitForIndexed(db.ds, CHAIN, Number(await d.blockNumber()), proc)
    const bigId = `${CHAIN}:${big.address.toLowerCase()}`
    const workerEnv = { WORKER_CONCURRENCY: '10', JOB_LEASE_SECONDS: '5' }
    const victim = start('worker', db, workerEnv)
    start('worker', db, workerEnv) // the survivor
    await waitFor(
      'some jobs done',
      async () => ((await jobCounts(db, bigId)).DONE ?? 0) >= 250,
      60_000,
      50,
      () => victim.output(),
    )
    await victim.kill()
    const [{ held }] = await db.ds.query(`SELECT count(*)::int AS held FROM metadata_job WHERE status = 'RUNNING'`)
    start('worker', db, workerEnv) // the replacement
    let last: Record<string, number> = {}
    await waitFor(
      'all 1,001 jobs done',
      async () => {
        last = await jobCounts(db, bigId)
        return last.DONE === 1001 ? last : undefined
      },
      90_000,
      200,
      () => JSON.stringify(last),
    )

    const [{ available }] = await db.ds.query(`SELECT count(*)::int AS available FROM token_metadata WHERE contract_id = $1 AND status = 'AVAILABLE'`, [bigId])
    expect(available).toBe(1000)
    const twice = await db.ds.query(`SELECT job_id, count(*)::int AS n FROM done_audit GROUP BY job_id HAVING count(*) > 1`)
    expect(twice).toEqual([])
    const [{ audited }] = await db.ds.query(`SELECT count(*)::int AS audited FROM done_audit WHERE job_id LIKE $1`, [`%${bigId}%`])
    expect(audited).toBe(1001)
    expect(overlaps).toBe(0)
    expect(held).toBeGreaterThanOrEqual(0)
  }, 180_000)
})
