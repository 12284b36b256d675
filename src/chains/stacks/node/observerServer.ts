/**
 * The event-observer HTTP endpoint a stacks-node's `[[events_observer]]` posts to. A request is
 * answered 200 only once `storeBlock` has committed it (the node retries a request until it gets
 * 200 and sends nothing newer meanwhile, so a crash loses nothing); a block stored before counts
 * as stored (a retry after a lost answer is stored once). Known paths the index does not need are
 * answered 200 without storing; an unknown path is answered 200 too (a refusal would stall the
 * node forever) and reported through `onUnknownPath`. A body that is not a valid `/new_block` is
 * answered 400 and reported: the node's retries then show up in the log.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import type { NodeBlockMessage } from './observerPayloads'
import { blockHeaderOf, NodePayloadError } from './newBlock'
import { requestRole } from './observerRequests'

export interface ObservedBlock {
  indexBlockHash: string
  blockHash: string
  height: number
  parentIndexBlockHash: string
  payload: string
}

export interface ObserverServerOptions {
  /** largest request body accepted, bytes */
  bodyLimit: number
  /** durably stores the block; resolves once committed */
  storeBlock(block: ObservedBlock): Promise<'stored' | 'duplicate'>
  onRequest?(path: string, outcome: 'stored' | 'duplicate' | 'acked' | 'unknown' | 'rejected'): void
  onUnknownPath?(path: string): void
  onRejected?(path: string, reason: string): void
}

export function buildObserverServer(opts: ObserverServerOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: opts.bodyLimit, logger: false })
  // bodies are kept as received: parsed here only for the header fields the store indexes
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body))
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body))

  // a refusal by Fastify itself (a body over the limit) is retried by the node forever: report it
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode ?? 500
    opts.onRejected?.(req.url, status === 413 ? `body over the ${opts.bodyLimit}-byte limit (STACKS_OBSERVER_BODY_LIMIT_MB)` : err.message)
    void reply.code(status).send({ error: err.message })
  })
  app.get('/', async () => ({ status: 'ready' }))
  app.post('/*', async (req, reply) => {
    const path = '/' + (req.params as { '*': string })['*']
    const role = requestRole(path)
    if (role === undefined) {
      opts.onUnknownPath?.(path)
      opts.onRequest?.(path, 'unknown')
      return reply.code(200).send({ result: 'ok' })
    }
    if (role === 'ack') {
      opts.onRequest?.(path, 'acked')
      return reply.code(200).send({ result: 'ok' })
    }
    const text = typeof req.body === 'string' ? req.body : ''
    let header: ReturnType<typeof blockHeaderOf>
    try {
      header = blockHeaderOf(JSON.parse(text) as NodeBlockMessage)
    } catch (e) {
      const reason = e instanceof NodePayloadError ? e.message : `body is not JSON: ${(e as Error).message}`
      opts.onRejected?.(path, reason)
      opts.onRequest?.(path, 'rejected')
      return reply.code(400).send({ error: reason })
    }
    const outcome = await opts.storeBlock({ ...header, payload: text })
    opts.onRequest?.(path, outcome)
    return reply.code(200).send({ result: 'ok' })
  })
  return app
}
