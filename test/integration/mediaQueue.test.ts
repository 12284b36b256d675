// The hook from stored documents to media jobs (src/queue/mediaQueue.ts) on a real database: one
// job per distinct URL, a FAILED job queued again by a later document, uses replaced with the
// document and deleted with their token.
import { describe, expect, it } from 'vitest'
import { DEFAULT_REWRITE_GATEWAYS } from '../../src/metadata'
import { queueDocumentMedia } from '../../src/store/jobs/mediaJobs'
import { contract, insertRows, token } from '../helpers/apiFixtures'
import { useTestDatabase } from '../helpers/database'

const db = useTestDatabase()
const CHAIN = 'eip155:1'
const ADDRESS = '0x9999999999999999999999999999999999999999'
const C = `${CHAIN}:${ADDRESS}`
const gateways = { ipfsGateway: 'https://gw.example', arweaveGateway: 'https://ar.example', rewriteGateways: [...DEFAULT_REWRITE_GATEWAYS] }

async function queue(docs: { id: string; image?: string; image_data?: string; animation_url?: string }[]): Promise<void> {
  await db.ds.transaction((m) =>
    queueDocumentMedia(
      m,
      { gateways },
      docs.map((d) => ({
        subjectId: `${C}:${d.id}`,
        contractId: C,
        tokenId: `${C}:${d.id}`,
        fields: { image: d.image, image_data: d.image_data, animation_url: d.animation_url },
      })),
      new Date(),
    ),
  )
}

const mediaJobs = () => db.ds.query(`SELECT j.status, j.attempts, s.url FROM metadata_job j JOIN media_source s ON j.id = 'media:' || s.id WHERE j.kind = 'MEDIA' ORDER BY s.url`)
const uses = () => db.ds.query(`SELECT subject_id, field, value, error_code FROM media_use ORDER BY subject_id, field`)

describe('media jobs from stored documents', () => {
  it('tokens naming one image in different spellings make one job for the resolved URL', async () => {
    await insertRows(db.ds, 'contract', [contract(CHAIN, ADDRESS, 'ERC721')])
    await insertRows(
      db.ds,
      'token',
      ['1', '2', '3', '4'].map((id) => token(C, CHAIN, 'ERC721', id)),
    )
    await queue([
      { id: '1', image: 'ipfs://QmShared/a.png' },
      { id: '2', image: 'https://ipfs.io/ipfs/QmShared/a.png' },
      { id: '3', image: '  ipfs://QmShared/a.png ' },
    ])
    expect(await mediaJobs()).toEqual([{ status: 'QUEUED', attempts: 0, url: 'https://gw.example/ipfs/QmShared/a.png' }])
  })

  it('a value naming nothing fetchable is recorded on the use with its code, without a job', async () => {
    await queue([{ id: '4', image: 'ftp://example.com/a.png', image_data: 'not svg' }])
    expect((await uses()).filter((u: { subject_id: string }) => u.subject_id === `${C}:4`)).toEqual([
      { subject_id: `${C}:4`, field: 'image', value: 'ftp://example.com/a.png', error_code: 'uri_disallowed' },
      { subject_id: `${C}:4`, field: 'image_data', value: 'not svg', error_code: 'uri_invalid' },
    ])
    expect(await mediaJobs()).toHaveLength(1)
  })

  it('a FAILED job is queued again by a later document naming it; a DONE one is left alone', async () => {
    await db.ds.query(`UPDATE metadata_job SET status = 'FAILED', attempts = 8, error_code = 'timeout' WHERE kind = 'MEDIA'`)
    await queue([{ id: '1', image: 'ipfs://QmShared/a.png' }])
    expect(await mediaJobs()).toEqual([{ status: 'QUEUED', attempts: 0, url: 'https://gw.example/ipfs/QmShared/a.png' }])
    await db.ds.query(`UPDATE metadata_job SET status = 'DONE' WHERE kind = 'MEDIA'`)
    await queue([{ id: '2', image: 'ipfs://QmShared/a.png' }])
    expect(await mediaJobs()).toEqual([{ status: 'DONE', attempts: 0, url: 'https://gw.example/ipfs/QmShared/a.png' }])
  })

  it("a new document replaces the token's uses: a field it no longer has is dropped", async () => {
    await queue([{ id: '3', image_data: '<svg xmlns="http://www.w3.org/2000/svg"/>' }])
    expect((await uses()).filter((u: { subject_id: string }) => u.subject_id === `${C}:3`)).toEqual([
      { subject_id: `${C}:3`, field: 'image_data', value: '<svg xmlns="http://www.w3.org/2000/svg"/>', error_code: null },
    ])
  })

  it('an animation_url is cached only when it names an image: a web page or a video is left alone', async () => {
    await queue([
      { id: '2', image: 'ipfs://QmShared/a.png', animation_url: 'https://game.example/play.html' },
      { id: '4', animation_url: 'https://cdn.example/loop.gif?v=2' },
    ])
    expect((await uses()).filter((u: { field: string }) => u.field === 'animation_url').map((u: { value: string }) => u.value)).toEqual(['https://cdn.example/loop.gif?v=2'])
  })

  it('uses are deleted with their token (a reorg rollback)', async () => {
    await db.ds.query(`DELETE FROM token WHERE id = $1`, [`${C}:1`])
    expect((await uses()).map((u: { subject_id: string }) => u.subject_id)).not.toContain(`${C}:1`)
  })
})
