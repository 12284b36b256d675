import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TokenStandardName } from '../../core/standards'
import { loadTokenViews, type TokenKey, type TokenView } from '../../store/read/tokenViews'
import { servesMetadata } from '../../store/read/metadataStatus'
import type { ApiContext } from '../context'
import { fastifyErrorBody } from '../errors'
import { etagOf, ifNoneMatchMatches } from '../http/etag'
import { checkTokenId, textProblem } from '../validation'
import { mediaOfSubjects } from '../../store/media'
import { displayedImage, type CachedImage } from '../media/cachedImage'

/** Hiro's bulk lookup: at most this many `contract` parameters per request. */
export const MAX_SEARCH_CONTRACTS = 50

const KIND: Partial<Record<TokenStandardName, 'ft' | 'nft' | 'sft'>> = { SIP010: 'ft', SIP009: 'nft', SIP013: 'sft' }

export const searchSchema = {
  summary: 'Bulk token lookup',
  description: 'Up to 50 `contract` parameters, each `<principal>` (token 1, or the fungible token) or `<principal>:<token_number>`; unknown tokens are left out.',
  tags: ['Hiro'],
  querystring: {
    type: 'object',
    properties: {
      contract: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      locale: { type: 'string' },
    },
    required: ['contract'],
  },
} as const

interface SearchQuery {
  contract: string | string[]
  locale?: string
}

/** `GET /search?contract=…`: one answer per known token asked for, in the order asked, with an ETag. */
export function registerSearchRoute(app: FastifyInstance, ctx: ApiContext, chain: string, hide: { hide?: boolean }): void {
  app.get<{ Querystring: SearchQuery }>('/search', { schema: { ...searchSchema, ...hide } }, (request, reply) => searchRoute(ctx, chain, request, reply))
}

async function searchRoute(ctx: ApiContext, chain: string, request: FastifyRequest<{ Querystring: SearchQuery }>, reply: FastifyReply): Promise<unknown> {
  const asked = ([] as string[]).concat(request.query.contract)
  if (asked.length > MAX_SEARCH_CONTRACTS) {
    return reply.code(400).send(fastifyErrorBody(400, `querystring/contract must NOT have more than ${MAX_SEARCH_CONTRACTS} items`, 'FST_ERR_VALIDATION'))
  }
  const asks: SearchAsk[] = []
  for (const [i, value] of asked.entries()) {
    const ask = parseSearchContract(chain, value)
    if (typeof ask === 'string') return reply.code(400).send(fastifyErrorBody(400, `querystring/contract/${i} ${ask}`, 'FST_ERR_VALIDATION'))
    asks.push(ask)
  }
  const locale = request.query.locale
  const lookupLocale = locale !== undefined && textProblem('locale', locale, 64) === undefined ? locale : undefined
  // A bare principal is token 1, or the fungible token itself (our id 0): both are looked up.
  const keys: TokenKey[] = asks.flatMap((a) => (a.bare ? [a.key, { contractId: a.key.contractId, tokenId: '0' }] : [a.key]))
  const views = await ctx.store.read(loadTokenViews, keys, lookupLocale)
  let at = 0
  const chosen = asks.map((a) => {
    const view = views[at++]!
    if (!a.bare) return view
    const ft = views[at++]!
    return ft.contract?.standard === 'SIP010' ? ft : view
  })
  const media = await ctx.store.read(
    mediaOfSubjects,
    chosen.map((v) => v.ref),
  )
  const body = JSON.stringify(chosen.flatMap((v) => searchEntry(v, displayedImage(media.get(v.ref), ctx.media))))
  const etag = etagOf(body)
  reply.header('cache-control', 'public, no-cache, must-revalidate').header('etag', etag)
  if (ifNoneMatchMatches(request.headers['if-none-match'], etag)) return reply.code(304).send()
  return reply.type('application/json; charset=utf-8').send(body)
}

interface SearchAsk {
  key: TokenKey
  /** No token number was given. */
  bare: boolean
}

/** `<principal>` or `<principal>:<token_number>`; a message (without the argument name) when malformed. */
function parseSearchContract(chain: string, value: string): SearchAsk | string {
  const m = /^([0-9A-Z]{28,41}\.[a-zA-Z][a-zA-Z0-9_-]{0,127})(?::(\d{1,40}))?$/.exec(value)
  if (!m) return 'must be <principal> or <principal>:<token_number>'
  const checked = checkTokenId(chain, m[2] ?? '1')
  if (!checked.ok) return checked.problem
  return { key: { contractId: `${chain}:${m[1]}`, tokenId: checked.tokenId }, bare: m[2] === undefined }
}

function searchEntry(view: TokenView, cached: CachedImage | null): Record<string, unknown>[] {
  const kind = view.contract ? KIND[view.contract.standard] : undefined
  if (!kind || !view.contract) return []
  if (!view.token) return []
  const doc = servesMetadata(view.status) ? (view.localized ?? view.metadata?.normalized ?? null) : null
  const read = view.contractRead
  const text = (k: string) => (doc && typeof doc[k] === 'string' ? (doc[k] as string) : undefined)
  const image = text('image')
  const entry: Record<string, unknown> = {
    contract_id: view.contract.address,
    token_number: Number(view.tokenId) <= Number.MAX_SAFE_INTEGER ? Number(view.tokenId) : view.tokenId,
    token_type: kind,
    name: text('name') ?? (kind === 'ft' ? (read?.name ?? undefined) : undefined),
    symbol: kind === 'ft' ? (read?.symbol ?? undefined) : undefined,
    decimals: kind === 'nft' ? undefined : (view.metadata?.decimals ?? read?.decimals ?? undefined),
    total_supply: kind === 'ft' ? (view.contract.totalSupply ?? read?.totalSupply ?? undefined) : kind === 'sft' ? view.token?.supply : undefined,
    token_uri: view.metadata?.uri ?? view.token?.chainUri ?? (kind === 'ft' ? read?.uri : undefined) ?? undefined,
    description: text('description'),
    // The cached image and its thumbnail once stored; until then image_uri is the document's image.
    image_uri: cached?.cached ?? image,
    image_thumbnail_uri: cached?.thumbnail ?? undefined,
    image_canonical_uri: image,
    tx_id: view.contract.deployTx ?? undefined,
    sender_address: view.contract.deployer ?? undefined,
  }
  return [Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined && v !== null))]
}
