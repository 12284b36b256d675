import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Webhook signatures in the Standard Webhooks format (https://www.standardwebhooks.com), so
 * receivers can verify them with that project's libraries or with the README's snippet:
 *
 *   webhook-id:        the event's idempotency id
 *   webhook-timestamp: Unix seconds when this attempt was signed
 *   webhook-signature: v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>">
 *
 * The key is the secret's base64 part (after `whsec_`), decoded. The timestamp is inside the
 * signed text, so a captured request replays only within the receiver's tolerance.
 */

export const SIGNATURE_VERSION = 'v1'
/** How far a timestamp may be from the receiver's clock (either way) before it is refused. */
export const DEFAULT_TOLERANCE_SECONDS = 300

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64')
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')
  return `${SIGNATURE_VERSION},${mac}`
}

/** The three headers of one delivery attempt. */
export function signatureHeaders(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signWebhook(secret, id, timestampSeconds, body) }
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing_headers' | 'timestamp_out_of_tolerance' | 'bad_signature' }

/**
 * Checks a received request: headers present, timestamp within tolerance, and one of the
 * space-separated `v1,` signatures equal to ours (constant-time comparison).
 */
export function verifyWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string, nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): VerifyResult {
  const one = (name: string) => {
    const v = headers[name]
    return Array.isArray(v) ? v[0] : v
  }
  const id = one('webhook-id')
  const ts = one('webhook-timestamp')
  const sig = one('webhook-signature')
  if (!id || !ts || !sig) return { ok: false, reason: 'missing_headers' }
  const t = Number(ts)
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: 'timestamp_out_of_tolerance' }
  const expected = Buffer.from(signWebhook(secret, id, t, body))
  const match = sig.split(' ').some((candidate) => {
    const given = Buffer.from(candidate)
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
  return match ? { ok: true } : { ok: false, reason: 'bad_signature' }
}
