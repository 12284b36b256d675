import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signatureHeaders, signWebhook, verifyWebhook } from '../../src/lib/webhookSignature'
import { changedFields } from '../../src/store/metadataChanges'

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`
const BODY = '{"id":"evt_7","type":"metadata.updated","data":{}}'
const NOW = 1_800_000_000

describe('webhook signatures', () => {
  it('sign the id, the timestamp and the body with the key after whsec_, as v1,<base64>', () => {
    // the same HMAC computed independently of signWebhook
    const expected = createHmac('sha256', Buffer.alloc(32, 1)).update(`evt_7.${NOW}.${BODY}`).digest('base64')
    expect(signWebhook(SECRET, 'evt_7', NOW, BODY)).toBe(`v1,${expected}`)
    expect(signatureHeaders(SECRET, 'evt_7', NOW, BODY)).toEqual({ 'webhook-id': 'evt_7', 'webhook-timestamp': String(NOW), 'webhook-signature': `v1,${expected}` })
  })

  it('verify a genuine request, one signature among several included', () => {
    const h = signatureHeaders(SECRET, 'evt_7', NOW, BODY)
    expect(verifyWebhook(SECRET, h, BODY, NOW)).toEqual({ ok: true })
    expect(verifyWebhook(SECRET, { ...h, 'webhook-signature': `v1,bm9wZQ== ${h['webhook-signature']}` }, BODY, NOW)).toEqual({ ok: true })
  })

  it('refuse another body, another id, another secret, a stale timestamp and missing headers', () => {
    const h = signatureHeaders(SECRET, 'evt_7', NOW, BODY)
    expect(verifyWebhook(SECRET, h, `${BODY} `, NOW)).toEqual({ ok: false, reason: 'bad_signature' })
    expect(verifyWebhook(SECRET, { ...h, 'webhook-id': 'evt_8' }, BODY, NOW)).toEqual({ ok: false, reason: 'bad_signature' })
    expect(verifyWebhook(`whsec_${Buffer.alloc(32, 2).toString('base64')}`, h, BODY, NOW)).toEqual({ ok: false, reason: 'bad_signature' })
    expect(verifyWebhook(SECRET, h, BODY, NOW + 301)).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' })
    expect(verifyWebhook(SECRET, { 'webhook-id': 'evt_7' }, BODY, NOW)).toEqual({ ok: false, reason: 'missing_headers' })
  })
})

describe('changedFields', () => {
  it('lists the top-level fields that were added, removed or changed, sorted', () => {
    expect(changedFields({ name: 'Hidden', image: 'a', description: 'x' }, { name: 'Revealed', image: 'a', attributes: [{ trait_type: 'Power', value: 1 }] })).toEqual([
      'attributes',
      'description',
      'name',
    ])
  })

  it('lists every field of a first document', () => {
    expect(changedFields(null, { name: 'One', image: 'a' })).toEqual(['image', 'name'])
  })
})
