import { GraphQLError } from 'graphql'
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql'
import { idempotencyId } from '../../../core/notifications'
import { deliveryLog } from '../../../store/webhookDeliveries'
import { createWebhook, deleteWebhook, getWebhook, InvalidWebhookError, listWebhooks, resumeWebhook, webhookSummary, type WebhookRecord } from '../../../store/webhooks'
import { decodeCursor, encodeCursor } from '../../refresh/refreshService'
import { callerKey } from '../callerKey'
import type { GraphQLContext } from '../context'
import { badInput, pageSize } from '../inputErrors'
import { CreatedWebhookType, DeliveryStatusEnum, WebhookDeliveryConnection, WebhookType } from '../types/webhook'

/**
 * Webhook subscriptions of the calling key (`Authorization: Bearer <key>`): create, list with
 * the delivery log, resume, delete. A key sees and changes only its own webhooks, and a webhook
 * sees only the key's collections. Errors: UNAUTHENTICATED (401), BAD_USER_INPUT (400, naming the
 * argument), NOT_FOUND (404) for a webhook that is not the key's.
 */
@Resolver(() => WebhookType)
export class WebhookResolvers {
  @Mutation(() => CreatedWebhookType, { description: "Subscribes a URL to changes of the key's collections; the answer carries the signing secret, once" })
  async createWebhook(
    @Arg('url', () => String) url: string,
    @Arg('chains', () => [String], { nullable: true, description: 'Only these chains (CAIP-2)' }) chains: string[] | null,
    @Arg('contracts', () => [String], { nullable: true, description: "Only these contract ids (<chain>:<address>), within the key's collections" }) contracts: string[] | null,
    @Arg('eventTypes', () => [String], { nullable: true, description: 'Only these event types' }) eventTypes: string[] | null,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedWebhookType> {
    const key = await callerKey(ctx)
    try {
      const created = await ctx.api.store.run(createWebhook, key, { url, chains: chains ?? [], contracts: contracts ?? [], eventTypes: eventTypes ?? [], description }, new Date())
      return { webhook: webhookNode(created.record), secret: created.secret }
    } catch (e) {
      if (e instanceof InvalidWebhookError) throw badInput(e.message, e.field === 'key' ? undefined : e.field)
      throw e
    }
  }

  @Mutation(() => Boolean, { description: 'Deletes a webhook of the key, with its delivery log' })
  async deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const key = await callerKey(ctx)
    if (!(await ctx.api.store.run(deleteWebhook, id, key.id))) throw notFound(id)
    return true
  }

  @Mutation(() => WebhookType, { description: 'Resumes a paused webhook of the key: its pending deliveries are sent again' })
  async resumeWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<WebhookType> {
    const key = await callerKey(ctx)
    const r = await ctx.api.store.run(resumeWebhook, id, key.id)
    if (!r) throw notFound(id)
    return webhookNode(r)
  }

  @Query(() => [WebhookType], { description: 'The webhooks of the calling key, oldest first' })
  async webhooks(@Ctx() ctx: GraphQLContext): Promise<WebhookType[]> {
    const key = await callerKey(ctx)
    return (await ctx.api.store.run(listWebhooks, key.id)).map(webhookNode)
  }

  @Query(() => WebhookType, { nullable: true, description: 'One webhook of the calling key; null when unknown' })
  async webhook(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<WebhookType | null> {
    const key = await callerKey(ctx)
    const r = await ctx.api.store.run(getWebhook, id, key.id)
    return r ? webhookNode(r) : null
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'The delivery log, newest first' })
  async deliveries(
    @Root() hook: WebhookType,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => DeliveryStatusEnum, { nullable: true }) status: keyof typeof DeliveryStatusEnum | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookDeliveryConnection> {
    const n = pageSize(ctx, first)
    let before: string | undefined
    if (after != null) {
      before = decodeCursor(`graphql-webhook-deliveries:${hook.id}`, after, ['p'])?.p
      if (before === undefined) throw badInput('after is not a cursor of this list', 'after')
    }
    const page = await ctx.api.store.run(deliveryLog, hook.id, n + 1, before, status ?? undefined)
    const nodes = page.slice(0, n).map((d) => ({ ...d, eventId: idempotencyId(d.eventId) }))
    const last = nodes[nodes.length - 1]
    return { nodes, pageInfo: { hasNextPage: page.length > n, endCursor: last ? encodeCursor(`graphql-webhook-deliveries:${hook.id}`, { p: last.id }) : null } }
  }
}

function webhookNode(r: WebhookRecord): WebhookType {
  return { ...webhookSummary(r), lastSuccessAt: r.lastSuccessAt, createdAt: r.createdAt }
}

function notFound(id: string): GraphQLError {
  return new GraphQLError(`no webhook ${JSON.stringify(id)} belongs to this API key`, { extensions: { code: 'NOT_FOUND', http: { status: 404 } } })
}
